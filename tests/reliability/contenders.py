"""A process that races others for a credential's quota or token: `python -m tests.reliability.contenders ACTION ID AT`.

ACTION is "quota" (keyword searches until the daily quota refuses one) or "refresh" (one token refresh);
every process sleeps until the wall-clock time AT so that they all start at once. Prints what it did as JSON.
"""

import json
import os
import sys
import time


def main(action: str, object_id: int, start_at: float) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from sourcing.alibaba import api
    from sourcing.connections.models import AppCredential
    from sourcing.connections.services import tokens, usage
    from sourcing.connections.services.gateway import gateway_call

    credential = AppCredential.objects.get(pk=object_id) if action == "quota" else None
    time.sleep(max(0.0, start_at - time.time()))
    if action == "refresh":
        tokens.token_refresh(token_id=object_id)
        return {"refreshed": 1}
    sent = refused = 0
    while refused < 3:  # a few refusals in a row: the quota is spent for everyone
        try:
            gateway_call(credential=credential, fn=lambda c, t: api.keyword_search(c, t, "杯"))
            sent += 1
        except usage.QuotaExhausted:
            refused += 1
    return {"sent": sent, "refused": refused}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))))
