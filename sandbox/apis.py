"""The sandbox's API handlers, answering in the live shapes of spec §10 (docs/1688-answers.md).

Every answer sends only fields that 1688's own answer of that API has (tests/alibaba/recorded/
holds one documented answer per API, and a test compares field paths), including the awkward
parts: numbers as strings, price ranges, `"data": null` on an empty page, relative image paths,
tracking parameters on offer links, search totals capped at 2,000.
"""

import base64
import binascii
import hashlib
import json
import secrets
import time
from decimal import Decimal
from itertools import product
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q

from . import images, sparse, trade
from .catalog import drift, open_uid_of, quote_type, sales_count, shipping_guarantee, tier_prices
from .gateway import (
    BEIJING,
    INT_MAX,
    Call,
    api,
    business_error,
    decimal_number,
    gateway_time,
    whole_number,
)
from .models import SandboxAccount, SandboxCategory, SandboxOffer, SandboxSupplier, SandboxUploadedImage

CROSSBORDER = "com.alibaba.fenxiao.crossborder"
MAX_PAGE_SIZE = 50
MAX_RECORDS = 2000  # live search answers count and serve at most 2,000 records


def _ok(result, success=True) -> dict:
    return {"result": {"success": success, "code": "200", "message": "success", "result": result}}


def _drift(offer):
    return drift(offer, settings.SANDBOX_DRIFT_SECONDS)


def _image(call: Call, offer: SandboxOffer, variant: int) -> str:
    return f"{call.image_base}ibank/{offer.image_family}_{variant}.png"


def _relative_image(offer: SandboxOffer, variant: int) -> str:
    """alibaba.product.get's form: relative to the image host (the sandbox serves it at /sandbox/img/)."""
    return f"img/ibank/{offer.image_family}_{variant}.png"


def _option_image(base: str, offer: SandboxOffer, value) -> str:
    """The picture of an option of the first SKU axis (its colour), under `base` (absolute or relative)."""
    values = offer.sku_axes[0][2] if offer.sku_axes else []
    option = values.index(list(value)) if list(value) in values else 0
    return f"{base}ibank/opt/{offer.image_family}_{option}.png"


def _detail_image(call: Call, offer: SandboxOffer, part: int) -> str:
    return f"{call.image_base}ibank/desc/{offer.image_family}_{part}.png"


def _description(call: Call, offer: SandboxOffer) -> str:
    """The seller's description in the form 1688's editor leaves: mostly 750-px detail images in paragraphs,
    a little text, inline styles, `&nbsp;`, absolute image URLs on the image host (docs/offer-content.md)."""
    parts = 3 + offer.offer_id % 4
    pictures = "".join(
        f'<p><img src="{_detail_image(call, offer, n)}" alt="undefined" width="750" style="display:block"></p>'
        for n in range(parts)
    )
    return (
        f'<p style="text-align:center;"><span style="font-size:18px;"><strong>{offer.subject}</strong></span></p>'
        f"<p>&nbsp;</p>{pictures}"
        '<p style="color:#666666;">厂家直供，品质保证，支持定制，欢迎咨询。</p>'
    )


def _videos(call: Call, offer: SandboxOffer) -> tuple[str, str]:
    """(main video, detail video) links: about one offer in three has a main video, one in six a detail one too."""
    base = call.image_base.removesuffix("img/")
    main = f"{base}video/{offer.image_family}.gif" if offer.offer_id % 3 == 0 else ""
    detail = f"{base}video/{offer.image_family + 1}.gif" if offer.offer_id % 6 == 0 else ""
    return main, detail


def _category_levels(leaf_id: int) -> tuple[int, int, int]:
    return leaf_id // 10000, leaf_id // 100, leaf_id


def _promotion_url(offer: SandboxOffer) -> str:
    """The offer page with tracking parameters, as 1688's promotionURL carries them."""
    refer = (
        base64.b32encode(hashlib.sha1(str(offer.offer_id).encode(), usedforsecurity=False).digest())
        .decode()
        .rstrip("=")
    )
    return f"https://detail.1688.com/offer/{offer.offer_id}.html?fromkv=refer:{refer}&kjSource=pc"


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _spec_id(offer: SandboxOffer, index: int) -> str:
    return hashlib.md5(f"{offer.offer_id}:{index}".encode(), usedforsecurity=False).hexdigest()  # an id


def _skus(offer: SandboxOffer, price: Decimal, stock: int):
    axes = offer.sku_axes
    combos = list(product(*[values for _name, _en, values in axes])) if axes else []
    for index, combo in enumerate(combos):
        step = Decimal(index % 3) * Decimal("0.5")
        sku_stock = 0 if stock == 0 else stock // max(1, len(combos)) + index
        yield index, combo, (price + step).quantize(Decimal("0.01")), sku_stock


def _price_text(offer: SandboxOffer, price: Decimal, stock: int) -> str:
    """priceInfo.price: one price, or "low-high" when the SKUs' prices differ."""
    prices = {p for _i, _c, p, _s in _skus(offer, price, stock)} or {price}
    low, high = min(prices), max(prices)
    return _money(low) if low == high else f"{_money(low)}-{_money(high)}"


def _seller_identities(supplier: SandboxSupplier) -> list[str]:
    """sellerIdentities codes as the field table names them (super_factory, powerful_merchants, tp_member)."""
    codes = ["super_factory"] if supplier.pk % 5 == 0 else []
    if supplier.years > 5:
        codes.append("powerful_merchants")
    return [*codes, "tp_member"]


def _offer_identities(offer: SandboxOffer) -> list[str]:
    """offerIdentities: 严选 (yx) on some offers, and 源头工厂 as a word, as the detail example sends 实力商家."""
    words = ["yx"] if offer.offer_id % 5 == 0 else []
    return [*words, "源头工厂"] if offer.supplier.pk % 3 == 0 else words


def _seller_scores(supplier: SandboxSupplier) -> dict:
    """sellerDataInfo's scores: strings "0.0"-"5.0" around the composite score, the medal level a string."""
    base = Decimal(supplier.service_score)

    def near(step: int) -> str:
        return str(min(Decimal("5.0"), max(Decimal("1.0"), base + Decimal((supplier.pk * step) % 7 - 3) / 10)))

    return {
        "tradeMedalLevel": str(min(5, 1 + supplier.years // 4)),
        "compositeServiceScore": str(supplier.service_score),
        "logisticsExperienceScore": near(3),
        "disputeComplaintScore": near(5),
        "offerExperienceScore": near(2),
        "afterSalesExperienceScore": near(4),
        "consultingExperienceScore": near(6),
    }


def _trade_score(offer: SandboxOffer) -> str:
    """tradeScore, the offer's rating: a string "4.0"-"5.0"."""
    return str(min(Decimal("5.0"), Decimal("4.0") + Decimal(offer.offer_id % 11) / 10))


def _search_item(call: Call, offer: SandboxOffer) -> dict:
    """An item of keywordQuery (ProductInfoModelV2): no company name, no seller id."""
    price, stock = _drift(offer)
    supplier = offer.supplier
    top, second, third = _category_levels(offer.category_id)
    item = {
        "imageUrl": _image(call, offer, offer.image_variants[0]),
        "subject": offer.subject,
        "subjectTrans": offer.subject_en,
        "offerId": offer.offer_id,
        "isJxhy": offer.offer_id % 5 == 0,
        "priceInfo": {"price": _price_text(offer, price, stock), "consignPrice": _money(price * Decimal("1.08"))},
        "repurchaseRate": f"{supplier.repurchase_rate}%",
        "monthSold": offer.month_sold,
        "isOnePsale": offer.offer_id % 2 == 0,
        "sellerIdentities": _seller_identities(supplier),
        "offerIdentities": _offer_identities(offer),
        "tradeScore": _trade_score(offer),
        "topCategoryId": top,
        "secondCategoryId": second,
        "thirdCategoryId": third,
        "createDate": offer.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
        "minOrderQuantity": offer.min_order_quantity,
        "sellerDataInfo": {
            **_seller_scores(supplier),
            "repeatPurchasePercent": str(supplier.repurchase_rate),
            "tpYear": supplier.years,
        },
        "productSimpleShippingInfo": {"shippingTimeGuarantee": shipping_guarantee(offer)},
        "promotionURL": _promotion_url(offer),
    }
    return _as_profiled(call, offer, item)


def _as_profiled(call: Call, offer: SandboxOffer, item: dict) -> dict:
    """The item as this app's answer profile sends it (sparse: as live 1688 does, docs/sparse-answers.md)."""
    return sparse.search_item(offer.offer_id, item) if call.app.sparse else item


def _image_item(call: Call, offer: SandboxOffer) -> dict:
    """An item of imageQuery (ProductInfoModelV3): a search item plus the shop's name and region."""
    return {
        **_search_item(call, offer),
        "companyName": offer.supplier.company_name,
        "companyAddress": f"{offer.supplier.province}{offer.supplier.city}",
    }


def _seller_item(call: Call, offer: SandboxOffer) -> dict:
    """An item of querySellerOfferList: the smaller model (no MOQ, category ids or seller data)."""
    price, stock = _drift(offer)
    item = {
        "imageUrl": _image(call, offer, offer.image_variants[0]),
        "subject": offer.subject,
        "subjectTrans": offer.subject_en,
        "offerId": offer.offer_id,
        "isJxhy": offer.offer_id % 5 == 0,
        "repurchaseRate": f"{offer.supplier.repurchase_rate}%",
        "monthSold": offer.month_sold,
        "isOnePsale": offer.offer_id % 2 == 0,
        "priceInfo": {"price": _price_text(offer, price, stock), "consignPrice": _money(price * Decimal("1.08"))},
        "createDate": offer.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
        "isSelect": "false",
        "promotionURL": _promotion_url(offer),
    }
    return _as_profiled(call, offer, item)


def _page(call: Call, query: dict, items, *, item=_search_item, load=list, success=True) -> dict:
    """One page of offers: `items` is a queryset or a list, `load` turns its slice into offers.

    Like 1688: totalRecords is capped at 2,000, totalPage is floor(total / size) + 1, nothing past
    the 2,000th record is served, and an empty page says "data": null.
    """
    page = max(1, whole_number("beginPage", query.get("beginPage", 1), maximum=INT_MAX))
    size = min(MAX_PAGE_SIZE, max(1, whole_number("pageSize", query.get("pageSize", 20), maximum=INT_MAX)))
    total = min(MAX_RECORDS, len(items) if isinstance(items, list) else items.count())
    start = (page - 1) * size
    window = load(items[start : min(page * size, total)]) if start < total else []
    data = [item(call, o) for o in window]
    return _ok(
        {"totalRecords": total, "totalPage": total // size + 1, "pageSize": size, "currentPage": page,
         "data": data or None},
        success=success,
    )  # fmt: skip


def _require(query: dict, *names: str) -> None:
    for name in names:
        if query.get(name) in (None, ""):
            raise business_error("400", f"{name} is required")


def _category_filter(cid: int) -> Q:
    digits = len(str(abs(cid)))
    if digits == 4:
        return Q(category_id__gte=cid * 10000, category_id__lt=(cid + 1) * 10000)
    if digits == 6:
        return Q(category_id__gte=cid * 100, category_id__lt=(cid + 1) * 100)
    return Q(category_id=cid)


def _sorted(offers, sort):
    if isinstance(sort, str) and sort:
        try:
            sort = json.loads(sort)
        except ValueError:
            sort = {}
    if isinstance(sort, dict):
        for field, direction in sort.items():
            column = {"price": "base_price", "monthSold": "month_sold", "createDate": "created_at"}.get(field)
            if column:
                return offers.order_by(("-" if str(direction).lower() == "desc" else "") + column, "offer_id")
    return offers.order_by("-month_sold", "offer_id")


def _filtered(query: dict, offers):
    for term in str(query.get("keyword") or "").split():
        condition = Q(subject__icontains=term) | Q(subject_en__icontains=term)
        for category_id in SandboxCategory.objects.filter(name=term).values_list("id", flat=True)[:5]:
            condition |= _category_filter(category_id)  # like 1688, a category's name finds its offers
        offers = offers.filter(condition)
    if query.get("categoryId") not in (None, ""):
        category_id = whole_number("categoryId", query["categoryId"])
        if category_id:
            offers = offers.filter(_category_filter(category_id))
    for key, lookup in (("priceStart", "base_price__gte"), ("priceEnd", "base_price__lte")):
        if query.get(key) not in (None, ""):
            offers = offers.filter(**{lookup: decimal_number(key, query[key])})
    return offers


def _offers():
    """The offers on sale: a delisted one (sandbox_offer --delist) is not found by any API."""
    return SandboxOffer.objects.filter(listed=True).select_related("supplier")


@api("system", "currentTime", auth=False, acl=False, metered=False)
def current_time(call: Call):
    return gateway_time()


@api("system", "currentTimeMillis", auth=False, acl=False, metered=False, signed=False)
def current_time_millis(call: Call):
    return int(time.time() * 1000)


def _category_error(code: str, message: str) -> dict:
    return {"categoryInfo": [], "succes": "false", "errorMsg": message, "errorCode": code}


@api("com.alibaba.product", "alibaba.category.get", auth=False, required=("categoryID",))
def category_get(call: Call):
    # Live answers: `succes` (sic) is a string; `level` and `childIDs` are not filled on 1688.
    category_id = whole_number("categoryID", call.params["categoryID"])
    if category_id < 0:
        return _category_error("400", "categoryID must be 0 or more")
    if category_id == 0:
        children = SandboxCategory.objects.filter(parent__isnull=True).order_by("id")
        info = {"categoryID": 0, "name": "根类目", "isLeaf": False, "parentIDs": []}
    else:
        category = SandboxCategory.objects.filter(pk=category_id).first()
        if category is None:
            return _category_error("404", "类目不存在 (no such category)")
        children = category.children.order_by("id")
        info = {
            "categoryID": category.id,
            "name": category.name,
            "isLeaf": category.is_leaf,
            "parentIDs": [category.parent_id or 0],
            "minOrderQuantity": 1,
            "categoryType": "1",
            "isSupportProcessing": False,
        }
    info["childCategorys"] = [{"id": c.id, "name": c.name, "isLeaf": c.is_leaf, "categoryType": "1"} for c in children]
    return {"categoryInfo": [info], "succes": "true"}


def _translation(category: SandboxCategory | None, language: str, depth: int = 1) -> dict:
    if category is None:
        roots = SandboxCategory.objects.filter(parent__isnull=True).order_by("id")
        return {
            "categoryId": 0, "chineseName": "根类目", "translatedName": "Root", "language": language, "leaf": False,
            "level": "0", "parentCateId": 0, "fromCache": False,
            "children": [_translation(c, language, 0) for c in roots],
        }  # fmt: skip
    node = {
        "categoryId": category.id,
        "chineseName": category.name,
        "translatedName": category.name_en,
        "language": language,
        "leaf": category.is_leaf,
        "level": str(category.level),
        "parentCateId": category.parent_id or 0,
        "fromCache": False,
    }
    if depth:
        node["children"] = [_translation(c, language, 0) for c in category.children.order_by("id")]
    return node


@api(CROSSBORDER, "category.translation.getById", required=("categoryId", "language"))
def category_translation(call: Call):
    category_id = whole_number("categoryId", call.params["categoryId"])
    category = SandboxCategory.objects.filter(pk=category_id).first() if category_id else None
    if category_id and category is None:
        raise business_error("404", "类目不存在 (no such category)")
    return {"result": {"success": True, "code": "S0000", "message": "成功",
                       "result": _translation(category, call.params["language"])}}  # fmt: skip


@api(CROSSBORDER, "product.search.keywordQuery", required=("offerQueryParam",))
def keyword_query(call: Call):
    query = call.json_param("offerQueryParam")
    _require(query, "keyword", "beginPage", "pageSize", "country")
    return _page(call, query, _sorted(_filtered(query, _offers()), query.get("sort")))


@api(CROSSBORDER, "product.image.upload", required=("uploadImageParam",))
def image_upload(call: Call):
    # `success` is a String in this API's answer.
    param = call.json_param("uploadImageParam")
    _require(param, "imageBase64")
    try:
        data = base64.b64decode(str(param["imageBase64"]), validate=False)
        image_hash = images.hash_of_upload(data)
    except (binascii.Error, ValueError):
        return {"result": {"success": "false", "code": "400", "message": "imageBase64 is not a picture"}}
    image_id = str(int(time.time() * 1000)) + secrets.token_hex(4)
    SandboxUploadedImage.objects.create(image_id=image_id, image_hash=image_hash)
    return _ok(image_id, success="true")


@api(CROSSBORDER, "product.search.imageQuery", required=("offerQueryParam",))
def image_query(call: Call):
    # `success` is a String in this API's answer.
    query = call.json_param("offerQueryParam")
    _require(query, "imageId", "country")
    upload = SandboxUploadedImage.objects.filter(image_id=str(query["imageId"])).first()
    if upload is None:
        return {"result": {"success": "false", "code": "404",
                           "message": "imageId does not exist; upload the picture first"}}  # fmt: skip
    offers = _filtered(query, SandboxOffer.objects.filter(listed=True))
    ranked = sorted(
        offers.values_list("pk", "image_hash"), key=lambda row: (images.distance(upload.image_hash, row[1]), row[0])
    )
    # Like the real service, only reasonably similar offers are returned.
    ranked = [pk for pk, h in ranked if images.distance(upload.image_hash, h) <= 20]

    def in_rank_order(pks):
        by_pk = _offers().in_bulk(pks)
        return [by_pk[pk] for pk in pks]

    body = _page(call, query, ranked, item=_image_item, load=in_rank_order, success="true")
    body["result"]["result"]["picRegionInfo"] = {"currentRegion": "0,256,0,256", "yoloCropRegion": "0,256,0,256"}
    return body


def _offer_or_none(name: str, offer_id) -> SandboxOffer | None:
    number = whole_number(name, offer_id)
    return _offers().select_related("category").filter(offer_id=number).first()


def _offer_or_error(name: str, offer_id) -> SandboxOffer:
    offer = _offer_or_none(name, offer_id)
    if offer is None:
        raise business_error("404", f"商品[{offer_id}]不存在 (offer not found)")
    return offer


@api(CROSSBORDER, "product.search.queryProductDetail", required=("offerDetailParam",))
def product_detail(call: Call):
    param = call.json_param("offerDetailParam")
    _require(param, "offerId", "country")
    offer = _offer_or_error("offerId", param["offerId"])
    price, stock = _drift(offer)
    supplier = offer.supplier
    skus = []
    for index, combo, sku_price, sku_stock in _skus(offer, price, stock):
        attributes = []
        for axis, value in enumerate(combo):
            attribute = {
                "attributeId": 3216 + axis,
                "attributeName": offer.sku_axes[axis][0],
                "attributeNameTrans": offer.sku_axes[axis][1],
                "value": value[0],
                "valueTrans": value[1],
            }
            if axis == 0:
                attribute["skuImageUrl"] = _option_image(call.image_base, offer, value)
            attributes.append(attribute)
        skus.append(
            {
                "amountOnSale": sku_stock,
                "price": str(sku_price),
                "skuId": offer.offer_id * 100 + index,
                "specId": _spec_id(offer, index),
                "skuAttributes": attributes,
                "consignPrice": _money(sku_price * Decimal("1.08")),
                "fenxiaoPriceInfo": {"onePiecePrice": str(sku_price), "offerPrice": str(sku_price)},
            }
        )
    top, second, third = _category_levels(offer.category_id)
    answer = {
            "offerId": offer.offer_id,
            "categoryId": offer.category_id,
            "categoryName": offer.category.name,
            "subject": offer.subject,
            "subjectTrans": offer.subject_en,
            "description": _description(call, offer),
            "mainVideo": _videos(call, offer)[0],
            "detailVideo": _videos(call, offer)[1],
            "productImage": {"images": [_image(call, offer, v) for v in offer.image_variants]},
            "productAttribute": [
                {
                    "attributeId": str(100 + i),
                    "attributeName": a[0],
                    "value": a[2],
                    "attributeNameTrans": a[1],
                    "valueTrans": a[3],
                }
                for i, a in enumerate(offer.attributes)
            ],
            "productSkuInfos": skus,
            "productSaleInfo": {
                "amountOnSale": stock,
                "priceRangeList": [{"startQuantity": q, "price": str(p)} for q, p in tier_prices(offer, price)],
                "quoteType": quote_type(offer),
                "consignPrice": _money(price * Decimal("1.08")),
                "unitInfo": {"unit": offer.unit, "transUnit": offer.unit_en},
            },
            "productShippingInfo": {
                "sendGoodsAddressText": f"{supplier.province} {supplier.city}",
                "weight": offer.weight_grams / 1000,
                "shippingTimeGuarantee": shipping_guarantee(offer),
            },
            "isJxhy": offer.offer_id % 5 == 0,
            "sellerOpenId": supplier.open_uid,
            "sellerMixSetting": _mix_setting(supplier),
            "minOrderQuantity": offer.min_order_quantity,
            "batchNumber": 1,
            "status": "published",
            "sellerDataInfo": {  # scores but no tpYear, as in the published example
                **_seller_scores(supplier),
                "repeatPurchasePercent": str(Decimal(supplier.repurchase_rate) / 100),
            },
            "tagInfoList": [{"key": "isOnePsale", "value": offer.offer_id % 2 == 0}],
            "tradeScore": _trade_score(offer),
            "offerIdentities": [*_offer_identities(offer), *(["实力商家"] if supplier.years > 5 else [])],
            "soldOut": str(sales_count(offer)),
            "topCategoryId": top,
            "secondCategoryId": second,
            "thirdCategoryId": third,
            "createDate": offer.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
            "promotionUrl": _promotion_url(offer),
            "descriptionTrans": f"<p>{offer.subject_en}</p><p>Direct from the factory; ask us anything.</p>",
            "companyName": supplier.company_name,
        }  # fmt: skip
    return _ok(sparse.detail(offer.offer_id, answer) if call.app.sparse else answer)


def _mix_setting(supplier: SandboxSupplier) -> dict:
    """sellerMixSetting: whether the seller sells mixed batches (混批), and from how many yuan or pieces."""
    mix = trade.mix_setting(supplier)
    return {"generalHunpi": mix.allowed, "mixAmount": mix.amount, "mixNumber": mix.number}


def _product_info(offer: SandboxOffer, call: Call) -> dict:
    """The classic ProductInfo of alibaba.product.get, in the published sample's form.

    SKU attributes carry only attributeID and attributeValue; the product's attribute list names
    the first SKU axis only. Images are relative. Quote type 2 leaves the SKU price out, and some
    offers leave out the unit and the shipping address, as live answers do.
    """
    price, stock = _drift(offer)
    quote = quote_type(offer)
    sku_infos = []
    for index, combo, sku_price, sku_stock in _skus(offer, price, stock):
        attributes = []
        for axis, value in enumerate(combo):
            attribute = {"attributeID": 3216 + axis, "attributeValue": value[0]}
            if axis == 0:
                attribute["skuImageUrl"] = _option_image("img/", offer, value)
            attributes.append(attribute)
        sku = {"attributes": attributes, "cargoNumber": "", "amountOnSale": sku_stock,
               "skuId": offer.offer_id * 100 + index, "specId": _spec_id(offer, index)}  # fmt: skip
        if quote != 2:
            sku["price"] = float(sku_price)
        sku_infos.append(sku)
    attributes = [
        {"attributeID": 100 + i, "attributeName": a[0], "value": a[2], "isCustom": False}
        for i, a in enumerate(offer.attributes)
    ]
    if offer.sku_axes:  # the first SKU axis is also a product attribute, with each of its values
        name, _en, values = offer.sku_axes[0]
        attributes += [{"attributeID": 3216, "attributeName": name, "value": v[0], "isCustom": False} for v in values]
    sale = {
        "priceRanges": [{"startQuantity": q, "price": float(p)} for q, p in tier_prices(offer, price)],
        "amountOnSale": stock,
        "minOrderQuantity": offer.min_order_quantity,
        "quoteType": quote,
    }
    shipping = {"unitWeight": offer.weight_grams / 1000}
    if offer.offer_id % 4:  # about one offer in four has neither (both "may be missing")
        sale["unit"] = offer.unit
        shipping["sendGoodsAddressText"] = f"{offer.supplier.province} {offer.supplier.city}"
    return {
        "productID": offer.offer_id,
        "productType": "wholesale",
        "categoryID": offer.category_id,
        "categoryName": offer.category.name,
        "attributes": attributes,
        "status": "published",
        "subject": offer.subject,
        "description": _description(call, offer),
        "image": {"images": [_relative_image(offer, v) for v in offer.image_variants]},
        "skuInfos": sku_infos,
        "saleInfo": sale,
        "shippingInfo": shipping,
        "supplierLoginId": offer.supplier.login_id,
        "sellerLoginId": offer.supplier.login_id,
        "createTime": gateway_time(offer.created_at),
        **{name: url for name, url in zip(("mainVedio", "detailVedio"), _videos(call, offer), strict=True) if url},
    }


@api("com.alibaba.product", "alibaba.product.get", required=("productID", "webSite"))
def product_get(call: Call):
    """Only the authorising account's own products (1688: "只能查询自己所有的产品").

    The sandbox's rule: an offer is the account's own when its supplier's login id is the login id
    the account authorised with. Anything else gets the business refusal in `errMsg`.
    """
    offer = _offer_or_none("productID", call.params["productID"])
    if offer is None:
        return {"errMsg": f"商品[{call.params['productID']}]不存在"}
    if call.account is None or offer.supplier.login_id != call.account.login_id:
        return {"errMsg": f"只能查询自己所有的产品 (product {offer.offer_id} is not this account's own)"}
    return {"productInfo": _product_info(offer, call), "bizGroupInfos": []}


@api(CROSSBORDER, "product.search.querySellerOfferList", required=("offerQueryParam",))
def seller_offer_list(call: Call):
    query = call.json_param("offerQueryParam")
    _require(query, "sellerOpenId", "country")
    supplier = SandboxSupplier.objects.filter(open_uid=str(query["sellerOpenId"])).first()
    if supplier is None:
        raise business_error("404", "sellerOpenId does not exist")
    offers = _sorted(_filtered(query, _offers().filter(supplier=supplier)), query.get("sort"))
    return _page(call, query, offers, item=_seller_item)


def _account_result(login_id: str) -> dict:
    supplier = SandboxSupplier.objects.select_related("main_category").filter(login_id=login_id).first()
    if supplier is None:
        return {}
    return {
        "loginId": supplier.login_id,
        "categoryName": supplier.main_category.name if supplier.main_category else "",
        "companyName": supplier.company_name,
        "shopUrl": f"https://{supplier.domain}",
        "supplierName": supplier.company_name,
        "kuaJingBao": supplier.years > 3,
    }


@api("com.alibaba.account", "alibaba.account.agent.crossBasic")
def supplier_basic(call: Call):
    # By login id or shop domain only: no crossborder answer's seller id is accepted here.
    login_id, domain = call.params.get("loginId", ""), call.params.get("domain", "")
    if not login_id and not domain:
        return {"success": False, "errorCode": "400", "errorMessage": "loginId or domain is required"}
    if not login_id:
        host = domain.strip().lower().removeprefix("https://").removeprefix("http://").split("/")[0]
        login_id = SandboxSupplier.objects.filter(domain=host).values_list("login_id", flat=True).first() or ""
    result = _account_result(login_id) if login_id else {}
    if not result:
        return {"success": False, "errorCode": "404", "errorMessage": "会员不存在 (no such member)"}
    return {"result": result, "success": True}


@api("com.alibaba.account", "alibaba.account.basic")
def account_basic(call: Call):
    """The authorising account; a supplier's login id also brings its company and shop."""
    account: SandboxAccount = call.account
    result = {
        "loginId": account.login_id,
        "memberId": account.member_id,
        "openUid": _open_uid(account.login_id),
    }
    if account.ali_id.isdigit():
        result["userId"] = int(account.ali_id)
    supplier = SandboxSupplier.objects.filter(login_id=account.login_id).first()
    if supplier is not None:
        result.update(_account_result(supplier.login_id))
        result["tpYear"] = supplier.years
        result["domainInPlatforms"] = [supplier.domain]
    return {"result": result, "success": True}


def _open_uid(login_id: str) -> str:
    """The open uid of a login id: a supplier's stored one, else the same derivation."""
    stored = SandboxSupplier.objects.filter(login_id=login_id).values_list("open_uid", flat=True).first()
    return stored or open_uid_of(login_id)


@api("com.alibaba.account", "loginid.openuid.encrypt", required=("loginId",), needs_timestamp=True)
def openuid_encrypt(call: Call):
    return {"openUid": _open_uid(call.params["loginId"])}


@api("com.alibaba.account", "account.wangwangUrl.get", required=("toOpenUid",))
def wangwang_url(call: Call):
    # Takes the seller's open id as crossborder answers give it (sellerOpenId); the chat link
    # itself names the member, as 1688's web IM links do.
    supplier = SandboxSupplier.objects.filter(open_uid=call.params["toOpenUid"]).first()
    if supplier is None:
        raise business_error("404", "toOpenUid does not belong to a member")
    url = (
        "https://air.1688.com/app/ocms-fusion-components-1688/def_cbu_web_im/index.html"
        f"?touid=cnalichn{quote(supplier.login_id)}&siteid=cnalichn&status=2#/"
    )
    return _ok(url)


# --- Further APIs of spec §10-§11 that the portal does not use yet; answered in their shapes. ---
@api("com.alibaba.product", "alibaba.cross.productInfo", required=("productId",))
def cross_product_info(call: Call):
    return {"productInfo": _product_info(_offer_or_error("productId", call.params["productId"]), call),
            "bizGroupInfos": [], "success": True}  # fmt: skip


@api("com.alibaba.product", "alibaba.cross.productList", required=("productIdList",))
def cross_product_list(call: Call):
    try:
        ids = [whole_number("productIdList", i) for i in json.loads(call.params["productIdList"])]
    except (ValueError, TypeError):
        raise business_error("400", "productIdList must be a JSON array of numbers") from None
    found = {o.offer_id: o for o in _offers().select_related("category").filter(offer_id__in=ids)}
    products = [_product_info(found[i], call) for i in ids if i in found]
    missing = ",".join(f"{i}:商品不存在" for i in ids if i not in found)
    return {"productList": products, "success": True, "message": missing or None}


@api("com.alibaba.product", "alibaba.product.suggest.crossBorder", required=("keyWord",))
def suggest_cross_border(call: Call):
    offers = _sorted(_filtered({"keyword": call.params["keyWord"]}, _offers()), None)[:20]
    rows = []
    for offer in offers:
        price, stock = _drift(offer)
        rows.append({"productID": offer.offer_id, "subject": offer.subject, "picUrl": _image(call, offer, offer.image_variants[0]),
                     "price": str(price), "minPurchaseQuantity": offer.min_order_quantity, "amountOnSale": stock,
                     "saleQuantity": offer.month_sold, "province": offer.supplier.province, "city": offer.supplier.city,
                     "unit": offer.unit})  # fmt: skip
    return {"resultList": rows, "success": "true", "errorCode": None, "errorMsg": None}


@api("com.alibaba.account", "wangwangnick.openuid.decrypt", required=("openUid",), needs_timestamp=True)
def openuid_decrypt(call: Call):
    supplier = SandboxSupplier.objects.filter(open_uid=call.params["openUid"]).first()
    if supplier is None:
        raise business_error("404", "openUid does not belong to a member")
    return {"wangwangNick": supplier.login_id}


# The buying APIs (orders, payment, logistics, freight) live in trade_apis, the Newton agent's batch inquiry in
# newton_apis, the message and follow APIs in message_apis; importing them registers them (so the console's grant
# choices list every API the sandbox serves).
from . import message_apis, newton_apis, related_apis, trade_apis  # noqa: E402, F401
