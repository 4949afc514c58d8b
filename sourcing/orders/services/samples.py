"""Samples: one list item ordered as a sample, requested → ordered → received → approved or rejected.

A buyer (or above) asks for a sample of an item; the item's status on the list becomes "sampling" (through the
lists service, so the list's history keeps the line). The sample is ordered through the portal (a sample
purchase order drafted from a sample quote, `quotes.quote_start(sample_item_id=…)`) or outside it and marked
ordered by hand; it is received with notes and photos, and decided: approved puts the item back on the shortlist,
rejected rejects it. Each step is checked against the sample's state under a row lock, so two clicks never move
it twice, and is kept in the sample's timeline with who did it and their note.
"""

import hashlib
import io
import warnings
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.accounts.models import Membership, User
from sourcing.core.image_limits import too_many_pixels
from sourcing.lists import services as list_services
from sourcing.lists.models import ListItem
from sourcing.lists.services import ListError
from sourcing.orders.models import PurchaseOrder, PurchaseOrderLine, QuoteLine, Sample, SamplePhoto
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden

State = Sample.State
OPEN = (State.REQUESTED, State.ORDERED, State.RECEIVED)
NOTE_MAX = 1000
QUANTITY_MAX = 1000
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def require_buyer(actor: User, team_id: int) -> Membership:
    """The actor's membership if they may change the team's buying (buyers and up), else BuyingForbidden."""
    membership = Membership.objects.filter(user_id=actor.pk, team_id=team_id).first() if actor else None
    if membership is None:
        raise BuyingForbidden(_("You are not a member of this team."))
    if not membership.can_edit:
        raise BuyingForbidden(_("Viewers can follow samples but not change them. Ask a buyer or the team's owner."))
    return membership


def clean_note(value, *, limit: int = NOTE_MAX) -> str:
    """A note as kept: no control characters but newlines and tabs, at most `limit` characters (else refused)."""
    text = "" if value is None else str(value)
    text = "".join(c for c in text if c >= " " or c in "\t\n").strip()
    if len(text) > limit:
        raise BuyingError(_("Keep the note to %(n)d characters (this one has %(m)d).") % {"n": limit, "m": len(text)})
    return text


def _step(sample: Sample, state: str, actor: User, note: str, at) -> None:
    sample.timeline = [*sample.timeline, {"at": at.isoformat(), "state": state, "by": actor.username, "note": note}]


def _locked(sample: Sample) -> Sample:
    """The sample's row, locked for this transaction, with its item and list (the state is read again)."""
    return Sample.objects.select_for_update().select_related("list_item__product_list").get(pk=sample.pk)


def _set_item_status(actor: User, item: ListItem, status: str) -> None:
    try:
        list_services.item_set_status(actor=actor, item=item, status=status)
    except ListError as error:
        raise BuyingError(str(error)) from None


# --- requested ---
def sample_request(*, actor: User, item: ListItem, quantity=1, notes: str = "") -> Sample:
    """Ask for a sample of a list item (buyers and up); the item's status becomes "sampling"."""
    team_id = item.product_list.team_id
    require_buyer(actor, team_id)
    try:
        number = Decimal(str(quantity).strip())
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= QUANTITY_MAX:
        raise BuyingError(_("A sample is 1 to %(max)d pieces: give a whole number.") % {"max": QUANTITY_MAX})
    text = clean_note(notes, limit=4000)
    now = timezone.now()
    with transaction.atomic():
        # The item's row orders two "Order a sample" clicks: the second sees the first's sample and stops.
        ListItem.objects.select_for_update().filter(pk=item.pk).first()
        if Sample.objects.filter(list_item=item, state__in=OPEN).exists():
            raise BuyingError(_("This item already has a sample under way: open it from the item's page."))
        sample = Sample(team_id=team_id, list_item=item, quantity=int(number), notes=text, requested_by=actor,
                        created_at=now, updated_at=now)  # fmt: skip
        _step(sample, State.REQUESTED, actor, "", now)  # the request's notes are the sample's own "what to check"
        sample.save()
        _set_item_status(actor, item, ListItem.Status.SAMPLING)
    return sample


# --- ordered ---
def _price_from(sample: Sample, order: PurchaseOrder | None) -> Decimal | None:
    """What one piece costs: the order's line for the item, else the item's newest sample quote (1688's price)."""
    if order is not None:
        line = PurchaseOrderLine.objects.filter(order=order, list_item_id=sample.list_item_id).order_by("pk").first()
        if line is not None:
            return line.unit_price
    line = (
        QuoteLine.objects.filter(list_item_id=sample.list_item_id, quote__run__sample=True, unit_price__isnull=False)
        .order_by("-quote__quoted_at", "-pk")
        .first()
    )
    return line.unit_price if line is not None else sample.sample_price


def sample_mark_ordered(*, actor: User, sample: Sample, purchase_order: PurchaseOrder | None = None,
                        note: str = "") -> Sample:  # fmt: skip
    """The sample is ordered: through a purchase order of the team, or outside the portal (marked by hand)."""
    require_buyer(actor, sample.team_id)
    if purchase_order is not None and purchase_order.team_id != sample.team_id:
        raise BuyingError(_("Pick one of your team's purchase orders."))
    text = clean_note(note)
    with transaction.atomic():
        sample = _locked(sample)
        if sample.state != State.REQUESTED:
            raise BuyingError(_("This sample is already %(state)s: only a requested sample can be marked ordered.")
                              % {"state": sample.get_state_display().lower()})  # fmt: skip
        now = timezone.now()
        sample.state, sample.updated_at, sample.purchase_order = State.ORDERED, now, purchase_order
        sample.sample_price = _price_from(sample, purchase_order)
        _step(sample, State.ORDERED, actor, text, now)
        sample.save(update_fields=["state", "updated_at", "purchase_order", "sample_price", "timeline"])
    return sample


def samples_ordered_with(*, actor: User, order: PurchaseOrder) -> int:
    """A sample purchase order was placed: the requested samples of its lines' items are ordered with it.

    For the purchase service to call once the order is placed on 1688; samples already moved are left alone."""
    item_ids = PurchaseOrderLine.objects.filter(order=order).values_list("list_item_id", flat=True)
    done = 0
    for sample in Sample.objects.filter(team_id=order.team_id, list_item_id__in=item_ids, state=State.REQUESTED):
        try:
            sample_mark_ordered(actor=actor, sample=sample, purchase_order=order,
                                note=_("Ordered on 1688 with purchase order %(id)s.") % {"id": order.pk})  # fmt: skip
        except BuyingError:  # another person moved it meanwhile: theirs stands
            continue
        done += 1
    return done


# --- received ---
def sample_mark_received(*, actor: User, sample: Sample, notes: str = "", photos=()) -> Sample:
    """The sample arrived: notes and photos (each checked before anything is written)."""
    require_buyer(actor, sample.team_id)
    text = clean_note(notes)
    checked = [photo_check(data) for data in photos]
    with transaction.atomic():
        sample = _locked(sample)
        if sample.state == State.REQUESTED:
            raise BuyingError(_("Mark the sample ordered first: a sample can't arrive before it is ordered."))
        if sample.state != State.ORDERED:
            raise BuyingError(_("This sample is already %(state)s.") % {"state": sample.get_state_display().lower()})
        _room_for_photos(sample, len(checked))
        now = timezone.now()
        sample.state, sample.updated_at = State.RECEIVED, now
        _step(sample, State.RECEIVED, actor, text, now)
        sample.save(update_fields=["state", "updated_at", "timeline"])
        for photo in checked:
            _photo_save(sample, photo, actor)
    return sample


def samples_arrived(*, actor: User, order: PurchaseOrder) -> int:
    """Receiving finished a sample order: its ordered samples are received (the decision stays with the team)."""
    done = 0
    for sample in Sample.objects.filter(purchase_order=order, state=State.ORDERED):
        try:
            sample_mark_received(actor=actor, sample=sample, notes=_("Arrived with its purchase order."))
        except BuyingError:  # another person moved it meanwhile: theirs stands
            continue
        done += 1
    return done


# --- decided ---
def sample_decide(*, actor: User, sample: Sample, approved: bool, notes: str = "") -> Sample:
    """Approve (the item goes back to the shortlist) or reject (the item is rejected) a received sample.

    A sample not yet received can be rejected (given up), not approved."""
    require_buyer(actor, sample.team_id)
    text = clean_note(notes)
    with transaction.atomic():
        sample = _locked(sample)
        if sample.state in (State.APPROVED, State.REJECTED):
            raise BuyingError(_("This sample is already %(state)s.") % {"state": sample.get_state_display().lower()})
        if approved and sample.state != State.RECEIVED:
            raise BuyingError(_("A sample can be approved once it has arrived: mark it received first."))
        now = timezone.now()
        sample.state = State.APPROVED if approved else State.REJECTED
        sample.updated_at, sample.decided_at, sample.decided_by = now, now, actor
        _step(sample, sample.state, actor, text, now)
        sample.save(update_fields=["state", "updated_at", "decided_at", "decided_by", "timeline"])
        status = ListItem.Status.SHORTLISTED if approved else ListItem.Status.REJECTED
        _set_item_status(actor, sample.list_item, status)
    return sample


# --- photos ---
def photo_size_check(size: int) -> None:
    """BuyingError when a photo of `size` bytes is larger than SAMPLE_PHOTO_MAX_BYTES (checked before reading it)."""
    limit = settings.SAMPLE_PHOTO_MAX_BYTES
    if size > limit:
        raise BuyingError(_("That photo is %(size)s MB; photos up to %(limit)s MB are kept. Send a smaller one.")
                          % {"size": f"{size / 1_000_000:.1f}", "limit": f"{limit / 1_000_000:g}"})  # fmt: skip


def photo_check(data) -> dict:
    """The photo re-encoded (no metadata, turned upright) with its facts, or BuyingError in plain words.

    JPEG, PNG and WebP only, at most SAMPLE_PHOTO_MAX_BYTES and CATALOG_IMAGE_MAX_PIXELS; Pillow decodes the
    whole picture, so a file that only looks like an image is refused here, not when someone opens it."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = bytes(data or b"")
    if not data:
        raise BuyingError(_("That file is empty: choose a photo of the sample."))
    photo_size_check(len(data))
    too_big = too_many_pixels(data)
    if too_big:
        raise BuyingError(too_big)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                if kind not in PHOTO_TYPES:
                    raise BuyingError(_("Send a JPEG, PNG or WebP photo (this file is %(kind)s).") % {"kind": kind})
                image.load()
                upright = ImageOps.exif_transpose(image)
                if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
                    upright = upright.convert("RGB")
                out = io.BytesIO()
                upright.save(out, format=kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))
                width, height = upright.size
    except BuyingError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise BuyingError(_("That file is not a photo the portal can read: send a JPEG, PNG or WebP.")) from None
    body = out.getvalue()
    return {"data": body, "content_type": PHOTO_TYPES[kind], "width": width, "height": height,
            "sha256": hashlib.sha256(body).hexdigest()}  # fmt: skip


def _room_for_photos(sample: Sample, adding: int) -> None:
    kept = SamplePhoto.objects.filter(sample=sample).count()
    if kept + adding > settings.SAMPLE_PHOTOS_MAX:
        raise BuyingError(_("A sample keeps at most %(max)d photos (it has %(n)d).")
                          % {"max": settings.SAMPLE_PHOTOS_MAX, "n": kept})  # fmt: skip


def _photo_save(sample: Sample, photo: dict, actor: User) -> SamplePhoto:
    return SamplePhoto.objects.create(sample=sample, uploaded_by=actor, **photo)


def sample_photo_add(*, actor: User, sample: Sample, data) -> SamplePhoto:
    """Keep one more photo of a sample that has arrived (buyers and up)."""
    require_buyer(actor, sample.team_id)
    photo = photo_check(data)
    with transaction.atomic():
        sample = _locked(sample)
        if sample.state in (State.REQUESTED, State.ORDERED):
            raise BuyingError(_("Photos are of a sample that has arrived: mark it received first."))
        _room_for_photos(sample, 1)
        Sample.objects.filter(pk=sample.pk).update(updated_at=timezone.now())
        return _photo_save(sample, photo, actor)
