# Sourced by bin/test: what the suites need from the system, installed and started when missing.
#   Chromium and a Chinese font (browser tests), redis-server (the reliability suite starts its own),
#   RabbitMQ on 127.0.0.1:5672 with a vhost "reliability" (the scale-out test).
# Installs with apt-get (as root, or with sudo when that needs no password); otherwise stops at once and
# says exactly what to install. BIN_TEST_SYSTEM=skip skips all of it (then those suites fail, not skip).
[ "${BIN_TEST_SYSTEM:-}" = "skip" ] && return 0

_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}
_amqp_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ -z "${RELIABILITY_AMQP_URL:-}" ] && ! _amqp_up && ! command -v rabbitmq-server >/dev/null; then
  missing+=(rabbitmq-server)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing what the tests need: ${missing[*]}"
  if ! command -v apt-get >/dev/null || ! _as_root true; then
    echo "bin/test needs these system packages: ${missing[*]}" >&2
    echo "Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run bin/test again." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  _as_root apt-get update -qq
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -z "${RELIABILITY_AMQP_URL:-}" ]; then
  if ! _amqp_up; then
    echo "== starting RabbitMQ on 127.0.0.1:5672"
    _as_root env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached || {
      echo "bin/test could not start RabbitMQ: start it (sudo rabbitmq-server -detached) or set RELIABILITY_AMQP_URL." >&2
      exit 1
    }
    for _ in $(seq 120); do _amqp_up && break; sleep 0.5; done
    _as_root rabbitmqctl await_startup >/dev/null
  fi
  if command -v rabbitmqctl >/dev/null && _as_root true; then
    _as_root rabbitmqctl list_vhosts -s 2>/dev/null | grep -qx reliability || _as_root rabbitmqctl add_vhost reliability >/dev/null
    _as_root rabbitmqctl set_permissions -p reliability guest ".*" ".*" ".*" >/dev/null
  fi
fi
