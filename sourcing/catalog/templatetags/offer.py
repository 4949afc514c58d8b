"""Template helpers for the whole offer: the description and links from 1688, treated as untrusted when shown."""

from django import template
from django.utils.safestring import mark_safe

from sourcing.catalog.offer_content import clean_description, description_images, media_url

register = template.Library()


@register.filter
def offer_description(html):
    """The stored description cleaned once more (it was cleaned when written; a row edited by hand isn't)."""
    return mark_safe(clean_description(html))  # noqa: S308 - nh3 output: only allowed tags, attributes and URLs


@register.filter
def detail_image_count(html) -> int:
    return len(description_images(clean_description(html)))


@register.filter
def offer_link(url) -> str:
    """A link from 1688 (a video) as an http(s) URL, or "" so the template shows none."""
    return media_url(url)
