"""The portal's Celery app plus one bench-only task: a detail call paced by Celery's own `rate_limit`.

Bench workers run `celery -A bench.celery_app worker`; they run the portal's tasks as usual (the
refresh through the gateway's shared limiter) and `bench.celery_paced_detail`, which calls the
sandbox with our client but without our limiter, paced only by Celery's per-worker rate limit
(BENCH_CELERY_RATE, e.g. "10/s"). Each outcome is counted in Redis for bench/refresh.py.
"""

import os
import time

from portal.celery import app

RATE = os.environ.get("BENCH_CELERY_RATE", "10/s")
OUTCOMES = "bench:celery:"


@app.task(name="bench.celery_paced_detail", rate_limit=RATE, ignore_result=True, acks_late=True)
def celery_paced_detail(credential_id: int, offer_id: int) -> None:
    """One product detail call, no shared limiter; a frequency-limit answer is counted, not retried."""
    import redis
    from django.conf import settings

    from sourcing.alibaba import AlibabaClient, api, errors
    from sourcing.models import AppCredential, OAuthToken

    credential = AppCredential.objects.get(pk=credential_id)
    token = OAuthToken.objects.get(credential=credential)
    client = AlibabaClient(credential.app_key, credential.app_secret, base_url=settings.ALIBABA_API_URL)
    store = redis.Redis.from_url(settings.REDIS_URL)
    try:
        api.product_detail(client, token.access_token, str(offer_id))
    except errors.FrequencyLimited:
        store.incr(OUTCOMES + "throttled")
    except errors.AlibabaError:
        store.incr(OUTCOMES + "error")
    else:
        store.rpush(OUTCOMES + "ok", repr(time.time()))
