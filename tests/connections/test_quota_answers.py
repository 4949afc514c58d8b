"""1688's quota answers (gw.NoUsageLeftError, daily-limit gw.Qos* codes): a typed error in plain words, and the
app's calls stopped locally until the 1688 day turns."""

from datetime import timedelta

import pytest

from sandbox.models import SandboxUsage
from sourcing.alibaba import api, errors
from sourcing.catalog.models import CatalogJob
from sourcing.catalog.services import fetch as catalog_services
from sourcing.connections.explain import explain, explain_error
from sourcing.connections.models import ApiCallLog, UsageExhaustion
from sourcing.connections.services import usage
from sourcing.connections.services.gateway import gateway_call

NO_USAGE = {"error_code": "gw.NoUsageLeftError", "error_message": "SLA bill has no usage left", "exception": "x"}


def _search(credential):
    return gateway_call(credential=credential, fn=lambda c, t: api.keyword_search(c, t, "杯"))


def test_the_live_no_usage_answer_is_a_quota_error_with_plain_advice():
    # when the client reads 1688's live answer
    error = errors.error_from_answer(400, NO_USAGE, api=api.KEYWORD_SEARCH.id)
    # then it is the typed quota error, not "an error the portal does not recognise", and no retry helps
    assert isinstance(error, errors.NoUsageLeft) and isinstance(error, errors.DailyQuotaExceeded)
    assert not error.retryable and error.code == "gw.NoUsageLeftError"
    words = explain_error(error, app_key="30051688")
    assert words.title == "1688 says App Key 30051688 has no calls left on its API package"
    assert words.advice.startswith("Renew or buy the API package on open.1688.com.")
    assert "does not recognise" not in words.sentence
    # and a stored call-log row of it reads the same
    assert explain("gw.NoUsageLeftError", "SLA bill has no usage left").title.startswith("1688 says")
    # the other quota codes are quota errors too; frequency codes stay retryable
    assert type(errors.error_from_answer(400, {"error_code": "gw.QosAppDailyLimit"})) is errors.DailyQuotaExceeded
    assert errors.error_from_answer(400, {"error_code": "gw.QosAppFrequencyLimit"}).retryable


@pytest.mark.django_db(transaction=True)
def test_no_usage_left_stops_the_apps_calls_until_the_beijing_day_turns(client, connected, portal_sandbox,
                                                                        monkeypatch):  # fmt: skip
    # given the sandbox answers every metered call of the app with gw.NoUsageLeftError
    portal_sandbox.fault_no_usage = 1
    portal_sandbox.save()
    # when a search is sent over HTTP
    with pytest.raises(errors.NoUsageLeft):
        _search(connected)
    # then the app is marked out of calls for today, until the next midnight in Beijing
    mark = UsageExhaustion.objects.get()
    assert (mark.app, mark.day, mark.code) == (connected.app_identity, usage.beijing_today(), "gw.NoUsageLeftError")
    assert mark.resets_at == usage.next_beijing_midnight()
    assert ApiCallLog.objects.filter(error_code="gw.NoUsageLeftError", outcome="error").count() == 1

    # when 1688 would answer again (the fault is gone), a second attempt is still refused without an HTTP call
    portal_sandbox.fault_no_usage = 0
    portal_sandbox.save()
    received = SandboxUsage.objects.get().calls
    with pytest.raises(usage.UsageExhausted, match="no calls left") as caught:
        _search(connected)
    assert caught.value.code == "local.UsageExhausted" and "open.1688.com" in str(caught.value)
    assert SandboxUsage.objects.get().calls == received  # the gateway got nothing
    assert ApiCallLog.objects.filter(error_code="gw.NoUsageLeftError").count() == 1
    # a worker's job fails at once, in plain words, without calling
    client.force_login(connected.owner)
    started = catalog_services.search_fetch_start(user=connected.owner, query="保温杯")
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert job.state == CatalogJob.State.FAILED and "renew or buy the API package" in job.message
    assert SandboxUsage.objects.get().calls == received

    # the status page says so, with when calls resume
    page = client.get("/api-status/").content.decode()
    assert "No calls left on 1688 today" in page and "gw.NoUsageLeftError" in page
    assert "renew or buy the API package on open.1688.com" in page
    # and so does the admin, on the credential and on the exhaustion list
    connected.owner.is_staff = connected.owner.is_superuser = True
    connected.owner.save()
    assert "No calls left (gw.NoUsageLeftError)" in client.get("/admin/sourcing/appcredential/").content.decode()
    assert "gw.NoUsageLeftError" in client.get("/admin/sourcing/usageexhaustion/").content.decode()

    # when the 1688 day turns, the app's calls go out again
    tomorrow = usage.beijing_today() + timedelta(days=1)
    monkeypatch.setattr(usage, "beijing_today", lambda now=None: tomorrow)
    _search(connected)  # answered by the sandbox (an empty catalog here), no refusal
    assert SandboxUsage.objects.get().calls == received + 1
    assert "No calls left on 1688 today" not in client.get("/api-status/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_workers_hearing_it_at_once_write_one_mark(connected):
    # two answers of the same day for the same app: one row, the first one's
    usage.usage_mark_exhausted(credential=connected, api="a", code="gw.NoUsageLeftError")
    usage.usage_mark_exhausted(credential=connected, api="b", code="gw.QosAppDailyLimit")
    assert list(UsageExhaustion.objects.values_list("api", "code")) == [("a", "gw.NoUsageLeftError")]
    # and the admin's "resume now" (after renewing the package) lets calls go out the same day
    assert usage.usage_rearm(app=connected.app_identity) == 1
    assert usage.usage_exhaustion(connected) is None
