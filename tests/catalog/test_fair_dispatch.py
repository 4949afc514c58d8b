"""Fair dispatch: a team has at most TEAM_JOBS_IN_FLIGHT jobs with workers; the rest wait in line behind them."""

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from sourcing.catalog.models import CatalogJob
from sourcing.catalog.services import jobs as catalog_jobs
from sourcing.catalog.services.jobs import _job_create, job_dispatch, job_finish

pytestmark = pytest.mark.django_db
Kind = CatalogJob.Kind


@pytest.fixture(autouse=True)
def _no_eager(settings):
    """Jobs are handed to the broker (on commit, which a test's transaction never reaches): nothing runs."""
    from portal.celery import app

    app.conf.task_always_eager = False
    settings.TEAM_JOBS_IN_FLIGHT = 3


def _queue(user, count, start=0):
    jobs = []
    for index in range(start, start + count):
        job = _job_create(kind=Kind.PRODUCT, target=str(700000 + index), user=user, team=user.current_team,
                          credential=None, total=1)  # fmt: skip
        job_dispatch(job)
        jobs.append(job)
    return jobs


def _waiting(user):
    return [j.target for j in CatalogJob.objects.filter(team=user.current_team).order_by("pk") if j.is_waiting_for_team]


def test_a_teams_backlog_waits_in_line_and_another_team_goes_straight_to_a_worker(alice, carol):
    # when Acme queues 5 fetches, then Globex one
    acme = _queue(alice, 5)
    globex = _queue(carol, 1, start=50)
    # then 3 of Acme's have workers and 2 wait; Globex's goes straight to a worker
    assert [j.dispatched_at is not None for j in acme] == [True, True, True, False, False]
    assert _waiting(alice) == ["700003", "700004"]
    assert globex[0].dispatched_at is not None and not _waiting(carol)
    # and the page says why Acme's 4th waits
    html = render_to_string("sourcing/catalog/_job.html", {"job": acme[3], "poll_url": "/x"})
    assert "Waiting for your team’s earlier 1688 fetches to finish" in html


def test_each_job_that_ends_hands_on_the_next_in_line(alice):
    acme = _queue(alice, 5)
    # when a worker finishes one of the three in flight (or refuses it)
    catalog_jobs._run(acme[0].pk, lambda job: job_finish(job, ok=True, message="Fetched from 1688."))
    # then the oldest waiting one goes to a worker
    assert _waiting(alice) == ["700004"]
    catalog_jobs.job_give_up(job_id=acme[1].pk, error=catalog_jobs.errors.ServerError(code="isp.timeout"))
    assert _waiting(alice) == []


def test_the_beat_hands_on_jobs_stuck_behind_a_dead_workers(alice):
    acme = _queue(alice, 4)
    assert _waiting(alice) == ["700003"]
    # the three in flight died with their worker: running, never finished, now older than the stale limit
    long_ago = timezone.now() - timezone.timedelta(seconds=3600)
    CatalogJob.objects.filter(pk__in=[j.pk for j in acme[:3]]).update(state="running", created_at=long_ago)
    assert catalog_jobs.jobs_dispatch_all() == 1
    assert _waiting(alice) == []
