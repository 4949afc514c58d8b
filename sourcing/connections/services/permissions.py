"""API permission tracking: console states set by people, and probes that ask 1688 itself."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from sourcing.accounts.models import User
from sourcing.alibaba import errors
from sourcing.alibaba.api import KEYWORD_SEARCH, PORTAL_APIS
from sourcing.connections.explain import error_kind, explain_error
from sourcing.connections.models import ApiPermission, ApiPermissionChange, AppCredential, ConnectionCheck
from sourcing.connections.services.gateway import credential_mark_verified, gateway_call

Status = ApiPermission.Status
CLOCK_OFFSET = gettext_noop("gateway reached; clock offset %(offset)s s")


def permission_set_status(
    *, permission: ApiPermission, status: str, user: User | None, reason: str = ""
) -> ApiPermission:
    """Record a new console state (pending, under review, approved, rejected) with its history."""
    if status not in Status.values:
        raise ValueError(f"unknown permission status {status!r}")
    with transaction.atomic():
        old = permission.status
        permission.status = status
        now = timezone.now()
        if status == Status.PENDING and not permission.requested_at:
            permission.requested_at = now
        if status in (Status.APPROVED, Status.REJECTED):
            permission.decided_at = now
        if reason:
            permission.reason = reason[:300]
        permission.save()
        if old != status:
            ApiPermissionChange.objects.create(
                permission=permission, field="status", old=old, new=status, reason=reason[:300], changed_by=user
            )
    return permission


def permissions_verify(*, credential_id: int, progress=None) -> dict[str, str]:
    """Probe every API the portal uses without business parameters (spec §9); returns api → observed.

    Transient failures (timeouts, 5xx, frequency limits) propagate, so the task's retry policy runs.
    `progress(api, observed, done, total)` is called after each API.
    """
    credential = AppCredential.objects.get(pk=credential_id)
    seen = {}
    for done, ref in enumerate(PORTAL_APIS, start=1):

        def probe(client, access, ref=ref):
            return client.call(ref.namespace, ref.name, access_token=access if ref.needs_token else None)

        try:
            gateway_call(credential=credential, fn=probe, needs_token=ref.needs_token, probe=True)
        except (errors.ParamMissing, errors.BusinessError, errors.AclDeclined, errors.ApiUnsupported):
            pass  # each of these answers says something; the recorder has written it down
        except errors.TransientError:
            raise
        except errors.AlibabaError:
            pass  # no verdict (token, quota, not verified): the permission keeps what it had
        permission = ApiPermission.objects.get(credential=credential, api=ref.id)
        seen[ref.id] = permission.observed
        if progress:
            progress(ref.id, permission.observed, done, len(PORTAL_APIS))
    return seen


def connection_check_run(*, check: ConnectionCheck) -> ConnectionCheck:
    """Test a credential step by step (the check is already claimed), saving progress for the page to show."""
    credential = check.credential

    # Each step uses the probe client gateway_call hands it: a probe is never refused locally for an API
    # observed as denied, so the token step can tell a good token from a bad one whatever the grants.
    def server_clock(client, _access):
        offset = client.sync_clock()
        return {"detail": CLOCK_OFFSET, "args": {"offset": f"{offset / 1000:+.1f}"}}

    def signed_call(client, _access):
        client.call("com.alibaba.product", "alibaba.category.get", {"categoryID": 0})
        return gettext_noop("signature accepted (App Key and App Secret match)")

    def token_call(client, access):
        # A probe without parameters: the gateway checks the token before the grant and the grant
        # before the parameters (spec §5.7, §6.4), so either answer below proves the token is good.
        try:
            client.call(KEYWORD_SEARCH.namespace, KEYWORD_SEARCH.name, access_token=access)
        except errors.ParamMissing:
            return gettext_noop("access token accepted")
        except errors.AclDeclined:
            return gettext_noop("access token accepted (keyword search itself is not granted yet)")
        return gettext_noop("access token accepted")

    # Steps are stored in English (a worker has no reader) and translated when shown: `step_text`.
    steps = [(gettext_noop("Reach the gateway"), server_clock, False),
             (gettext_noop("Check the signature"), signed_call, False),
             (gettext_noop("Use the access token"), token_call, True)]  # fmt: skip
    failed = False
    for index, (name, fn, needs_token) in enumerate(steps, start=1):
        try:
            detail = gateway_call(credential=credential, fn=fn, needs_token=needs_token, probe=True)
            if isinstance(detail, dict):  # words with a value: kept apart, so they translate when shown
                check.steps.append({"name": name, "ok": True, **detail})
            else:
                check.steps.append({"name": name, "ok": True, "detail": detail})
        except errors.AlibabaError as error:
            check.steps.append(
                {
                    "name": name,
                    "ok": False,
                    "detail": explain_error(error, app_key=credential.app_key).sentence[:300],
                    "code": error.code or type(error).__name__,
                    "kind": error_kind(error),  # to explain it again in the reader's language
                    "api": error.api or "",
                }
            )
            failed = True
        check.progress = int(100 * index / len(steps))
        check.save(update_fields=["steps", "progress"])
        if failed:
            break
    check.state = ConnectionCheck.State.FAILED if failed else ConnectionCheck.State.PASSED
    check.progress = 100
    check.finished_at = timezone.now()
    check.save(update_fields=["state", "progress", "finished_at"])
    if not failed:
        credential_mark_verified(credential=credential)
    return check
