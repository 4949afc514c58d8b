"""Alerts: rules on offers, their evaluation after every product change, notifications and e-mail.

An alert fires once when its condition becomes true and re-arms when it becomes false again. Both
moves are conditional UPDATEs on `armed`, so two workers evaluating the same change fire once.
Unknown values (no price, stock not stated) change nothing. E-mail: each notification is claimed
once (`mail_claimed_at`), and a user's daily digest is claimed once per day (`last_digest_on`).
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from sourcing.accounts.models import Membership, Team, User
from sourcing.alerts.models import Alert, AlertSettings, Notification
from sourcing.catalog.models import Product, Sku
from sourcing.catalog.pricing import price_at_quantity
from sourcing.catalog.selectors.same_items import cheaper_elsewhere, same_item_products
from sourcing.catalog.services.upsert import on_products_changed
from sourcing.core.enqueue import enqueue
from sourcing.core.nav import forget_nav
from sourcing.lists.models import ListItem
from sourcing.webhooks.services import event_emit, portal_url

Kind = Alert.Kind
PRICE_KINDS = (Kind.PRICE_BELOW, Kind.PRICE_ABOVE)
WATCH_KINDS = (Kind.DELISTED, Kind.OUT_OF_STOCK, Kind.BACK_IN_STOCK, Kind.SAME_ITEM_CHEAPER)
Delivery = AlertSettings.Delivery


class AlertError(Exception):
    """A refused alert change; the message is shown as it is."""


class AlertForbidden(AlertError):
    """The actor's role may not do it (the views answer 403)."""


def _require_edit(actor: User, team_id: int) -> Membership:
    membership = Membership.objects.filter(user_id=actor.pk, team_id=team_id).first() if actor else None
    if membership is None:
        raise AlertForbidden(_("You are not a member of this alert's team."))
    if not membership.can_edit:
        raise AlertForbidden(_("Viewers can see the team's alerts but not set them. Ask a buyer or the team's owner."))
    return membership


# --- what an alert looks at ---
def _quantity(alert: Alert) -> int:
    product = alert.product
    return (alert.list_item.target_quantity if alert.list_item_id and alert.list_item else None) or product.moq or 1


def alert_price(alert: Alert) -> Decimal | None:
    """The chosen option's price at the list item's target quantity (else the minimum order): the same price the
    list, compare and exports show."""
    product, quantity = alert.product, _quantity(alert)
    return price_at_quantity(product, quantity, sku=alert.sku if alert.sku_id else None).unit_price


def alert_stock(alert: Alert) -> int | None:
    if alert.sku is not None and alert.sku.stock is not None:
        return alert.sku.stock
    return alert.product.stock


def alert_condition(alert: Alert) -> bool | None:
    """Whether the alert's condition holds now; None when the value is unknown (nothing changes)."""
    if alert.kind == Kind.DELISTED:
        return alert.product.status != Product.Status.ACTIVE
    if alert.kind == Kind.SAME_ITEM_CHEAPER:
        return cheaper_elsewhere(alert.product, _quantity(alert)) is not None
    if alert.kind in PRICE_KINDS:
        price = alert_price(alert)
        if price is None or alert.threshold is None:
            return None
        return price < alert.threshold if alert.kind == Kind.PRICE_BELOW else price > alert.threshold
    stock = alert_stock(alert)
    if stock is None:
        return None
    return stock == 0 if alert.kind == Kind.OUT_OF_STOCK else stock > 0


def alert_value_words(alert: Alert) -> str:
    if alert.kind == Kind.DELISTED:
        return alert.product.get_status_display()
    if alert.kind == Kind.SAME_ITEM_CHEAPER:
        row = cheaper_elsewhere(alert.product, _quantity(alert))
        return f"¥{row.quote.unit_price} · {row.product.offer_id}" if row else "—"
    if alert.kind in PRICE_KINDS:
        price = alert_price(alert)
        return f"¥{price}" if price is not None else "—"
    stock = alert_stock(alert)
    return "—" if stock is None else f"{stock:,}"


def alert_text(alert: Alert) -> str:
    """What happened, in words (the notification's line and the e-mail's)."""
    title = alert.product.display_title[:120]
    option = f" ({alert.sku.label})" if alert.sku is not None else ""
    words = {
        Kind.PRICE_BELOW: _("Price of “%(t)s”%(o)s is %(v)s, below your ¥%(x)s."),
        Kind.PRICE_ABOVE: _("Price of “%(t)s”%(o)s is %(v)s, above your ¥%(x)s."),
        Kind.BACK_IN_STOCK: _("“%(t)s”%(o)s is back in stock (%(v)s)."),
        Kind.OUT_OF_STOCK: _("“%(t)s”%(o)s is out of stock."),
        Kind.DELISTED: _("“%(t)s” was taken off 1688 (%(v)s)."),
        Kind.SAME_ITEM_CHEAPER: _(
            "The same item as “%(t)s” is cheaper from another supplier at your quantity (%(v)s)."
        ),
    }[alert.kind]
    text = words % {"t": title, "o": option, "v": alert_value_words(alert), "x": alert.threshold}
    if alert.kind == Kind.DELISTED:
        others = same_item_products(alert.product)
        if others:
            text += " " + _("The same item from %(n)s other suppliers: %(ids)s.") % {
                "n": len(others), "ids": ", ".join(str(p.offer_id) for p in others[:5])}  # fmt: skip
    return text[:500]


# --- writes ---
def alert_create(*, actor: User, team: Team, product: Product, kind: str, threshold: Decimal | None = None,
                 list_item: ListItem | None = None, sku: Sku | None = None, notify_team: bool = False) -> Alert:  # fmt: skip
    """A new alert; it starts armed unless its condition already holds (it fires on the next crossing)."""
    _require_edit(actor, team.pk)
    if kind not in Kind.values:
        raise AlertError(_("Choose what the alert watches for."))
    if kind in PRICE_KINDS and threshold is None:
        raise AlertError(_("A price alert needs a price in yuan, like 12.50."))
    if kind not in PRICE_KINDS:
        threshold = None
    if list_item is not None:
        if list_item.product_list.team_id != team.pk or list_item.product_id != product.pk:
            raise AlertError(_("That list item is not this offer on one of your team's lists."))
        sku = sku or list_item.sku
    if sku is not None and sku.product_id != product.pk:
        raise AlertError(_("That option belongs to another offer."))
    alert = Alert(team=team, created_by=actor, product=product, list_item=list_item, sku=sku, kind=kind,
                  threshold=threshold, notify_team=bool(notify_team))  # fmt: skip
    holds = alert_condition(alert)
    alert.armed = holds is not True
    alert.last_value, alert.last_checked_at = alert_value_words(alert)[:40], timezone.now()
    alert.save()
    return alert


def product_watch(*, actor: User, team: Team, product: Product) -> list[Alert]:
    """ "Watch": tell the actor when the offer is delisted, sells out or comes back (idempotent)."""
    _require_edit(actor, team.pk)
    have = set(Alert.objects.filter(team=team, created_by=actor, product=product, list_item=None, sku=None,
                                    active=True, kind__in=WATCH_KINDS).values_list("kind", flat=True))  # fmt: skip
    return [
        alert_create(actor=actor, team=team, product=product, kind=kind) for kind in WATCH_KINDS if kind not in have
    ]


def product_unwatch(*, actor: User, team: Team, product: Product) -> int:
    _require_edit(actor, team.pk)
    deleted, _rows = Alert.objects.filter(team=team, created_by=actor, product=product, list_item=None, sku=None,
                                          kind__in=WATCH_KINDS).delete()  # fmt: skip
    return deleted


def alert_delete(*, actor: User, alert: Alert) -> None:
    _require_edit(actor, alert.team_id)
    alert.delete()


@on_products_changed
def alerts_queue(*, product_ids) -> None:
    """The catalog's hook: after products change, evaluate their alerts in a worker (when they have any)."""
    ids = {int(pk) for pk in product_ids if pk}
    # a price or a new member of a cluster moves its other members' "cheaper elsewhere" alerts too
    ids = sorted(ids | set(Product.objects.filter(same_item__cluster__members__product_id__in=ids)
                           .values_list("pk", flat=True)))  # fmt: skip
    if ids and Alert.objects.filter(product_id__in=ids, active=True).exists():
        enqueue("alerts_evaluate", ids)


def alerts_evaluate(*, product_ids) -> int:
    """Fire every alert whose condition became true, re-arm those that became false; returns how many fired."""
    fired = 0
    now = timezone.now()
    alerts = Alert.objects.filter(product_id__in=list(product_ids), active=True).select_related(
        "product", "sku", "list_item"
    )
    for alert in alerts:
        holds = alert_condition(alert)
        value = alert_value_words(alert)[:40]
        Alert.objects.filter(pk=alert.pk).update(last_value=value, last_checked_at=now)
        if holds is True:
            # Only the evaluator whose UPDATE finds it armed fires: a crossing fires once.
            with transaction.atomic():
                if Alert.objects.filter(pk=alert.pk, armed=True).update(armed=False, last_fired_at=now,
                                                                        fired_count=F("fired_count") + 1):  # fmt: skip
                    _notify(alert)
                    _emit_fired(alert, value)
                    fired += 1
        elif holds is False:
            Alert.objects.filter(pk=alert.pk, armed=False).update(armed=True)
    return fired


def _emit_fired(alert: Alert, value: str) -> None:
    """The team's webhooks hear of the firing (once: inside the UPDATE that fired it)."""
    product = alert.product
    event_emit(team_id=alert.team_id, kind="alert.fired", data={
        "alert": alert.pk, "condition": alert.kind, "threshold": alert.threshold, "value": value,
        "product": {"offer_id": product.offer_id, "title": product.display_title[:200]},
        "list_item": alert.list_item_id, "url": portal_url(reverse("product", args=[product.offer_id])),
    })  # fmt: skip


def _recipients(alert: Alert) -> list[User]:
    if alert.notify_team:
        return list(User.objects.filter(memberships__team_id=alert.team_id, is_active=True))
    member = Membership.objects.filter(team_id=alert.team_id, user_id=alert.created_by_id).exists()
    return [alert.created_by] if alert.created_by and alert.created_by.is_active and member else []


def _notify(alert: Alert) -> None:
    for user in _recipients(alert):
        with override(user.reading_language):
            text = alert_text(alert)
        note = Notification.objects.create(user=user, team_id=alert.team_id, alert=alert, product=alert.product,
                                           text=text)  # fmt: skip
        if delivery_of(user) == Delivery.IMMEDIATE:
            enqueue("notification_email", note.pk)


def team_notify(
    *, team_id: int, user_ids, text: Callable[[], str], product_id: int | None = None, path: str = ""
) -> int:
    """Tell these members of the team what happened elsewhere (a verified quote moved): the bell, and e-mail as
    for a fired alert. `text()` is called in each reader's language; people no longer in the team are skipped."""
    members = User.objects.filter(pk__in=[pk for pk in user_ids if pk], is_active=True,
                                  memberships__team_id=team_id).distinct()  # fmt: skip
    sent = 0
    for user in members:
        with override(user.reading_language):
            words = str(text())[:500]
        note = Notification.objects.create(user=user, team_id=team_id, product_id=product_id, text=words,
                                           path=path[:200])  # fmt: skip
        if delivery_of(user) == Delivery.IMMEDIATE:
            enqueue("notification_email", note.pk)
        sent += 1
    return sent


def delivery_of(user: User) -> str:
    found = AlertSettings.objects.filter(user=user).values_list("delivery", flat=True).first()
    return found or Delivery.IMMEDIATE


def alert_settings_set(*, user: User, delivery: str) -> AlertSettings:
    if delivery not in Delivery.values:
        raise AlertError(_("Choose how to hear about alerts by e-mail."))
    found, _created = AlertSettings.objects.update_or_create(user=user, defaults={"delivery": delivery})
    return found


def notifications_mark_read(*, user: User, ids=None) -> int:
    """Mark the user's notifications read (all of them, or those ids); only ever the user's own."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    marked = unread.update(read_at=timezone.now())
    forget_nav(user.pk)
    return marked


# --- e-mail ---
def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notification_email_send(*, notification_id: int) -> bool:
    """Worker: e-mail one notification right away; claimed first, so a second delivery sends nothing."""
    if not Notification.objects.filter(pk=notification_id, mail_claimed_at__isnull=True).update(
        mail_claimed_at=timezone.now()
    ):
        return False
    note = Notification.objects.select_related("user", "product").get(pk=notification_id)
    if not note.user.email or delivery_of(note.user) != Delivery.IMMEDIATE:
        return False
    if note.path.startswith("/") and not note.path.startswith("//"):
        link = _link(note.path)
    elif note.product:
        link = _link(reverse("product", args=[note.product.offer_id]))
    else:
        link = _link(reverse("notifications"))
    with override(note.user.reading_language):
        send_mail(
            subject=_("Alert: %(text)s") % {"text": note.text[:120]},
            message=f"{note.text}\n\n{link}\n\n"
            + _("Change how alerts reach you: %(url)s") % {"url": _link(reverse("notifications"))},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[note.user.email],
        )
    return True


def digest_day() -> date:
    return timezone.localdate()


def digests_due() -> list[int]:
    """Users on the daily digest who haven't had today's yet (after ALERTS_DIGEST_HOUR)."""
    if timezone.localtime().hour < settings.ALERTS_DIGEST_HOUR:
        return []
    today = digest_day()
    users = AlertSettings.objects.filter(delivery=Delivery.DAILY).exclude(last_digest_on=today)
    return list(users.values_list("user_id", flat=True))


def digest_send(*, user_id: int) -> int:
    """Send a user's daily digest once per day (the day is claimed first); returns how many alerts it held."""
    today = digest_day()
    claimed = (
        AlertSettings.objects.filter(user_id=user_id, delivery=Delivery.DAILY)
        .exclude(last_digest_on=today)
        .update(last_digest_on=today)
    )
    if not claimed:  # another beat or worker has today's digest
        return 0
    user = User.objects.get(pk=user_id)
    now = timezone.now()
    pending = Notification.objects.filter(user_id=user_id, mail_claimed_at__isnull=True)
    ids = list(pending.values_list("pk", flat=True)[:200])
    Notification.objects.filter(pk__in=ids, mail_claimed_at__isnull=True).update(mail_claimed_at=now)
    notes = list(Notification.objects.filter(pk__in=ids, mail_claimed_at=now).select_related("product"))
    if not notes or not user.email:
        return 0
    lines = [
        f"• {n.text}\n  {_link(reverse('product', args=[n.product.offer_id])) if n.product else ''}" for n in notes
    ]
    with override(user.reading_language):
        send_mail(
            subject=_("Your daily alerts: %(n)s") % {"n": len(notes)},
            message="\n".join(lines)
            + "\n\n"
            + _("All notifications: %(url)s") % {"url": _link(reverse("notifications"))},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    return len(notes)
