"""What every domain may use, and that knows no domain: the 1688 day (beijing.py), encryption at rest (crypto.py),
the failed-attempt throttle (throttle.py), the per-request cache, ids in URLs (converters.py), CSV cells
(exports.py), natural order, picture limits, handing work to a task by name (enqueue.py), the retry policy of
tasks (retry.py), the navigation's cache key (nav.py) and RateSlot, the limiter's table when Redis is not set.

Imports: the 1688 client only (sourcing.alibaba)."""
