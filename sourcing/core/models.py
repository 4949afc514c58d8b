"""Tables the shared infrastructure keeps: the rate limiter's and the throttle's slots (when Redis is not set)."""

from django.db import models


class RateSlot(models.Model):
    """The next free call slot of a rate-limited key, for the limiter without Redis."""

    key = models.CharField(max_length=100, unique=True)
    next_at = models.FloatField(default=0)
