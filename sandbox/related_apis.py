"""1688's related offers of an offer (product.related.recommend, 相关性商品推荐), a same-item candidate source.

Answered from the generator's truth, as a recommender would: the offers of the offer's same-item group
(`same_item_group`) first, then look-alikes that are NOT the same item (other offers drawn from the same picture
family: another colour or size of the line, a similar shape), then other offers of its category, at most pageSize
(10) in all. The portal must still judge each one (catalog/likeness.py): related is not the same.
Items carry the published ProductInfoModel fields only (no MOQ, company or seller data).
"""

from decimal import Decimal

from .gateway import Call, api, business_error, whole_number
from .models import SandboxOffer

CROSSBORDER = "com.alibaba.fenxiao.crossborder"
MAX_PAGE = 10
LOOK_ALIKES = 4  # at most this many look-alikes in an answer
NEIGHBOURS = 3  # and this many plain neighbours of the category


def _item(call: Call, offer: SandboxOffer) -> dict:
    from .apis import _category_levels, _drift, _image, _offer_identities, _price_text, _seller_identities

    price, stock = _drift(offer)
    top, second, third = _category_levels(offer.category_id)
    return {
        "imageUrl": _image(call, offer, offer.image_variants[0]),
        "subject": offer.subject,
        "subjectTrans": offer.subject_en,
        "priceInfo": {"price": _price_text(offer, price, stock).split("-")[0] or str(Decimal(0))},
        "offerId": offer.offer_id,
        "monthSold": offer.month_sold,
        "sellerIdentities": _seller_identities(offer.supplier),
        "offerIdentities": _offer_identities(offer),
        "topCategoryId": top,
        "secondCategoryId": second,
        "thirdCategoryId": third,
    }


def related_to(offer: SandboxOffer) -> list[SandboxOffer]:
    """The offers answered for `offer`, in answer order (the same item, look-alikes, neighbours)."""
    others = SandboxOffer.objects.select_related("supplier").exclude(pk=offer.pk)
    same = list(others.filter(same_item_group=offer.same_item_group).order_by("offer_id")) if offer.same_item_group \
        else []  # fmt: skip
    seen = {o.pk for o in same}
    alike = [o for o in others.filter(image_family=offer.image_family).order_by("offer_id") if o.pk not in seen]
    seen |= {o.pk for o in alike[:LOOK_ALIKES]}
    near = [o for o in others.filter(category_id=offer.category_id).order_by("offer_id")[:50] if o.pk not in seen]
    return (same + alike[:LOOK_ALIKES] + near[:NEIGHBOURS])[:MAX_PAGE]


@api(CROSSBORDER, "product.related.recommend", required=("relatedQueryParams",))
def related_recommend(call: Call):
    query = call.json_param("relatedQueryParams")
    for name in ("offerId", "pageNo", "pageSize", "language"):
        if query.get(name) in (None, ""):
            raise business_error("400", f"{name} is required")
    number = whole_number("offerId", query["offerId"])
    size = whole_number("pageSize", query["pageSize"])
    page = whole_number("pageNo", query["pageNo"])
    if size < 1 or size > MAX_PAGE or page < 1:
        raise business_error("400", "pageSize must be 1-10 and pageNo at least 1")
    offer = SandboxOffer.objects.filter(offer_id=number).first()
    if offer is None:
        raise business_error("404", f"商品[{number}]不存在 (offer not found)")
    found = related_to(offer)[(page - 1) * size : page * size]
    return {"result": {"success": True, "code": "S0000", "message": "成功", "result": [_item(call, o) for o in found]}}
