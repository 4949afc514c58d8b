"""The sparse answer profile: answers that omit, null and stringify fields as live 1688 answers do.

Live search items often lack the MOQ, the promotion link, the category ids, the seller data, the
listing date and the shipping info; live details may lack or null the company and category names,
the attribute table, the unit, the shipping info, the sales count and the English title; numbers
often arrive as strings. Which fields an offer lacks is decided by its offer id alone, so the same
offer is always sparse the same way, and about SHARE percent of offers lack each field
(docs/sparse-answers.md).
"""

import hashlib

SHARE = 35  # percent of offers that lack a given field
STRING_SHARE = 50  # percent of offers whose numbers arrive as strings

# Search items (keywordQuery, imageQuery, querySellerOfferList): field → the keys it drops together.
SEARCH_FIELDS = {
    "minOrderQuantity": ("minOrderQuantity",),
    "promotionURL": ("promotionURL",),
    "categoryIds": ("topCategoryId", "secondCategoryId", "thirdCategoryId"),
    "sellerDataInfo": ("sellerDataInfo",),
    "createDate": ("createDate",),
    "shipping": ("productSimpleShippingInfo",),
}
SEARCH_NUMBERS = ("monthSold", "minOrderQuantity", "topCategoryId", "secondCategoryId", "thirdCategoryId")
# queryProductDetail: the top-level fields that may be missing or null (unitInfo sits in productSaleInfo).
DETAIL_FIELDS = ("companyName", "categoryName", "productAttribute", "productShippingInfo", "soldOut", "subjectTrans")
DETAIL_NUMBERS = ("categoryId", "minOrderQuantity", "batchNumber", "topCategoryId", "secondCategoryId",
                  "thirdCategoryId")  # fmt: skip


def roll(offer_id, what: str) -> int:
    """A number 0-99 fixed by the offer id and what is being decided."""
    seed = hashlib.sha256(f"{offer_id}:{what}".encode()).digest()
    return int.from_bytes(seed[:4], "big") % 100


def lacks(offer_id, name: str) -> bool:
    """Whether this offer's answers leave out (or null) the field `name`."""
    return roll(offer_id, name) < SHARE


def strings(offer_id) -> bool:
    """Whether this offer's numbers arrive as strings."""
    return roll(offer_id, "numbers-as-strings") < STRING_SHARE


def _drop(offer_id, holder: dict, name: str, keys) -> None:
    nulled = roll(offer_id, f"null:{name}") % 2 == 0  # half of the missing fields come as null instead
    for key in keys:
        if key in holder:
            if nulled:
                holder[key] = None
            else:
                del holder[key]


def _stringify(holder: dict, keys) -> None:
    for key in keys:
        value = holder.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            holder[key] = str(value)


def search_item(offer_id, item: dict) -> dict:
    """A search item as live answers send it: some fields missing or null, numbers perhaps strings."""
    for name, keys in SEARCH_FIELDS.items():
        if lacks(offer_id, f"search:{name}"):
            _drop(offer_id, item, name, keys)
    if strings(offer_id):
        _stringify(item, SEARCH_NUMBERS)
        if isinstance(item.get("sellerDataInfo"), dict):
            _stringify(item["sellerDataInfo"], ("tpYear",))
    return item


def detail(offer_id, answer: dict) -> dict:
    """A queryProductDetail model as live answers send it."""
    for name in DETAIL_FIELDS:
        if lacks(offer_id, f"detail:{name}"):
            _drop(offer_id, answer, name, (name,))
    sale = answer.get("productSaleInfo")
    if isinstance(sale, dict) and lacks(offer_id, "detail:unitInfo"):
        _drop(offer_id, sale, "unitInfo", ("unitInfo",))
    if strings(offer_id):
        _stringify(answer, DETAIL_NUMBERS)
        if isinstance(sale, dict):
            _stringify(sale, ("amountOnSale", "quoteType"))
            for tier in sale.get("priceRangeList") or []:
                _stringify(tier, ("startQuantity",))
        if isinstance(answer.get("productShippingInfo"), dict):
            _stringify(answer["productShippingInfo"], ("weight",))
        for sku in answer.get("productSkuInfos") or []:
            _stringify(sku, ("amountOnSale",))
    return answer
