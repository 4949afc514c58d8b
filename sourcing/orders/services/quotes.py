"""Verified quotes: a list's items grouped by supplier, each group priced by 1688's order preview.

A person (buyer or above) asks for a quote of a list or of its ticked items; beat re-quotes the lists marked
"ordering" once per 1688 day. Either way a `QuoteRun` is queued and a worker runs it (`quote_run_execute`):
one `alibaba.createOrder.preview` per supplier group (at most 50 options each, 1688's limit for one order),
through the gateway's one door with the credential the team's calls use, its quota and rate limit. A group
whose address and lines are the same as a quote already made today reuses that quote (no call) unless the
person asked again (`forced`). Each group's quote and lines are written in one transaction, so a run that
stops half way leaves whole quotes only; a refusal (quota, permission, no connection) fails the run in plain
words, a transient error (timeout, 5xx, unreadable answer) sends the task back for a retry, which reuses the
groups already quoted. A quoted unit price that moves past the list's threshold raises an alert.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.accounts.models import Membership, User
from sourcing.alerts.services import team_notify
from sourcing.alibaba import api, errors
from sourcing.alibaba.api.trade_shapes import MAX_ORDER_OPTIONS, REASONS
from sourcing.catalog.models import Product, Sku
from sourcing.connections.explain import explain_error
from sourcing.connections.models import AppCredential, OAuthToken
from sourcing.connections.selectors import credentials_visible_in_team, site_default_credential
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.gateway import feature_refusal, gateway_call
from sourcing.core.beijing import beijing_today
from sourcing.core.enqueue import enqueue
from sourcing.lists.models import ListItem, ProductList
from sourcing.lists.selectors import item_quote
from sourcing.orders.models import Quote, QuoteLine, QuoteRun, QuoteWatch, ShipAddress
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden
from sourcing.orders.services.events import quote_drift_emit

State = QuoteRun.State
CENT = Decimal("0.01")


# --- which credential ---
def _connected(credential: AppCredential) -> bool:
    return (
        OAuthToken.objects.filter(credential=credential)
        .exclude(status__in=[OAuthToken.Status.REVOKED, OAuthToken.Status.NEEDS_REAUTH])
        .exists()
    )


def credential_for_team(user: User, team_id: int) -> tuple[AppCredential | None, str]:
    """The credential the user's 1688 calls for this team use (own → shared with the team → site default), or
    None and plain words saying what to set up."""
    membership = Membership.objects.filter(user_id=user.pk, team_id=team_id).first()
    if membership is None or not membership.can_edit:
        return None, _("Viewers can read the team's quotes but not ask 1688 for new ones (each one spends the "
                       "team's daily quota). Ask a buyer or the team's owner.")  # fmt: skip
    active = [c for c in credentials_visible_in_team(user, team_id) if c.status == AppCredential.Status.ACTIVE]
    own = [c for c in active if c.owner_id == user.pk]
    pool = own or active
    credential = min(pool, key=lambda c: (not _connected(c), c.name, c.pk)) if pool else site_default_credential()
    if credential is None:
        return None, _("No 1688 credential is set up: add one on the Connections page, or ask a teammate to share "
                       "theirs with the team.")  # fmt: skip
    if not credential.is_verified:
        return None, _("The App Key and secret of “%(name)s” have not been confirmed by 1688 yet. Open the "
                       "credential and run “Check App Key and secret”.") % {"name": credential.name}  # fmt: skip
    if credential.owner_id is not None and not _connected(credential):
        return None, _("No 1688 account is connected to “%(name)s”: order previews are made for a buyer's "
                       "account. Connect it on the Connections page.") % {"name": credential.name}  # fmt: skip
    refusal = feature_refusal(credential, api.ORDER_PREVIEW.id)
    if refusal:
        return None, refusal
    return credential, ""


# --- starting a run ---
def _items_to_quote(product_list: ProductList, item_ids) -> list[ListItem]:
    items = product_list.items.select_related("product__supplier", "sku").order_by("position", "pk")
    ids = [int(i) for i in (item_ids or [])]
    if ids:
        return list(items.filter(pk__in=ids))
    return list(items.exclude(status=ListItem.Status.REJECTED))


def _live_run(product_list: ProductList) -> QuoteRun | None:
    stale = timezone.now() - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    return (
        QuoteRun.objects.filter(
            product_list=product_list, state__in=[State.QUEUED, State.RUNNING], created_at__gte=stale
        )  # fmt: skip
        .order_by("-pk")
        .first()
    )


def quote_start(*, actor: User, product_list: ProductList, address: ShipAddress | None = None, item_ids=None,
                forced: bool = False, sample_item_id: int | None = None) -> QuoteRun:  # fmt: skip
    """Queue a quote of the list (or of these items of it) to the address (the team's default when None).

    With `sample_item_id`, the run previews ONE piece of that item's option (a sample run: 1688's sample price
    where the offer sells samples); its quote is a normal Quote, drafted into a sample order like any other,
    but it never becomes the item's current line, so the list keeps showing the price at its quantity.
    A run already queued or running for the list is returned instead of a second one."""
    membership = Membership.objects.filter(user_id=actor.pk, team_id=product_list.team_id).first()
    if membership is None or not membership.can_edit:
        raise BuyingForbidden(_("Viewers can read the team's quotes but not ask 1688 for new ones (each one spends "
                                "the team's daily quota). Ask a buyer or the team's owner."))  # fmt: skip
    if address is None:
        address = ShipAddress.objects.filter(team_id=product_list.team_id, is_default=True).first()
    if address is None or address.team_id != product_list.team_id:
        raise BuyingError(_("Add a ship-to address first (your team's page → Ship-to addresses): 1688 prices the "
                            "freight to it."))  # fmt: skip
    sample = sample_item_id is not None
    if sample:
        item_ids = [sample_item_id]
    items = _items_to_quote(product_list, item_ids)
    if not items:
        raise BuyingError(_("Nothing to quote: the list has no items (rejected items are left out)."))
    credential, why = credential_for_team(actor, product_list.team_id)
    if credential is None:
        raise BuyingError(why)
    with transaction.atomic():
        # One run per list at a time: the list's row orders two clicks, the second gets the first's run.
        ProductList.objects.select_for_update().filter(pk=product_list.pk).first()
        live = _live_run(product_list)
        if live is not None and live.sample == sample and (not sample or live.item_ids == item_ids):
            return live
        if live is not None:  # a sample run and a list run are different requests: one at a time per list
            raise BuyingError(_("1688 is still quoting this list: ask again when that quote has finished."))
        # Like the catalog's jobs, a team has at most TEAM_JOBS_IN_FLIGHT quotes with workers at once, so one
        # team quoting all its lists can't fill the queue in front of everyone else's.
        stale = timezone.now() - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
        in_flight = QuoteRun.objects.filter(team_id=product_list.team_id, trigger=QuoteRun.Trigger.USER,
                                            state__in=[State.QUEUED, State.RUNNING], created_at__gte=stale).count()  # fmt: skip
        if in_flight >= settings.TEAM_JOBS_IN_FLIGHT:
            raise BuyingError(ngettext(
                "Your team already has %(n)d quote running with 1688: try again when it has finished.",
                "Your team already has %(n)d quotes running with 1688: try again when one has finished.",
                in_flight) % {"n": in_flight})  # fmt: skip
        run = QuoteRun.objects.create(
            team_id=product_list.team_id, product_list=product_list, address=address, requested_by=actor,
            credential=credential, forced=bool(forced), item_ids=[i.pk for i in items] if item_ids else [],
            sample=sample, groups_total=len(_groups(_lines(items, sample=sample))),
        )  # fmt: skip
        enqueue("quote_run", run.pk)
    return run


def watch_set(*, actor: User, product_list: ProductList, ordering: bool, drift_percent: Decimal,
              address: ShipAddress | None = None) -> QuoteWatch:  # fmt: skip
    """A list's buying settings: "ordering" (re-quoted daily), the alert threshold and the address to use."""
    membership = Membership.objects.filter(user_id=actor.pk, team_id=product_list.team_id).first()
    if membership is None or not membership.can_edit:
        raise BuyingForbidden(_("Viewers can read the list's buying settings but not change them."))
    if address is not None and address.team_id != product_list.team_id:
        raise BuyingError(_("Pick one of the team's addresses."))
    watch, _created = QuoteWatch.objects.update_or_create(
        product_list=product_list,
        defaults={"ordering": bool(ordering), "drift_percent": drift_percent, "address": address,
                  "set_by": actor, "updated_at": timezone.now()},
    )  # fmt: skip
    return watch


def quotes_requote_due() -> int:
    """Beat: queue today's re-quote of every "ordering" list not yet re-quoted this 1688 day (claimed once)."""
    today = beijing_today()
    due = QuoteWatch.objects.filter(ordering=True).filter(Q(requoted_on__isnull=True) | Q(requoted_on__lt=today))
    queued = 0
    for watch in due.select_related("product_list", "set_by", "address"):
        # Two beats (or a beat and a retry) may see the same list: only the one whose UPDATE lands queues it.
        claimed = (
            QuoteWatch.objects.filter(pk=watch.pk)
            .filter(Q(requoted_on__isnull=True) | Q(requoted_on__lt=today))
            .update(requoted_on=today)
        )
        if not claimed or watch.product_list.archived_at is not None:
            continue
        queued += _background_run(watch)
    return queued


def _background_run(watch: QuoteWatch) -> int:
    product_list, user = watch.product_list, watch.set_by
    address = watch.address or ShipAddress.objects.filter(team_id=product_list.team_id, is_default=True).first()
    run = QuoteRun(team_id=product_list.team_id, product_list=product_list, address=address, requested_by=user,
                   trigger=QuoteRun.Trigger.BACKGROUND)  # fmt: skip
    why = ""
    if user is None:
        why = _("Nobody is left to pay for the daily re-quote: mark the list “ordering” again.")
    elif address is None:
        why = _("The daily re-quote needs a ship-to address: add one on the team's page.")
    else:
        run.credential, why = credential_for_team(user, product_list.team_id)
    items = _items_to_quote(product_list, None)
    if why or not items:
        run.state, run.finished_at = State.FAILED, timezone.now()
        run.message = why or _("Nothing to quote: the list has no items (rejected items are left out).")
        run.save()
        return 0
    with transaction.atomic():
        if _live_run(product_list) is not None:
            return 0
        run.groups_total = len(_groups(_lines(items)))
        run.save()
        enqueue("quote_requote", run.pk)
    return 1


# --- what is sent ---
@dataclass
class Line:
    """One item as an option and quantity to send, or why it can't be sent."""

    item: ListItem
    product: Product
    sku: Sku | None
    spec_id: str
    quantity: int
    listed_unit_price: Decimal | None
    reason: str = ""  # "no_option": the offer has options and the item names none

    @property
    def sendable(self) -> bool:
        return not self.reason


def _lines(items: list[ListItem], *, sample: bool = False) -> list[Line]:
    with_options = set(Sku.objects.filter(product_id__in={i.product_id for i in items}).exclude(spec_id="")
                       .values_list("product_id", flat=True))  # fmt: skip
    lines = []
    for item in items:
        priced = item_quote(item)
        sku = item.sku if item.sku_id else None
        spec_id = sku.spec_id if sku is not None else ""
        reason = "no_option" if not spec_id and item.product_id in with_options else ""
        # The quantity the team wants, even below the minimum order (the list prices that at the minimum): 1688
        # then says whether it would take it (a mixed batch may, MOQ may not).
        quantity = 1 if sample else item.target_quantity or item.product.moq or 1
        lines.append(Line(item=item, product=item.product, sku=sku, spec_id=spec_id, quantity=quantity,
                          listed_unit_price=priced.unit_price, reason=reason))  # fmt: skip
    return lines


@dataclass
class Group:
    supplier_id: int | None
    supplier_name: str
    lines: list[Line]


def _groups(lines: list[Line]) -> list[Group]:
    """Lines by supplier (an offer whose supplier isn't known yet goes alone), at most 50 options a group."""
    by_key: dict[str, list[Line]] = {}
    for line in lines:
        key = f"s{line.product.supplier_id}" if line.product.supplier_id else f"o{line.product.offer_id}"
        by_key.setdefault(key, []).append(line)
    groups = []
    for found in by_key.values():
        product = found[0].product
        name = (
            product.supplier.company_name if product.supplier_id and product.supplier else ""
        ) or product.company_name
        for start in range(0, len(found), MAX_ORDER_OPTIONS):
            groups.append(Group(product.supplier_id, name, found[start : start + MAX_ORDER_OPTIONS]))
    return groups


def ship_to(address: ShipAddress) -> api.ShipTo:
    mobile = address.phone if address.phone.startswith("1") else ""
    return api.ShipTo(full_name=address.contact_name, mobile=mobile, phone="" if mobile else address.phone,
                      province=address.province, city=address.city, district=address.district,
                      street=address.street, post_code=address.post_code)  # fmt: skip


def _key(address: ShipAddress, group: Group, *, sample: bool = False) -> str:
    """The same address and the same options at the same quantities give the same key."""
    sent = ship_to(address).as_param()
    lines = sorted((str(x.product.offer_id), x.spec_id, x.quantity, x.reason) for x in group.lines)
    # A sample run's key differs from a list run's of one piece: neither ever reuses the other's quote.
    parts = [sent, lines, "sample"] if sample else [sent, lines]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# --- running a run ---
def run_claim(*, run_id: int) -> QuoteRun | None:
    """Take a queued run for this worker (conditional UPDATE); None when it is finished or another worker has it."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    claimed = (
        QuoteRun.objects.filter(pk=run_id)
        .filter(Q(state=State.QUEUED) | Q(state=State.RUNNING, started_at__lt=stale))
        .update(state=State.RUNNING, started_at=now)
    )
    if not claimed:
        return None
    return QuoteRun.objects.select_related("product_list__team", "address", "credential", "requested_by").get(pk=run_id)


def _finish(run: QuoteRun, *, ok: bool, message: str, error_code: str = "") -> QuoteRun:
    run.state = State.DONE if ok else State.FAILED
    run.message, run.error_code, run.finished_at = message[:500], error_code[:60], timezone.now()
    QuoteRun.objects.filter(pk=run.pk).update(state=run.state, message=run.message, error_code=run.error_code,
                                              finished_at=run.finished_at, groups_done=run.groups_done,
                                              calls=run.calls, reused=run.reused)  # fmt: skip
    return run


def run_requeue(*, run_id: int, error: errors.AlibabaError) -> None:
    """A transient failure: the task will retry, so the run waits in the queue again and says why."""
    QuoteRun.objects.filter(pk=run_id, state=State.RUNNING).update(
        state=State.QUEUED,
        message=_("1688 did not answer properly (%(code)s); trying again shortly.")
        % {"code": error.code or type(error).__name__},
    )


def run_give_up(*, run_id: int, error: errors.AlibabaError) -> None:
    """The task ran out of retries: the run fails in plain words; the groups quoted so far stay."""
    run = QuoteRun.objects.filter(pk=run_id).first()
    if run and run.is_running:
        _finish(run, ok=False, message=_("1688 did not answer properly (%(code)s). Try again in a few minutes.")
                % {"code": error.code or type(error).__name__}, error_code=error.code or type(error).__name__)  # fmt: skip


def quote_run_execute(*, run_id: int) -> QuoteRun | None:
    """Worker: quote each supplier group of the run; refusals fail it in plain words, transient errors propagate."""
    run = run_claim(run_id=run_id)
    if run is None:
        return None
    product_list = run.product_list
    if run.address is None:
        return _finish(run, ok=False, message=_("The ship-to address was deleted before 1688 was asked. Pick "
                                                "another one and quote again."))  # fmt: skip
    if run.credential is None:
        return _finish(run, ok=False, message=_("No 1688 credential is set up."), error_code="local.NoCredential")
    groups = _groups(_lines(_items_to_quote(product_list, run.item_ids), sample=run.sample))
    run.groups_total, run.groups_done = len(groups), 0
    QuoteRun.objects.filter(pk=run.pk).update(groups_total=run.groups_total, groups_done=0)
    alerts: list[dict] = []
    try:
        with paying(Payer(team_id=run.team_id, user_id=run.requested_by_id)):
            for group in groups:
                alerts += _quote_group(run, group)
                run.groups_done += 1
                QuoteRun.objects.filter(pk=run.pk).update(groups_done=run.groups_done, calls=run.calls,
                                                          reused=run.reused)  # fmt: skip
    except errors.TransientError:
        raise  # the run stays in flight: its task retries it, and the groups quoted so far are reused
    except errors.AlibabaError as error:
        _drift_alerts(run, alerts)
        return _finish(run, ok=False, message=_plain(run, error), error_code=error.code or type(error).__name__)
    _drift_alerts(run, alerts)
    return _finish(run, ok=True, message=_done_words(run))


def _plain(run: QuoteRun, error: errors.AlibabaError) -> str:
    local = ("local.QuotaExhausted", "local.UsageExhausted", "local.BudgetExhausted", "local.FeatureDisabled",
             "local.NotVerified", "local.NotConnected", "local.NoCredential")  # fmt: skip
    if error.code in local and error.message:
        return error.message
    return explain_error(error, app_key=run.credential.app_key if run.credential else "").sentence


def _done_words(run: QuoteRun) -> str:
    return run.done_words


def _quote_group(run: QuoteRun, group: Group) -> list[dict]:
    """Quote one group, or reuse today's quote of the same lines; returns the drifts to alert about."""
    address, today = run.address, beijing_today()
    key = _key(address, group, sample=run.sample)
    same = Quote.objects.filter(product_list_id=run.product_list_id, key=key, day=today)
    # A retried run reuses what it already quoted; a forced run calls again for everything else.
    earlier = (same.filter(run=run) if run.forced else same).order_by("-quoted_at", "-pk").first()
    if earlier is not None:
        if not run.sample:  # a sample's quote never becomes the items' current line
            with transaction.atomic():
                _make_current(earlier, [x.item.pk for x in group.lines])
        run.reused += 1
        return []
    sendable = [x for x in group.lines if x.sendable]
    preview, refusal = None, None
    if sendable:
        cargos = [api.CargoLine(str(x.product.offer_id), x.spec_id, x.quantity) for x in sendable]
        try:
            preview = gateway_call(credential=run.credential,
                                   fn=lambda client, token: api.order_preview(client, token, ship_to(address), cargos))  # fmt: skip
        except errors.BusinessError as error:  # 1688 refuses the whole group (an offer gone, an option unknown)
            refusal = error
        run.calls += 1
    return _store(run, group, key, today, preview, refusal)


def _line_values(line: Line, preview: api.OrderPreview | None, refusal: errors.BusinessError | None) -> dict:
    values = {"orderable": False, "reasons": [], "message": "", "unit_price": None, "amount": None,
              "promotions": []}  # fmt: skip
    if not line.sendable:
        values["reasons"] = [line.reason]
        values["message"] = _("Choose the item's option first: 1688 prices each option on its own.")
        return values
    if refusal is not None:
        values["reasons"] = [REASONS.get(refusal.code, "other")]
        values["message"] = refusal.message[:300]
        return values
    found = preview.line(str(line.product.offer_id), line.spec_id) if preview else None
    if found is None:
        values["reasons"], values["message"] = ["other"], _("1688's answer has no price for this option.")
        return values
    values.update(orderable=found.orderable, reasons=list(found.reasons), message=found.message[:300],
                  unit_price=found.unit_price, amount=found.amount,
                  promotions=[{"text": p.text, "discount": str(p.discount)} for p in found.promotions])  # fmt: skip
    return values


def _store(run: QuoteRun, group: Group, key: str, day, preview, refusal) -> list[dict]:
    """Write the group's quote and its lines in one transaction, and make them the items' current lines."""
    address = run.address
    values = [(_line_values(x, preview, refusal), x) for x in group.lines]
    reasons = list(dict.fromkeys(r for v, _x in values for r in v["reasons"]))
    drifts = []
    with transaction.atomic():
        quote = Quote.objects.create(
            team_id=run.team_id, product_list_id=run.product_list_id, run=run, supplier_id=group.supplier_id,
            supplier_name=group.supplier_name[:200], address=address, address_text=address.one_line[:400], key=key,
            day=day, orderable=bool(preview and preview.orderable and all(v["orderable"] for v, _x in values)),
            reasons=reasons, error_code=(refusal.code if refusal else "")[:60],
            message=((refusal.message if refusal else (preview.message if preview else "")) or "")[:500],
            goods=preview.goods if preview else None, freight=preview.freight if preview else None,
            discount=preview.discount if preview else None,
            additional_fee=preview.additional_fee if preview else None, total=preview.total if preview else None,
            flow=(preview.flow if preview else "")[:40], called=preview is not None or refusal is not None,
            promotions=[{"text": p.text, "discount": str(p.discount), "selected": p.selected}
                        for p in (preview.shop_promotions if preview else [])],
        )  # fmt: skip
        item_ids = [x.item.pk for x in group.lines]
        current = not run.sample  # a sample's line stays beside the list's current one, never replaces it
        before = {line.list_item_id: line for line in QuoteLine.objects.filter(list_item_id__in=item_ids,
                                                                                 is_current=True)}  # fmt: skip
        if current:
            QuoteLine.objects.filter(list_item_id__in=item_ids, is_current=True).update(is_current=False)
        for value, line in values:
            QuoteLine.objects.create(quote=quote, list_item=line.item, product=line.product, sku=line.sku,
                                     sku_label=(line.sku.label if line.sku else line.item.sku_label)[:200],
                                     spec_id=line.spec_id, quantity=line.quantity,
                                     listed_unit_price=line.listed_unit_price, is_current=current, **value)  # fmt: skip
            drift = _drift(before.get(line.item.pk), value, line) if current else None
            if drift:
                drifts.append(drift)
    return drifts


def _make_current(quote: Quote, item_ids: list[int]) -> None:
    """Today's earlier quote of the same lines is the items' newest again (a quantity changed and changed back)."""
    lines = QuoteLine.objects.filter(quote=quote, list_item_id__in=item_ids)
    QuoteLine.objects.filter(list_item_id__in=item_ids, is_current=True).exclude(quote=quote).update(is_current=False)
    lines.update(is_current=True)


def _drift(old: QuoteLine | None, new: dict, line: Line) -> dict | None:
    """How far the unit price moved since the item's last quote of the same option and quantity, or None."""
    if old is None or old.spec_id != line.spec_id or old.quantity != line.quantity:
        return None
    if old.orderable and not new["orderable"]:
        return {"item": line.item, "old": old.unit_price, "new": new["unit_price"], "percent": None}
    if old.unit_price is None or new["unit_price"] is None or old.unit_price <= 0:
        return None
    percent = ((new["unit_price"] - old.unit_price) * 100 / old.unit_price).quantize(Decimal("0.1"))
    return {"item": line.item, "old": old.unit_price, "new": new["unit_price"], "percent": percent}


def _drift_alerts(run: QuoteRun, drifts: list[dict]) -> int:
    """Tell the person watching the list (else whoever asked) about each price that moved past the threshold."""
    if not drifts:
        return 0
    watch = QuoteWatch.objects.filter(product_list_id=run.product_list_id).first()
    threshold = watch.drift_percent if watch else Decimal(str(settings.QUOTE_DRIFT_PERCENT))
    to = [watch.set_by_id] if watch and watch.set_by_id else [run.requested_by_id]
    path = reverse("list_quotes", args=[run.product_list_id])
    name = run.product_list.name
    sent = 0
    for drift in drifts:
        item, percent = drift["item"], drift["percent"]
        if percent is not None and abs(percent) < threshold:
            continue

        def text(item=item, drift=drift, percent=percent):
            title = item.product.display_title[:80]
            if percent is None:
                return _("1688 would no longer take the order of %(title)s on “%(list)s”.") % {
                    "title": title, "list": name}  # fmt: skip
            return _("Quoted price of %(title)s on “%(list)s” moved %(percent)s %%: ¥%(old)s → ¥%(new)s.") % {
                "title": title, "list": name, "percent": f"{percent:+}", "old": drift["old"], "new": drift["new"]}  # fmt: skip

        sent += team_notify(team_id=run.team_id, user_ids=to, text=text, product_id=item.product_id, path=path)
        quote_drift_emit(run=run, drift=drift)
    return sent
