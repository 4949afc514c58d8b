"""Domestic freight before a quote: 1688's `product.freight.estimate` of each item at its quantity to the list's
address, asked by a worker through the gateway's one door and kept as a `FreightEstimate`.

An item whose key (address, offer, option, quantity) was estimated the same 1688 day is not asked again, like
quotes; a retry after a transient error reuses the items already estimated. Progress is read from the rows
themselves (no job row): the page polls `estimate_progress` with the moment it asked.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.accounts.models import Membership, User
from sourcing.alibaba import api, errors
from sourcing.connections.explain import explain_error
from sourcing.connections.models import AppCredential
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.gateway import feature_refusal, gateway_call
from sourcing.core.beijing import beijing_today
from sourcing.core.enqueue import enqueue
from sourcing.lists.models import ListItem, ProductList
from sourcing.orders.models import FreightEstimate
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden
from sourcing.orders.services.landed import area_codes, estimate_key, item_quantity, list_address
from sourcing.orders.services.quotes import credential_for_team


def _items(product_list: ProductList, item_ids=None) -> list[ListItem]:
    items = product_list.items.exclude(status=ListItem.Status.REJECTED).select_related("product", "sku")
    if item_ids:
        items = items.filter(pk__in=[int(i) for i in item_ids])
    return [i for i in items.order_by("position", "pk") if item_quantity(i)]


def _estimated_today(item: ListItem, key: str) -> bool:
    return FreightEstimate.objects.filter(list_item=item, key=key, day=beijing_today(), freight__isnull=False).exists()


def estimate_start(*, actor: User, product_list: ProductList, item_ids=None) -> int:
    """Queue the freight estimate of the list's items not estimated today; returns how many were queued."""
    membership = Membership.objects.filter(user_id=actor.pk, team_id=product_list.team_id).first()
    if membership is None or not membership.can_edit:
        raise BuyingForbidden(_("Viewers can read the landed cost but not ask 1688 for freight (each estimate "
                                "spends the team's daily quota). Ask a buyer or the team's owner."))  # fmt: skip
    address = list_address(product_list)
    if address is None:
        raise BuyingError(_("Add a ship-to address first (your team's page → Ship-to addresses): 1688 estimates the "
                            "freight to it."))  # fmt: skip
    if area_codes(address) is None:
        raise BuyingError(_("1688 estimates freight to mainland China only: pick an address in one of its provinces."))
    credential, why = credential_for_team(actor, product_list.team_id)
    if credential is None:
        raise BuyingError(why)
    refusal = feature_refusal(credential, api.FREIGHT_ESTIMATE.id)
    if refusal:
        raise BuyingError(refusal)
    todo = [i.pk for i in _items(product_list, item_ids)
            if not _estimated_today(i, estimate_key(address, i, item_quantity(i)))]  # fmt: skip
    if todo:
        enqueue("freight_estimate", product_list.pk, actor.pk, credential.pk, todo)
    return len(todo)


def estimate_execute(*, list_id: int, user_id: int, credential_id: int, item_ids: list[int]) -> int:
    """Worker: estimate each item not estimated today; returns the calls made. Transient errors propagate (the
    task retries and reuses what is done); a refusal of one item is kept on it, of the app on every item left."""
    product_list = ProductList.objects.select_related("team").filter(pk=list_id).first()
    credential = AppCredential.objects.filter(pk=credential_id).first()
    if product_list is None:
        return 0
    address = list_address(product_list)
    items = _items(product_list, item_ids)
    if address is None or area_codes(address) is None or credential is None:
        _give_up(product_list, items, _("No ship-to address or 1688 credential any more: estimate again."))
        return 0
    province, city, district = area_codes(address)
    calls = 0
    with paying(Payer(team_id=product_list.team_id, user_id=user_id)):
        for number, item in enumerate(items):
            quantity = item_quantity(item)
            key = estimate_key(address, item, quantity)
            if _estimated_today(item, key):
                continue
            sku = item.sku.sku_id if item.sku_id and item.sku and item.sku.sku_id.isdigit() else ""

            def ask(client, token, item=item, quantity=quantity, sku=sku):
                return api.freight_estimate(client, token, str(item.product.offer_id), province_code=province,
                                            city_code=city, district_code=district,
                                            quantities={sku: quantity} if sku else None,
                                            total=None if sku else quantity)  # fmt: skip

            try:
                found = gateway_call(credential=credential, fn=ask)
            except errors.TransientError:
                raise
            except errors.BusinessError as error:  # 1688 refuses this item (an option gone, an offer off sale)
                calls += 1
                _store(product_list, item, address, key, quantity, message=error.message or error.code)
                continue
            except errors.AlibabaError as error:  # quota, permission, token: no item can be estimated now
                _give_up(product_list, items[number:], _plain(credential, error))
                return calls
            calls += 1
            _store(product_list, item, address, key, quantity, freight=found.freight, weight=found.unit_weight_kg)
    return calls


def _plain(credential: AppCredential, error: errors.AlibabaError) -> str:
    if error.code.startswith("local.") and error.message:  # the portal's own refusals are already in words
        return error.message
    return explain_error(error, app_key=credential.app_key).sentence


def _store(product_list, item, address, key, quantity, *, freight=None, weight=None, message="") -> None:
    FreightEstimate.objects.create(team_id=product_list.team_id, list_item=item, address=address, key=key,
                                   day=beijing_today(), quantity=quantity, freight=freight, unit_weight_kg=weight,
                                   message=str(message)[:300])  # fmt: skip


def _give_up(product_list: ProductList, items: list[ListItem], message: str) -> None:
    """Say on each item left why it has no estimate (the page stops waiting and shows the words)."""
    address = list_address(product_list)
    for item in items:
        quantity = item_quantity(item)
        key = estimate_key(address, item, quantity) if address else "-"
        if not _estimated_today(item, key):
            _store(product_list, item, address, key, quantity, message=message)


def estimate_give_up(*, list_id: int, item_ids: list[int], error: errors.AlibabaError) -> None:
    """The task ran out of retries: the items left say so in plain words."""
    product_list = ProductList.objects.filter(pk=list_id).first()
    if product_list is not None:
        _give_up(product_list, _items(product_list, item_ids),
                 _("1688 did not answer properly (%(code)s). Try again in a few minutes.")
                 % {"code": error.code or type(error).__name__})  # fmt: skip


@dataclass
class Progress:
    done: int
    total: int
    stale: bool

    @property
    def running(self) -> bool:
        return self.done < self.total and not self.stale

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def estimate_progress(product_list: ProductList, since: datetime) -> Progress:
    """How many of the list's items have an answer since `since` (or today's freight): the page's progress."""
    address = list_address(product_list)
    items = _items(product_list)
    if address is None:
        return Progress(0, 0, True)
    keys = {estimate_key(address, i, item_quantity(i)): i.pk for i in items}
    answered = FreightEstimate.objects.filter(list_item_id__in=list(keys.values()), key__in=list(keys)).filter(
        Q(created_at__gte=since) | Q(day=beijing_today(), freight__isnull=False)
    )  # fmt: skip
    done = len({(x.list_item_id) for x in answered.only("list_item_id", "key") if keys.get(x.key) == x.list_item_id})
    stale = timezone.now() - since > timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    return Progress(done, len(items), stale)
