"""How tasks retry: on transient 1688 errors, with backoff and jitter; a rate wait comes back at its slot."""

import random

from sourcing.alibaba.errors import TransientError

RETRY = {"autoretry_for": (TransientError,), "retry_backoff": True, "retry_jitter": True, "max_retries": 5}


def slot_due(error) -> float:
    """When a task refused a rate slot runs again: at the slot, spread over half a second so a backlog of one
    app's tasks does not all wake at once (a rate wait never counts against the task's retries)."""
    return error.retry_after + random.uniform(0.0, 0.5)  # noqa: S311 - spreading, not security


def backoff(retries: int) -> float:
    return min(60.0, 2.0**retries) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security
