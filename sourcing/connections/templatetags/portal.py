"""Template filters for plain words: errors without Java, times with their zone, who uses a credential."""

from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sourcing.connections.explain import explain_kind, explain_text, strip_java

register = template.Library()

# The portal's zone is Asia/Shanghai; "CST" alone also reads as US Central, so name the city.
BEIJING, HONG_KONG = gettext_noop("Beijing"), gettext_noop("Hong Kong")
ZONE_CITIES = {"Asia/Shanghai": BEIJING, "Asia/Chongqing": BEIJING, "PRC": BEIJING, "Asia/Hong_Kong": HONG_KONG}


def zone_label(value: datetime) -> str:
    """ "CST (Beijing)" for the portal's zone; the abbreviation and city of any other zone."""
    abbreviation = value.tzname() or ""
    name = timezone.get_current_timezone_name()
    city = (
        _(ZONE_CITIES[name])
        if name in ZONE_CITIES
        else (name.rsplit("/", 1)[-1].replace("_", " ") if "/" in name else "")
    )
    if not city or city == abbreviation:
        return abbreviation
    return f"{abbreviation} ({city})" if abbreviation else city


@register.filter
def stamp(value, fmt: str = "DATETIME_FORMAT"):
    """A date and time in the portal's zone, labelled with that zone: 2026-11-28 18:05 CST (Beijing).

    `fmt` is a format name (the language's: 2026年11月28日 18:05 CST (北京) in Chinese) or a date pattern. An ISO
    text (a moment kept in JSON, like a parcel's trace) is read first."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return value if value not in (None, "") else ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{formats.date_format(local, fmt)} {zone_label(local)}".strip()


@register.filter
def translated(text):
    """Words a worker stored in English (a check's summary, a step's name), in the reader's language when known."""
    return _(str(text)) if text else ""


@register.filter
def step_text(step, app_key=""):
    """A check step's outcome in the reader's language: a failure explained again from its code."""
    if not isinstance(step, dict):
        return ""
    if not step.get("ok") and step.get("kind"):
        return explain_kind(str(step["kind"]), app_key=str(app_key or ""), api=str(step.get("api") or "")).sentence
    detail = _(str(step.get("detail") or ""))
    args = step.get("args")
    return strip_java(detail % args if isinstance(args, dict) else detail)


@register.filter
def no_java(text):
    """The text without Java exception class names."""
    return strip_java(text)


@register.filter
def plain_error(text, app_key=""):
    """A stored error text ("code: message [api]") explained; prints as one sentence with what to do."""
    if not text:
        return ""
    return explain_text(str(text), app_key=str(app_key or ""))


@register.simple_tag
def teammates_using(credential):
    """Usernames of the teammates the credential is shared with (its owner left out)."""
    team = getattr(credential, "shared_with_team", None)
    if team is None or not team.memberships.filter(user_id=credential.owner_id).exists():
        return []  # a share ends when its owner leaves the team
    return list(
        team.memberships.exclude(user_id=credential.owner_id)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )


@register.filter
def api_name(api_id):
    """The short name of an API id: com.alibaba.product:alibaba.category.get-1 → alibaba.category.get."""
    text = str(api_id or "")
    name = text.rsplit(":", 1)[-1]
    return name.rsplit("-", 1)[0] if name.rsplit("-", 1)[-1].isdigit() else name


@register.filter
def permission_label(value):
    """The label of a permission state or observation value ("under_review" → "Under review (审核中)")."""
    from sourcing.connections.models import ApiPermission

    for choices in (ApiPermission.Status, ApiPermission.Observed):
        if value in choices.values:
            return choices(value).label
    return value


# The navigation's links: the same for every reader of a language (but the staff's Admin link), so they are
# built once per process for each (language, script prefix, section, staff) instead of reversing nine URLs and
# translating nine words on every page.
NAV_SECTIONS = (("search", "/products/", gettext_noop("Search")), ("categories", "/categories/", gettext_noop("Categories")),
                ("suppliers", "/suppliers/", gettext_noop("Suppliers")), ("lists", "/lists/", gettext_noop("Lists")),
                ("inquiries", "/inquiries/", gettext_noop("Inquiries")), ("orders", "/orders/", gettext_noop("Orders")),
                ("alerts", "/alerts/", gettext_noop("Alerts")))  # fmt: skip
_nav_html: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def nav_links(context):
    """The navigation's page links, the current section marked (aria-current), and the Admin link for staff."""
    from django.urls import get_script_prefix, reverse
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    path = context["request"].path
    section = next((name for name, start, _word in NAV_SECTIONS if path.startswith(start)), "")
    user = context.get("user")
    key = (get_language(), get_script_prefix(), section, bool(user and user.is_staff))
    built = _nav_html.get(key)
    if built is None:
        links = [format_html('<a href="{}"{}>{}</a>', reverse(name), mark_safe(' aria-current="page"') if name == section
                             else "", _(word)) for name, _start, word in NAV_SECTIONS]  # fmt: skip
        links += [format_html('<a href="{}">{}</a>', reverse("connection_list"), _("Connections")),
                  format_html('<a href="{}">{}</a>', reverse("api_status"), _("API status"))]  # fmt: skip
        if key[3]:
            links.append(format_html('<a href="{}">{}</a>', reverse("admin:index"), _("Admin")))
        built = _nav_html[key] = mark_safe("\n    ".join(links))  # noqa: S308 - every part is format_html's
    return built
