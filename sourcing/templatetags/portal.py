"""Template filters for plain words: errors without Java, times with their zone, who uses a credential."""

from datetime import datetime

from django import template
from django.utils import dateformat, timezone

from sourcing.explain import explain_text, strip_java

register = template.Library()

# The portal's zone is Asia/Shanghai; "CST" alone also reads as US Central, so name the city.
ZONE_CITIES = {"Asia/Shanghai": "Beijing", "Asia/Chongqing": "Beijing", "PRC": "Beijing", "Asia/Hong_Kong": "Hong Kong"}


def zone_label(value: datetime) -> str:
    """ "CST (Beijing)" for the portal's zone; the abbreviation and city of any other zone."""
    abbreviation = value.tzname() or ""
    name = timezone.get_current_timezone_name()
    city = ZONE_CITIES.get(name) or (name.rsplit("/", 1)[-1].replace("_", " ") if "/" in name else "")
    if not city or city == abbreviation:
        return abbreviation
    return f"{abbreviation} ({city})" if abbreviation else city


@register.filter
def stamp(value, fmt: str = "Y-m-d H:i"):
    """A date and time in the portal's zone, labelled with that zone: 2026-11-28 18:05 CST (Beijing)."""
    if not isinstance(value, datetime):
        return value if value not in (None, "") else ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{dateformat.format(local, fmt)} {zone_label(local)}".strip()


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
    from sourcing.models import ApiPermission

    for choices in (ApiPermission.Status, ApiPermission.Observed):
        if value in choices.values:
            return choices(value).label
    return value
