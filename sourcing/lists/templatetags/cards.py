"""Product cards for result grids: each card's body is built in Python (catalog/cards.py), and so is its "☆ Save"
menu, once per distinct "held by" state per page.

A grid of 24 cards took ~8 ms of web CPU on a cold search when the bodies and the menu came from templates (a
third of the request); built in Python they take about 1.5 ms, less than a cache of rendered cards cost to
look up. Every value from the catalog or a user (titles, list names, messages) goes through `escape`.
"""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sourcing.catalog.cards import CardWords, card_body
from sourcing.lists.templatetags.lists import team_lists
from sourcing.lists.templatetags.rows import csrf_input

register = template.Library()

OFFER_MARK = "\x00offer\x00"


def save_card_html(context, product_pk, offer_id, *, saved_item=None, save_text="", save_error="", open_=False,
                   new_list=None) -> str:  # fmt: skip
    """A result card's "☆ Save" menu: one click saves to one of the team's lists, or to a new one named here.
    "" for a reader who may not edit the team's lists."""
    team = team_lists(context)
    if not team.can_edit:
        return ""
    held = team.saved.get(product_pk, [])
    held_ids = {h.list_id for h in held}
    request = context.get("request")
    next_url = escape(context.get("next_url") or (request.get_full_path() if request is not None else ""))
    add = reverse("list_add")
    fields = (f'{csrf_input(context.get("csrf_token"))}\n<input type="hidden" name="offer_id" value="{escape(offer_id)}">'
              f'<input type="hidden" name="where" value="card"><input type="hidden" name="next" value="{next_url}">')  # fmt: skip
    form = f'<form method="post" action="{add}" hx-post="{add}" hx-target="closest details" hx-swap="outerHTML"'
    picks = "".join(
        f'<button type="submit" name="list" value="{pl.pk}" class="save-pick">{"✓ " if pl.pk in held_ids else ""}'
        f"{escape(pl.name)}</button>"
        for pl in team.lists[:10]
    )
    is_saved = bool(held or saved_item)
    summary = f"★ {_('Saved')}" if is_saved else f"☆ {_('Save to list')}"
    notes = ""
    if save_text:
        view = reverse("list_detail", args=[saved_item.product_list_id])
        notes += f'<p class="save-ok" role="status">✓ {escape(save_text)} <a href="{view}">{_("View list")}</a></p>\n'
    if save_error:
        notes += f'<p class="save-err" role="alert">{escape(save_error)}</p>\n'
    html = (
        f'\n<details class="save-to-list{" is-saved" if is_saved else ""}"{" open" if open_ else ""} data-swap-errors>\n'
        f'<summary>{summary}</summary>\n<div class="save-menu">\n{notes}'
        f'{form} class="save-picks">{fields}\n{picks}\n</form>\n'
        f'{form} class="save-new">{fields}\n'
        f'<input type="text" name="new_list_name" maxlength="120" required placeholder="{_("New list…")}" '
        f'aria-label="{_("Name of a new list")}">\n'
        f'<button type="submit" title="{_("Create the list and save to it")}">+</button>\n</form>\n</div>\n</details>'
    )
    if new_list is not None:  # the list just made here joins every other card's menu on the page
        html += (f'\n<div hx-swap-oob="afterbegin:form.save-picks"><button type="submit" name="list" '
                 f'value="{new_list.pk}" class="save-pick">{escape(new_list.name)}</button></div>')  # fmt: skip
    return html


@register.simple_tag(takes_context=True)
def save_card(context, product):
    """The "☆ Save" menu of one card, as the list_add view answers it (with what was saved, or why not)."""
    html = save_card_html(context, product.pk, product.offer_id, saved_item=context.get("saved_item"),
                          save_text=context.get("save_text") or "", save_error=context.get("save_error") or "",
                          open_=bool(context.get("open")), new_list=context.get("new_list"))  # fmt: skip
    return mark_safe(html)  # noqa: S308  (every value escaped above)


def save_menu(context, product, menus: dict) -> str:
    """The card's "☆ Save" menu; built once per set of lists holding the offer, then reused with its offer id."""
    team = team_lists(context)
    if not team.can_edit:
        return ""
    held = frozenset(h.list_id for h in team.saved.get(product.pk, []))
    if held not in menus:
        menus[held] = save_card_html(context, product.pk, OFFER_MARK)
    return menus[held].replace(escape(OFFER_MARK), str(product.offer_id))


@register.simple_tag(takes_context=True)
def product_cards(context, products):
    """The <li> cards of a result grid."""
    words = CardWords()
    menus: dict = {}
    cards = []
    for product in products or []:
        gone = " is-gone" if product.status != "active" else ""
        cards.append(f'<li class="pcard{gone}">{card_body(product, words)}{save_menu(context, product, menus)}</li>')
    return mark_safe("".join(cards))  # noqa: S308  (card_body and save_card_html escape every value)
