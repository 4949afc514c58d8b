"""Every API the portal calls is in the permission list (buying, sourcing depth, messages beside search): its probe
over real HTTP to the sandbox proves the grant without doing anything, a denial is refused locally, a new grant is
usable after "Verify permissions"."""

import importlib

import pytest
from django.apps import apps as django_apps

from sandbox.messages import emit_test
from sandbox.models import (
    SandboxFollow,
    SandboxMessage,
    SandboxNewtonTask,
    SandboxOffer,
    SandboxOrder,
    SandboxSubscription,
)
from sourcing.alibaba import api
from sourcing.connections.models import ApiCallLog, ApiPermission
from sourcing.connections.services.gateway import FeatureDisabled, gateway_call
from sourcing.connections.services.permissions import permissions_verify

pytestmark = pytest.mark.django_db(transaction=True)
NEW_GROUPS = ("buying", "depth", "messages")
NEW_APIS = [ref for group in NEW_GROUPS for ref in api.PORTAL_API_GROUPS[group]]


def _sandbox_state(app):
    """What a probe must not change on 1688: orders, inquiries, follows, and which messages are still owed."""
    return {
        "orders": list(SandboxOrder.objects.values_list("order_id", "status")),
        "inquiries": SandboxNewtonTask.objects.count(),
        "follows": SandboxFollow.objects.count(),
        "messages": sorted(SandboxMessage.objects.filter(app=app).values_list("msg_id", "state")),
    }


def test_the_list_holds_every_api_the_portal_calls_in_four_groups():
    assert list(api.PORTAL_API_GROUPS) == ["search", "buying", "depth", "messages"]
    ids = [ref.id for ref in api.PORTAL_APIS]
    assert len(ids) == len(set(ids)) == 26
    for ref in (api.CREATE_ORDER, api.ORDER_PREVIEW, api.CANCEL_ORDER, api.RELATED_RECOMMEND,
                api.NEWTON_TASK_CREATE, api.PUSH_QUERY, api.PRODUCT_FOLLOW):  # fmt: skip
        assert ref.id in ids
    assert api.PUSH_CURSOR.id not in ids  # reading it confirms: no safe probe, and the portal never calls it


def test_probes_of_the_new_apis_prove_the_grant_and_create_nothing(connected, portal_sandbox, catalog):
    SandboxSubscription.objects.create(app=portal_sandbox)  # no callback URL: messages wait in the list
    emit_test(portal_sandbox)  # a message still owed: a probe of push.message.confirm must not confirm it
    before = _sandbox_state(portal_sandbox)
    assert before["messages"] and all(state != "confirmed" for _id, state in before["messages"])
    seen = permissions_verify(credential_id=connected.pk)
    assert seen == {ref.id: "granted" for ref in api.PORTAL_APIS}
    assert _sandbox_state(portal_sandbox) == before  # no order, inquiry or follow made; no message confirmed
    # the sandbox checks the grant first and then the parameters, as live; the three read-only APIs with no
    # required parameter answer an empty list or "which task?" instead
    read_only = {api.ORDER_LIST, api.BATCH_INQUIRY_RESULT, api.PUSH_QUERY}
    for ref in NEW_APIS:
        codes = set(ApiCallLog.objects.filter(credential=connected, api=ref.id, probe=True).values_list("error_code",
                                                                                                        flat=True))  # fmt: skip
        assert codes and (ref in read_only or codes == {"gw.ParamMissing"}), ref.id  # (connecting verifies too)
        permission = ApiPermission.objects.get(credential=connected, api=ref.id)
        assert (permission.observed, permission.status) == ("granted", "approved")


def test_a_denied_api_is_refused_locally_and_usable_after_verify_once_granted(connected, portal_sandbox, catalog):
    denied = {api.CREATE_ORDER.id, api.PRODUCT_FOLLOW.id, api.NEWTON_TASK_CREATE.id}
    portal_sandbox.grant_all = False
    portal_sandbox.grants = [ref.id for ref in api.PORTAL_APIS if ref.id not in denied]
    portal_sandbox.save()
    seen = permissions_verify(credential_id=connected.pk)
    assert {i for i, observed in seen.items() if observed == "denied"} == denied
    offer = SandboxOffer.objects.order_by("offer_id").first().offer_id

    def follow():
        return gateway_call(credential=connected, fn=lambda c, t: api.product_follow(c, t, offer))

    sent = ApiCallLog.objects.exclude(outcome=ApiCallLog.Outcome.REFUSED).count()
    with pytest.raises(FeatureDisabled) as refused:
        follow()
    assert "Verify permissions" in str(refused.value)
    assert ApiCallLog.objects.exclude(outcome=ApiCallLog.Outcome.REFUSED).count() == sent  # nothing sent
    assert ApiCallLog.objects.filter(api=api.PRODUCT_FOLLOW.id, outcome=ApiCallLog.Outcome.REFUSED).count() == 1
    assert SandboxFollow.objects.count() == 0
    # 1688 grants it: still refused until the portal checks again (it remembers what it saw), usable after Verify
    portal_sandbox.grants += [api.PRODUCT_FOLLOW.id]
    portal_sandbox.save()
    with pytest.raises(FeatureDisabled):
        follow()
    assert permissions_verify(credential_id=connected.pk)[api.PRODUCT_FOLLOW.id] == "granted"
    follow()
    assert SandboxFollow.objects.filter(offer_id=offer).count() == 1
    still = ApiPermission.objects.get(credential=connected, api=api.CREATE_ORDER.id)
    assert still.observed == "denied" and not still.usable


def test_existing_credentials_get_the_new_rows_once(alice_credential):
    migration = importlib.import_module("sourcing.migrations.0028_permission_rows_for_every_api")
    assert set(migration.NEW_APIS) == {ref.id for ref in NEW_APIS}
    # a credential made before the change: only the first 11 rows, plus the related-offers row the door once made
    ApiPermission.objects.filter(credential=alice_credential, api__in=migration.NEW_APIS).exclude(
        api=api.RELATED_RECOMMEND.id
    ).delete()
    ApiPermission.objects.filter(credential=alice_credential, api=api.RELATED_RECOMMEND.id).update(observed="denied")
    migration.add_rows(django_apps, None)
    migration.add_rows(django_apps, None)  # run twice: no duplicate, no error
    rows = ApiPermission.objects.filter(credential=alice_credential)
    assert sorted(rows.values_list("api", flat=True)) == sorted(ref.id for ref in api.PORTAL_APIS)
    assert rows.get(api=api.RELATED_RECOMMEND.id).observed == "denied"  # what was seen is kept


def test_the_permission_table_shows_the_groups(client, connected):
    page = client.get(f"/connections/{connected.pk}/").content.decode()
    for title in ("Search and products", "Buying", "Sourcing depth", "Messages"):
        assert f'scope="rowgroup">{title}</th>' in page
    assert "alibaba.trade.createCrossOrder" in page and "push.message.confirm" in page
