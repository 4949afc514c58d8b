"""Adding, changing, handing over and deleting 1688 app credentials; revealing their secrets."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sourcing.accounts.models import User
from sourcing.alibaba.api import PORTAL_APIS
from sourcing.connections.models import ApiPermission, AppCredential, SecretAudit
from sourcing.core.nav import forget_nav
from sourcing.core.throttle import Throttled, throttle_check, throttle_clear, throttle_fail

EDITABLE = ["name", "account_type", "gateway", "callback_url", "daily_quota", "qps", "shared_with_team", "status"]


class CredentialError(Exception):
    """A refused change; the message is for the user."""


def _audit(credential: AppCredential | None, *, user: User | None, action: str, detail: str = "", ip=None,
           app_key: str = "") -> None:  # fmt: skip
    SecretAudit.objects.create(credential=credential, app_key=app_key or (credential.app_key if credential else ""),
                               user=user, action=action, detail=detail[:300], ip=ip)  # fmt: skip


def credential_create(*, owner: User | None, app_key: str, app_secret: str, user: User | None = None,
                      check: bool = True, **fields) -> AppCredential:  # fmt: skip
    """Add a credential with a permission row for every API the portal uses; a worker then checks key and secret."""
    from sourcing.connections.services.checks import CheckRefused, check_start

    app_key, app_secret = app_key.strip(), app_secret.strip()
    taken = CredentialError(_("You already have a credential for App Key %(key)s.") % {"key": app_key})
    if owner is not None and AppCredential.objects.filter(owner=owner, app_key=app_key).exists():
        raise taken
    try:
        with transaction.atomic():  # a savepoint when the caller holds a transaction
            credential = AppCredential(owner=owner, app_key=app_key,
                                       **{k: v for k, v in fields.items() if k in EDITABLE})  # fmt: skip
            credential.set_secret(app_secret)
            credential.save()
            ApiPermission.objects.bulk_create([ApiPermission(credential=credential, api=ref.id)
                                               for ref in PORTAL_APIS])  # fmt: skip
            _audit(credential, user=user or owner, action=SecretAudit.Action.CREATE)
    except IntegrityError:  # the same key added at once (a double click, two tabs): the first one stands
        if owner is not None and AppCredential.objects.filter(owner=owner, app_key=app_key).exists():
            raise taken from None
        raise
    credential.check_queued = False
    if check:
        try:
            check_start(credential=credential, user=user or owner, kind="credential")
            credential.check_queued = True
        except CheckRefused:
            pass  # an admin adding a credential for someone else may not spend its quota: its owner checks it
    return credential


def credential_update(*, credential: AppCredential, user: User | None, **fields) -> AppCredential:
    """Change the editable settings of a credential (never its key, secret or owner); audited."""
    changed = [name for name, value in fields.items() if name in EDITABLE and getattr(credential, name) != value]
    for name in changed:
        setattr(credential, name, fields[name])
    if changed:
        with transaction.atomic():
            credential.save()
            _audit(credential, user=user, action=SecretAudit.Action.UPDATE, detail=", ".join(changed))
    return credential


def credential_delete(*, credential: AppCredential, user: User | None, ip=None) -> None:
    """Delete a credential with its tokens, permissions and checks; the audit trail keeps its App Key."""
    with transaction.atomic():
        _audit(None, user=user, action=SecretAudit.Action.DELETE, detail=credential.name, ip=ip,
               app_key=credential.app_key)  # fmt: skip
        credential.delete()


def credential_set_owner(*, credential: AppCredential, new_owner: User, secret: str, user: User, ip=None) -> None:
    """Hand a credential to another user: superusers only, and only with its current App Secret (audited)."""
    if not user.is_superuser:
        raise CredentialError(_("Only a superuser can change the owner of a credential."))
    if secret.strip() != credential.app_secret:
        raise CredentialError(_("Enter the credential's current App Secret to hand it over: the new owner must "
                                "know it."))  # fmt: skip
    if AppCredential.objects.filter(owner=new_owner, app_key=credential.app_key).exclude(pk=credential.pk).exists():
        raise CredentialError(_("%(user)s already has a credential for App Key %(key)s.")
                              % {"user": new_owner.username, "key": credential.app_key})  # fmt: skip
    old = credential.owner.username if credential.owner else "-"
    forget_nav(credential.owner_id)  # the old owner's renew banner may name it (the save forgets the new owner's)
    with transaction.atomic():
        credential.owner = new_owner
        credential.shared_with_team = None  # a share was the old owner's decision
        credential.save(update_fields=["owner", "shared_with_team", "updated_at"])
        _audit(credential, user=user, action=SecretAudit.Action.OWNER, detail=f"{old} → {new_owner.username}", ip=ip)


class RevealLocked(CredentialError):
    """Too many wrong passwords for this user or from this address: Reveal waits."""


def secret_reveal(*, credential: AppCredential, user: User, password: str, ip: str | None) -> str:
    """The App Secret, once, to its owner after they prove who they are; every password check is audit-logged."""
    if credential.owner_id != user.pk:
        raise CredentialError(_("Only the credential's owner can reveal its secret."))
    keys = [f"reveal:user:{user.pk}"] + ([f"reveal:ip:{ip}"] if ip else [])
    try:
        throttle_check(keys=keys)  # locked out: the password is not even checked
    except Throttled as locked:
        raise RevealLocked(str(locked)) from None
    if not user.check_password(password):
        _audit(credential, user=user, action=SecretAudit.Action.REVEAL_DENIED, ip=ip)
        try:
            throttle_fail(keys=keys)
        except Throttled as locked:
            raise RevealLocked(_("That password is not right. %(locked)s") % {"locked": locked}) from None
        raise CredentialError(_("That password is not right. The secret stays hidden."))
    throttle_clear(keys=keys[:1])
    _audit(credential, user=user, action=SecretAudit.Action.REVEAL, ip=ip)
    return credential.app_secret


def secret_replace(*, credential: AppCredential, new_secret: str, user: User | None) -> AppCredential:
    """Make a secret that 1688 accepted the stored one (called by the worker after its check)."""
    with transaction.atomic():
        credential.set_secret(new_secret)
        credential.save(update_fields=["app_secret_encrypted", "secret_fingerprint", "verified_at", "updated_at"])
        _audit(credential, user=user, action=SecretAudit.Action.RESET)
    return credential


def site_default_sync() -> AppCredential | None:
    """Create or update the owner-less site default from ALIBABA_APP_KEY / ALIBABA_APP_SECRET (at migrate and
    worker start, never during a page view)."""
    if not (settings.ALIBABA_APP_KEY and settings.ALIBABA_APP_SECRET):
        return None
    live = settings.ALIBABA_API_URL.startswith(settings.ALIBABA_LIVE_API_URL)
    gateway = AppCredential.Gateway.LIVE if live else AppCredential.Gateway.SANDBOX
    with transaction.atomic():
        credential = AppCredential.objects.select_for_update().filter(owner__isnull=True).first()
        if credential is None:
            return credential_create(owner=None, app_key=settings.ALIBABA_APP_KEY, name=_("Site default"),
                                     app_secret=settings.ALIBABA_APP_SECRET, gateway=gateway, check=False)  # fmt: skip
        if credential.app_key != settings.ALIBABA_APP_KEY or credential.app_secret != settings.ALIBABA_APP_SECRET:
            credential.app_key = settings.ALIBABA_APP_KEY
            credential.set_secret(settings.ALIBABA_APP_SECRET)
            credential.gateway = gateway
            credential.save()
            _audit(credential, user=None, action=SecretAudit.Action.RESET, detail="from the server settings")
    return credential


def shares_end(sender=None, *, instance, **kwargs) -> None:
    """A membership ended (post_delete): a credential is shared with a team only while its owner belongs to it."""
    AppCredential.objects.filter(owner_id=instance.user_id, shared_with_team_id=instance.team_id).update(
        shared_with_team=None
    )
