"""Create or update a sandbox 1688 app (idempotent)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sandbox.gateway import APIS
from sandbox.models import SandboxApp

FAULTS = ["timeout", "5xx", "malformed", "truncated", "frequency", "no_usage"]


def _probability(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError("a probability is between 0 and 1")
    return value


class Command(BaseCommand):
    help = "Create or update a sandbox app: key, secret, callback, granted APIs, limits and faults."

    def add_arguments(self, parser):
        parser.add_argument("--app-key", required=True)
        parser.add_argument("--app-secret", help="required when creating the app")
        parser.add_argument("--redirect-uri", help="the registered callback; its domain must match at authorize time")
        parser.add_argument("--name")
        parser.add_argument(
            "--owner", metavar="USERNAME", help="the portal user who sees the app in the sandbox console"
        )
        parser.add_argument(
            "--grant",
            action="append",
            default=[],
            metavar="API",
            help="grant an API (namespace:apiName-1, or just apiName); repeatable",
        )
        parser.add_argument(
            "--revoke", action="append", default=[], metavar="API", help="take a grant away; repeatable"
        )
        parser.add_argument("--grant-all", action="store_true", help="grant every API")
        parser.add_argument("--no-grant-all", action="store_true", help="grant only the listed APIs")
        parser.add_argument("--qps", type=int, help="calls per second (0 = unlimited)")
        parser.add_argument("--daily-quota", type=int, help="calls per Beijing day (0 = unlimited)")
        for fault in FAULTS:
            parser.add_argument(
                f"--fault-{fault.replace('_', '-')}", type=_probability, metavar="P",
                help=f"probability of {fault.replace('_', ' ')} answers",
            )  # fmt: skip
        parser.add_argument(
            "--message-callback",
            metavar="URL",
            help="where messages are POSTed (docs/1688-messages.md); an empty string keeps them listed",
        )
        parser.add_argument(
            "--topic",
            action="append",
            default=[],
            metavar="TYPE",
            help="subscribe to a message topic, e.g. ORDER_BUYER_VIEW_ORDER_PAY; repeatable",
        )
        parser.add_argument("--all-topics", action="store_true", help="subscribe to every topic the sandbox sends")
        parser.add_argument("--timeout-delay", type=float, help="seconds a timeout fault waits")
        parser.add_argument("--latency-ms", type=int, help="added latency on every call")
        parser.add_argument(
            "--answer-profile", choices=["sparse", "full", "default"],
            help="sparse answers like live 1688, full ones, or the SANDBOX_ANSWER_PROFILE setting's",
        )  # fmt: skip

    def _api_id(self, name: str) -> str:
        ids = sorted(a.id for a in APIS.values())
        if name in ids:
            return name
        matches = [i for i in ids if i.split(":", 1)[1].rsplit("-", 1)[0] == name]
        if len(matches) != 1:
            raise CommandError(f"Unknown API {name!r}. Known: {', '.join(ids)}")
        return matches[0]

    def handle(self, *args, **o):
        import sandbox.views  # noqa: F401 - registers every API

        app = SandboxApp.objects.filter(app_key=o["app_key"]).first()
        created = app is None
        if created:
            if not o["app_secret"]:
                raise CommandError("--app-secret is required for a new app.")
            app = SandboxApp(app_key=o["app_key"])
        if o["app_secret"]:
            app.app_secret = o["app_secret"]
        if o["owner"] is not None:
            user_model = get_user_model()
            try:
                app.owner = user_model.objects.get(**{user_model.USERNAME_FIELD: o["owner"]})
            except user_model.DoesNotExist:
                raise CommandError(f"No portal user {o['owner']!r}.") from None
        for option, attr in [
            ("redirect_uri", "redirect_uri"),
            ("name", "name"),
            ("qps", "qps"),
            ("daily_quota", "daily_quota"),
            ("timeout_delay", "timeout_delay"),
            ("latency_ms", "latency_ms"),
        ]:
            if o[option] is not None:
                setattr(app, attr, o[option])
        for fault in FAULTS:
            value = o[f"fault_{fault}"]
            if value is not None:
                setattr(app, f"fault_{fault}", value)
        if o["answer_profile"] is not None:
            app.answer_profile = "" if o["answer_profile"] == "default" else o["answer_profile"]
        if o["grant_all"]:
            app.grant_all = True
        if o["no_grant_all"]:
            app.grant_all = False
        grants = set(app.grants) | {self._api_id(g) for g in o["grant"]}
        grants -= {self._api_id(g) for g in o["revoke"]}
        app.grants = sorted(grants)
        app.save()
        self._subscribe(app, o)
        if not app.redirect_uri:
            self.stdout.write(
                self.style.WARNING("No --redirect-uri registered: the consent page accepts any callback.")
            )
        what = "all APIs" if app.grant_all else f"{len(app.grants)} API(s)"
        self.stdout.write(
            self.style.SUCCESS(
                f"{'Created' if created else 'Updated'} sandbox app {app.app_key}: {what}, "
                f"{app.qps} QPS, {app.daily_quota} calls/day."
            )
        )

    def _subscribe(self, app: SandboxApp, o: dict) -> None:
        from sandbox.messages import TOPICS, subscribe
        from sandbox.models import SandboxSubscription

        if o["message_callback"] is None and not o["topic"] and not o["all_topics"]:
            return
        unknown = [t for t in o["topic"] if t not in TOPICS]
        if unknown:
            raise CommandError(f"Unknown topic {unknown[0]!r}. Known: {', '.join(TOPICS)}")
        held = SandboxSubscription.objects.filter(app=app).values_list("topics", flat=True).first() or []
        subscribe(app, callback_url=o["message_callback"], topics=TOPICS if o["all_topics"] else [*held, *o["topic"]])
