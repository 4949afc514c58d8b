"""Gateway work a person asks for from a page, run by a worker with progress the page polls.

Kinds: a connection test, a permission check, the check of a new credential's App Key and secret, and
the check of a replacement secret (which becomes the stored one only if 1688 accepts it).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.accounts.models import Membership, User
from sourcing.alibaba import errors
from sourcing.alibaba.api import PORTAL_APIS
from sourcing.connections.models import AppCredential, ConnectionCheck
from sourcing.connections.selectors import credentials_visible_to
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.credentials import secret_replace
from sourcing.connections.services.gateway import client_for
from sourcing.core.enqueue import enqueue

Kind, State = ConnectionCheck.Kind, ConnectionCheck.State
OWNER_ONLY = (Kind.CREDENTIAL, Kind.SECRET)
STALE_AFTER = timedelta(minutes=10)  # a check a worker never finished no longer blocks a new one


class CheckRefused(Exception):
    """The user may not start this check; the message says why."""


def may_spend_quota(user: User, credential: AppCredential) -> bool:
    """Owners may; teammates who are buyers or above in the team the credential serves may; viewers may not."""
    if credential.owner_id == user.pk:
        return True
    if credential.owner_id is None:  # the site default serves everyone with a team
        team_id = user.current_team_id
    else:
        team_id = credential.shared_with_team_id
    return Membership.objects.filter(user_id=user.pk, team_id=team_id).exclude(role=Membership.Role.VIEWER).exists()


def check_start(*, credential: AppCredential, user: User | None, kind: str, new_secret: str = "") -> ConnectionCheck:
    """Queue a check, or return the one of the same kind already queued or running for the credential."""
    if user is not None and not may_spend_quota(user, credential):
        raise CheckRefused(_("Viewers can't start checks: each one spends the app's daily quota. Ask a buyer or "
                             "the credential's owner."))  # fmt: skip
    if user is not None and kind in OWNER_ONLY and credential.owner_id not in (None, user.pk):
        raise CheckRefused(_("Only the credential's owner can do this."))
    with transaction.atomic():
        # Lock the credential so that two clicks at once queue one check, not two.
        AppCredential.objects.select_for_update().filter(pk=credential.pk).first()
        running = ConnectionCheck.objects.filter(
            credential=credential, kind=kind, state__in=[State.QUEUED, State.RUNNING]
        )
        running.filter(created_at__lt=timezone.now() - STALE_AFTER).update(
            state=State.FAILED, summary=_("A worker did not finish this check."), finished_at=timezone.now(),
            candidate_secret_encrypted="",
        )  # fmt: skip
        if kind == Kind.SECRET:  # a newer secret replaces one still waiting for its check
            running.update(state=State.FAILED, summary=_("Replaced by a newer secret."), candidate_secret_encrypted="",
                           finished_at=timezone.now())  # fmt: skip
        else:
            existing = running.first()
            if existing:
                return existing
        check = ConnectionCheck(credential=credential, requested_by=user, kind=kind)
        if new_secret:
            check.candidate_secret = new_secret.strip()
        check.save()
    enqueue("check_run", check.pk)
    return check


def check_visible(check: ConnectionCheck, user: User) -> bool:
    return check.requested_by_id == user.pk or credentials_visible_to(user).filter(pk=check.credential_id).exists()


def _step(check: ConnectionCheck, name: str, ok: bool, detail: str, code: str = "") -> None:
    check.steps.append({"name": name, "ok": ok, "detail": detail[:300], **({"code": code} if code else {})})


def _save_progress(check: ConnectionCheck, done: int, total: int) -> None:
    check.progress = int(100 * done / total) if total else 100
    check.save(update_fields=["steps", "progress"])


def _finish(check: ConnectionCheck, *, ok: bool, summary: str) -> ConnectionCheck:
    check.state = State.PASSED if ok else State.FAILED
    check.progress, check.summary, check.finished_at = 100, summary[:500], timezone.now()
    check.candidate_secret_encrypted = ""
    check.save(update_fields=["state", "progress", "summary", "finished_at", "candidate_secret_encrypted", "steps"])
    return check


def key_and_secret_problem(error: errors.AlibabaError, app_key: str) -> str:
    """Plain words for an answer to a signed call that was made to check an App Key and secret."""
    if isinstance(error, errors.AppKeyInvalid | errors.AppKeyMissing):
        return _("1688 does not know App Key %(key)s. Check it in the 1688 console (应用管理 → 应用凭证); a new app "
                 "works only after 1688 approved it (审核中 → 已通过).") % {"key": app_key}  # fmt: skip
    if isinstance(error, errors.SignatureInvalid | errors.SignatureMissing):
        return _("The App Secret does not belong to App Key %(key)s (1688 rejected the signature). Copy the secret "
                 "again from the 1688 console (应用凭证 → App Secret → 显示), without spaces.") % {"key": app_key}  # fmt: skip
    if isinstance(error, errors.TransientError):
        return _("1688 did not answer properly (%(code)s). Nothing was changed; try again in a minute.") % {
            "code": error.code or type(error).__name__}  # fmt: skip
    return _("1688 refused the check (%(code)s): %(message)s") % {"code": error.code or type(error).__name__,
                                                                   "message": error.message[:150]}  # fmt: skip


def _signed_call(credential: AppCredential) -> None:
    client_for(credential, probe=True).server_time()  # signed: the gateway checks key and secret


def _run_credential(check: ConnectionCheck) -> ConnectionCheck:
    credential = check.credential
    name = _("App Key and secret")
    try:
        _signed_call(credential)
    except errors.AlibabaError as error:
        problem = key_and_secret_problem(error, credential.app_key)
        AppCredential.objects.filter(pk=credential.pk).update(verify_error=problem[:300])
        _step(check, name, False, problem, error.code or type(error).__name__)
        return _finish(check, ok=False, summary=problem)
    _step(check, name, True, _("1688 accepted a call signed with this App Key and secret."))
    return _finish(check, ok=True, summary=_("1688 confirmed the App Key and secret."))


def _run_secret(check: ConnectionCheck) -> ConnectionCheck:
    credential = check.credential
    candidate = AppCredential.objects.get(pk=credential.pk)
    candidate.set_secret(check.candidate_secret)
    name = _("New App Secret")
    try:
        _signed_call(candidate)
    except errors.AlibabaError as error:
        problem = key_and_secret_problem(error, credential.app_key)
        _step(check, name, False, problem + " " + _("The old secret stays in use."), error.code or type(error).__name__)
        return _finish(check, ok=False, summary=problem)
    secret_replace(credential=credential, new_secret=check.candidate_secret, user=check.requested_by)
    AppCredential.objects.filter(pk=credential.pk).update(verified_at=timezone.now(), verify_error="")
    _step(check, name, True, _("1688 accepted it; it replaced the old secret."))
    return _finish(check, ok=True, summary=_("1688 accepted the new secret; it replaced the old one."))


def _run_verify(check: ConnectionCheck) -> ConnectionCheck:
    from sourcing.connections.models import OAuthToken
    from sourcing.connections.services.permissions import permissions_verify

    credential = check.credential
    if not credential.is_verified:
        return _finish(check, ok=False, summary=_("1688 has not confirmed this App Key and secret yet: click “Check "
                                                  "App Key and secret” first."))  # fmt: skip
    if credential.owner_id and not OAuthToken.objects.filter(credential=credential).exists():
        return _finish(check, ok=False, summary=_("Connect a 1688 account first: most APIs can only be checked "
                                                  "with an access token."))  # fmt: skip
    names = {ref.id: ref.name for ref in PORTAL_APIS}
    labels = {"granted": _("granted"), "denied": _("not granted"), "unsupported": _("not offered to this app"),
              "unknown": _("no answer yet")}  # fmt: skip

    def progress(api: str, observed: str, done: int, total: int) -> None:
        _step(check, names.get(api, api), observed == "granted", labels.get(observed, observed))
        _save_progress(check, done, total)

    seen = permissions_verify(credential_id=check.credential_id, progress=progress)
    granted = sum(1 for observed in seen.values() if observed == "granted")
    return _finish(check, ok=True, summary=ngettext("%(granted)s of %(total)s API granted.", "%(granted)s of %(total)s APIs granted.", len(seen)) % {"granted": granted,
                                                                                          "total": len(seen)})  # fmt: skip


def check_run(*, check_id: int) -> ConnectionCheck:
    """Run a queued check (a second delivery of a finished one does nothing)."""
    check = ConnectionCheck.objects.select_related("credential", "requested_by").get(pk=check_id)
    if check.state in (State.PASSED, State.FAILED):
        return check
    check.state, check.steps = State.RUNNING, []
    check.save(update_fields=["state", "steps"])
    asker = check.requested_by
    with paying(Payer(team_id=asker.current_team_id, user_id=asker.pk) if asker else None):
        return _run_kind(check)


def _run_kind(check: ConnectionCheck) -> ConnectionCheck:
    from sourcing.connections.services.permissions import connection_check_run

    if check.kind == Kind.CREDENTIAL:
        return _run_credential(check)
    if check.kind == Kind.SECRET:
        return _run_secret(check)
    if check.kind == Kind.VERIFY:
        return _run_verify(check)
    return connection_check_run(check=check)


def check_give_up(*, check_id: int, error: errors.AlibabaError) -> None:
    """Mark a check failed after its task ran out of retries."""
    check = ConnectionCheck.objects.filter(pk=check_id).first()
    if check and check.is_running:
        _finish(check, ok=False, summary=_("1688 did not answer properly (%(code)s). Try again in a few minutes.")
                % {"code": error.code or type(error).__name__})  # fmt: skip
