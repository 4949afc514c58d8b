"""Two queues: what a person waits for never queues behind bulk work, and a far rate slot puts a task back
(due then) instead of holding the worker."""

import time

import pytest
from django.conf import settings

from portal.celery import app
from sourcing.catalog.models import CatalogJob
from sourcing.connections.services.ratelimit import RateLimitWait, rate_acquire

INTERACTIVE = ["catalog_search_fetch", "catalog_image_search", "catalog_product_fetch", "catalog_supplier_offers",
               "catalog_categories_fetch", "check_run", "permissions_verify", "inquiry_link_fetch", "invitation_send",
               "token_refresh"]  # fmt: skip
BACKGROUND = ["catalog_product_refresh", "catalog_refresh_due", "catalog_unknown_details", "alerts_evaluate",
              "alerts_digest_send", "notification_email", "calllog_purge", "tokens_maintain"]  # fmt: skip


def queue_of(name: str) -> str:
    route = app.amqp.router.route({}, f"sourcing.tasks.{name}")
    return route["queue"].name


@pytest.mark.parametrize("name", INTERACTIVE)
def test_what_a_person_waits_for_goes_to_the_interactive_queue(name):
    assert queue_of(name) == "interactive"


@pytest.mark.parametrize("name", BACKGROUND)
def test_bulk_work_goes_to_the_background_queue(name):
    assert queue_of(name) == "background"


def test_a_worker_started_without_queues_serves_both():
    assert {q.name for q in app.amqp.queues.values()} >= {"interactive", "background"}
    assert set(settings.BACKGROUND_TASKS) >= {"catalog_product_refresh", "catalog_refresh_due"}


@pytest.mark.django_db
def test_a_slot_seconds_away_is_not_waited_for_and_nothing_is_reserved():
    # given an app at 1 call a second whose slot was just taken
    rate_acquire(key="app:fair", qps=1, max_wait=5)
    started = time.monotonic()
    # when a second call wants a slot within the 1 s a worker may sleep
    with pytest.raises(RateLimitWait) as refused:
        rate_acquire(key="app:fair", qps=1, max_wait=0.2)
    # then the worker is free at once, told when the slot frees, and the slot is still free for that time
    assert time.monotonic() - started < 0.5
    assert 0.2 < refused.value.retry_after <= 1.0
    assert rate_acquire(key="app:fair", qps=1, max_wait=2) <= 1.0  # no slot was reserved by the refused call


@pytest.mark.django_db
def test_a_job_refused_a_slot_is_put_back_due_when_the_slot_frees(monkeypatch, alice):
    from sourcing import tasks

    job = CatalogJob.objects.create(kind=CatalogJob.Kind.SEARCH, target="杯", team=alice.current_team)
    refusal = RateLimitWait(code="local.RateLimitWait")
    refusal.retry_after = 4.5

    def run(job_id):
        raise refusal

    retried = {}

    def retry(**kwargs):
        retried.update(kwargs)
        return RuntimeError("retried")

    task = type(
        "Task", (), {"request": type("R", (), {"retries": 99})(), "max_retries": 5, "retry": staticmethod(retry)}
    )
    with pytest.raises(RuntimeError):
        tasks._catalog_job(task, run, job.pk)
    # however often it was put back before, it is not given up: it runs when the app's slot frees
    assert 4.5 <= retried["countdown"] <= 5.0 and retried["max_retries"] == 100
    assert CatalogJob.objects.get(pk=job.pk).state == CatalogJob.State.QUEUED
