"""Limits that hold across real processes, not only threads: the daily quota and the token refresh."""

import json
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.models import SandboxAccessToken, SandboxUsage
from sourcing.alibaba import api
from sourcing.connections.models import ApiCallLog, ApiUsage, OAuthToken
from tests.conftest import BASE_DIR

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSES = 4


def race(action: str, object_id: int, env: dict) -> list[dict]:
    """Run PROCESSES contenders that start at the same moment; returns what each did."""
    start_at = time.time() + 4  # time enough for every interpreter to load Django before the start
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.contenders", action, str(object_id), str(start_at)],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(PROCESSES)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_four_processes_spend_exactly_the_quota(connected, worker_env):
    # given a quota of 40 keyword searches today, one already spent by the permission probe after connecting
    quota = 40
    connected.daily_quota = quota
    connected.save()
    searches = ApiUsage.objects.filter(app=connected.app_identity, api=api.KEYWORD_SEARCH.id)
    assert searches.get().calls == 1
    at_sandbox = SandboxUsage.objects.get().calls
    # when four processes search as fast as they can until the portal refuses
    results = race("quota", connected.pk, worker_env)
    # then together they sent exactly what was left, and the gateway received exactly that many
    assert sum(r["sent"] for r in results) == quota - 1
    assert searches.get().calls == quota
    assert SandboxUsage.objects.get().calls - at_sandbox == quota - 1
    logged = ApiCallLog.objects.filter(api=api.KEYWORD_SEARCH.id)
    assert logged.exclude(outcome="refused").count() == quota
    assert logged.filter(outcome="refused").count() == sum(r["refused"] for r in results) == 3 * PROCESSES


def test_four_processes_refreshing_one_token_make_one_call(connected, worker_env):
    # given an access token that has just expired
    token = OAuthToken.objects.get(credential=connected)
    OAuthToken.objects.filter(pk=token.pk).update(access_expires_at=timezone.now() - timedelta(minutes=1))
    issued = SandboxAccessToken.objects.count()
    # when four processes refresh it at the same moment
    race("refresh", token.pk, worker_env)
    # then 1688 issued one new token, asked once, and the portal holds that one
    assert SandboxAccessToken.objects.count() == issued + 1
    assert ApiCallLog.objects.filter(api="system.oauth2:getToken-1").count() == 2  # connect + one refresh
    renewed = OAuthToken.objects.get(pk=token.pk)
    assert renewed.access_expires_at > timezone.now() + timedelta(hours=9)
    assert renewed.status == OAuthToken.Status.ACTIVE
