"""Plain-words explanations of 1688 errors, with what to do (the registration guide's troubleshooting)."""

from django.utils.translation import gettext_lazy as _

# error code or exception name → (title, what to do)
EXPLANATIONS = {
    "401": (_("Access token invalid"), _("The 1688 authorisation expired or was withdrawn. Open Connections and click "
                                         "“Connect 1688 account” to authorise again.")),
    "TokenInvalid": (_("Access token invalid"), _("Open Connections and connect the 1688 account again.")),
    "gw.APIACLDecline": (_("API permission denied"), _("This app has no permission for the API yet. In the 1688 console "
                                                       "open API权限, apply for it (1-3 business days), then click "
                                                       "“Verify permissions”.")),
    "gw.SignatureInvalid": (_("Signature verification failed"), _("The App Secret does not match the App Key. Copy it "
                                                                  "again from the 1688 console (no spaces, no quotes) "
                                                                  "and use “Reset secret”.")),
    "gw.SignatureMissing": (_("Signature missing"), _("The request was not signed; this is a portal bug, please report it.")),
    "AppKeyInvalid": (_("App Key not recognised"), _("Check the App Key in the 1688 console (应用凭证). A new app only "
                                                     "works once 1688 has approved it (审核中 → 已通过).")),
    "gw.AppKeyMissing": (_("App Key missing"), _("Enter the App Key on the credential.")),
    "gw.APIUnsupported": (_("API not found"), _("1688 does not offer this API to your app.")),
    "TimestampInvalid": (_("Clock difference too large"), _("The server clock differs from 1688's; the portal corrects it "
                                                            "automatically, so if this repeats, check the server's time.")),
    "gw.QosAppFrequencyLimit": (_("Too many calls per second"), _("The portal slowed down and retried. If it repeats, "
                                                                  "lower the calls-per-second setting of the credential.")),
    "gw.QosAppDailyLimit": (_("1688 daily limit reached"), _("1688 stopped the app for today. Calls resume after midnight "
                                                             "Beijing time; ask 1688 for a larger package if it recurs.")),
    "local.QuotaExhausted": (_("Daily quota used up"), _("The portal stopped calling before 1688 would. It resets at "
                                                         "midnight Beijing time; raise the quota on the credential if "
                                                         "1688 granted more.")),
    "local.FeatureDisabled": (_("Feature switched off"), _("The API is not granted to this app, so the portal does not "
                                                           "call it. Apply for the permission, then verify permissions.")),
    "local.NotConnected": (_("No 1688 account connected"), _("Click “Connect 1688 account” on the credential.")),
    "InvalidGrant": (_("Authorisation code or refresh token rejected"), _("Connect the 1688 account again.")),
    "InvalidClient": (_("App Key or App Secret rejected"), _("Check both in the 1688 console and reset the secret.")),
    "GatewayTimeout": (_("1688 did not answer in time"), _("Usually temporary: the portal retries by itself.")),
    "ConnectionFailed": (_("Could not reach 1688"), _("Check the server's network and ALIBABA_API_URL.")),
    "ServerError": (_("1688 had an internal error"), _("Temporary: the portal retries by itself.")),
    "MalformedResponse": (_("Unreadable answer from 1688"), _("Temporary: the portal retries by itself.")),
}  # fmt: skip


def explain(code: str) -> tuple[str, str]:
    """Title and advice for an error code (gateway code or exception name)."""
    if code in EXPLANATIONS:
        return EXPLANATIONS[code]
    if code.startswith("gw.Qos"):
        return EXPLANATIONS["gw.QosAppFrequencyLimit"]
    return _("1688 answered with an error"), _("See the code and message; if it repeats, check the 1688 console.")
