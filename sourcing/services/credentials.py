"""Adding and changing 1688 app credentials; revealing and replacing their secrets."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from sourcing.alibaba import errors
from sourcing.alibaba.api import PORTAL_APIS
from sourcing.models import ApiPermission, AppCredential, SecretAudit, User

from .gateway import client_for

EDITABLE = ["name", "account_type", "gateway", "callback_url", "daily_quota", "qps", "shared_with_team", "status"]


class CredentialError(Exception):
    """A refused change; the message is for the user."""


def credential_create(*, owner: User, app_key: str, app_secret: str, **fields) -> AppCredential:
    """Add a credential with a permission row for every API the portal uses."""
    app_key, app_secret = app_key.strip(), app_secret.strip()
    if AppCredential.objects.filter(owner=owner, app_key=app_key).exists():
        raise CredentialError(_("You already have a credential for App Key %(key)s.") % {"key": app_key})
    with transaction.atomic():
        credential = AppCredential(owner=owner, app_key=app_key, **{k: v for k, v in fields.items() if k in EDITABLE})
        credential.app_secret = app_secret
        credential.save()
        ApiPermission.objects.bulk_create([ApiPermission(credential=credential, api=ref.id) for ref in PORTAL_APIS])
    return credential


def credential_update(*, credential: AppCredential, **fields) -> AppCredential:
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(credential, name, value)
    credential.save()
    return credential


def secret_reveal(*, credential: AppCredential, user: User, password: str, ip: str | None) -> str:
    """The App Secret, once, after the user proves who they are; every attempt is audit-logged."""
    if not user.check_password(password):
        SecretAudit.objects.create(credential=credential, user=user, action=SecretAudit.Action.REVEAL_DENIED, ip=ip)
        raise CredentialError(_("That password is not right. The secret stays hidden."))
    SecretAudit.objects.create(credential=credential, user=user, action=SecretAudit.Action.REVEAL, ip=ip)
    return credential.app_secret


def secret_reset(*, credential: AppCredential, new_secret: str, user: User, ip: str | None) -> AppCredential:
    """Check a new App Secret with a signed test call, then make it the stored one."""
    new_secret = new_secret.strip()
    if len(new_secret) < 6:
        raise CredentialError(_("Paste the whole App Secret from the 1688 console (应用凭证 → App Secret)."))
    candidate = AppCredential.objects.get(pk=credential.pk)
    candidate.app_secret = new_secret
    try:
        client_for(candidate).server_time()  # signed: the gateway checks the secret
    except (errors.SignatureInvalid, errors.SignatureMissing):
        raise CredentialError(
            _(
                "1688 rejected the signature made with this secret: it does not belong to App Key "
                "%(key)s. Copy it again from the 1688 console."
            )
            % {"key": credential.app_key}
        ) from None
    except errors.AppKeyInvalid:
        raise CredentialError(_("1688 does not know App Key %(key)s.") % {"key": credential.app_key}) from None
    except errors.AlibabaError as error:
        raise CredentialError(_("The secret could not be checked (%(error)s). Nothing was changed; try again.")
                              % {"error": error.code or type(error).__name__}) from None  # fmt: skip
    with transaction.atomic():
        candidate.save(update_fields=["app_secret_encrypted", "updated_at"])
        SecretAudit.objects.create(credential=credential, user=user, action=SecretAudit.Action.RESET, ip=ip)
    return candidate


def site_default_credential() -> AppCredential | None:
    """The site-wide credential from ALIBABA_APP_KEY / ALIBABA_APP_SECRET, kept as a row for usage records."""
    if not (settings.ALIBABA_APP_KEY and settings.ALIBABA_APP_SECRET):
        return None
    credential = AppCredential.objects.filter(owner__isnull=True, app_key=settings.ALIBABA_APP_KEY).first()
    if credential is None:
        live = settings.ALIBABA_API_URL.startswith(settings.ALIBABA_LIVE_API_URL)
        credential = AppCredential(
            owner=None, name=_("Site default"), app_key=settings.ALIBABA_APP_KEY,
            gateway=AppCredential.Gateway.LIVE if live else AppCredential.Gateway.SANDBOX,
        )  # fmt: skip
        credential.app_secret = settings.ALIBABA_APP_SECRET
        credential.save()
        ApiPermission.objects.bulk_create([ApiPermission(credential=credential, api=ref.id) for ref in PORTAL_APIS])
    elif credential.app_secret != settings.ALIBABA_APP_SECRET:
        credential.app_secret = settings.ALIBABA_APP_SECRET
        credential.save(update_fields=["app_secret_encrypted"])
    return credential
