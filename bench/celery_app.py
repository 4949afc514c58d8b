"""The portal's Celery app plus one bench-only task: the refresh task paced by Celery's own `rate_limit`.

Bench workers run `celery -A bench.celery_app worker`; they run the portal's tasks as usual (the
refresh through the gateway's shared limiter) and `bench.celery_paced_refresh`: the same refresh of
one product, run while the credential's own limit is off (qps 0), so only Celery's per-worker rate
limit (BENCH_CELERY_RATE, e.g. "10/s") paces the calls. bench/refresh.py compares the two.
"""

import os

from portal.celery import app

RATE = os.environ.get("BENCH_CELERY_RATE", "10/s")


@app.task(name="bench.celery_paced_refresh", rate_limit=RATE, ignore_result=True)
def celery_paced_refresh(product_id: int, job_id: int) -> None:
    """Refresh one claimed product; a frequency-limit answer is left in the call log, not retried."""
    from sourcing.alibaba import errors
    from sourcing.catalog.services.refresh import product_refresh_run

    try:
        product_refresh_run(product_id=product_id, job_id=job_id)
    except errors.TransientError:
        pass  # the call log counts it; the portal's own task would retry it later
