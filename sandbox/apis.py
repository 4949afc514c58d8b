"""The sandbox's API handlers, answering in the response shapes of spec §10."""

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

from . import images
from .catalog import drift, open_uid_of, tier_prices
from .gateway import Call, api, business_error, gateway_time
from .models import SandboxCategory, SandboxOffer, SandboxSupplier, SandboxUploadedImage

CROSSBORDER = "com.alibaba.fenxiao.crossborder"
MAX_PAGE_SIZE = 50


def _ok(result) -> dict:
    return {"result": {"success": True, "code": "200", "message": "success", "result": result}}


def _drift(offer):
    return drift(offer, settings.SANDBOX_DRIFT_SECONDS)


def _image(call: Call, offer: SandboxOffer, variant: int) -> str:
    return f"{call.image_base}ibank/{offer.image_family}_{variant}.png"


def _category_levels(leaf_id: int) -> tuple[int, int, int]:
    return leaf_id // 10000, leaf_id // 100, leaf_id


def _offer_item(call: Call, offer: SandboxOffer) -> dict:
    price, _stock = _drift(offer)
    supplier = offer.supplier
    top, second, third = _category_levels(offer.category_id)
    return {
        "offerId": offer.offer_id,
        "subject": offer.subject,
        "subjectTrans": offer.subject_en,
        "imageUrl": _image(call, offer, offer.image_variants[0]),
        "priceInfo": {"price": str(price), "consignPrice": str((price * Decimal("1.08")).quantize(Decimal("0.01")))},
        "minOrderQuantity": offer.min_order_quantity,
        "monthSold": offer.month_sold,
        "repurchaseRate": f"{supplier.repurchase_rate}%",
        "topCategoryId": top,
        "secondCategoryId": second,
        "thirdCategoryId": third,
        "isJxhy": offer.offer_id % 5 == 0,
        "sellerIdentities": ["powerful_merchants"] if supplier.years > 5 else [],
        "sellerDataInfo": {"tpYear": supplier.years, "compositeServiceScore": str(supplier.service_score)},
        "companyName": supplier.company_name,
        "createDate": offer.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "promotionURL": f"https://detail.1688.com/offer/{offer.offer_id}.html",
    }


def _page(call: Call, query: dict, items, load=list) -> dict:
    """One page of offers: `items` is a queryset or a list, `load` turns its slice into offers."""
    try:
        page = max(1, int(query.get("beginPage", 1)))
        size = min(MAX_PAGE_SIZE, max(1, int(query.get("pageSize", 20))))
    except (TypeError, ValueError):
        raise business_error("400", "beginPage and pageSize must be numbers") from None
    total = len(items) if isinstance(items, list) else items.count()
    window = load(items[(page - 1) * size : page * size])
    return _ok(
        {
            "totalRecords": total,
            "totalPage": -(-total // size),
            "pageSize": size,
            "currentPage": page,
            "data": [_offer_item(call, o) for o in window],
        }
    )


def _require(query: dict, *names: str) -> None:
    for name in names:
        if query.get(name) in (None, ""):
            raise business_error("400", f"{name} is required")


def _category_filter(category_id) -> Q:
    try:
        cid = int(category_id)
    except (TypeError, ValueError):
        raise business_error("400", "categoryId must be a number") from None
    digits = len(str(cid))
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
        offers = offers.filter(Q(subject__icontains=term) | Q(subject_en__icontains=term))
    if query.get("categoryId"):
        offers = offers.filter(_category_filter(query["categoryId"]))
    for key, lookup in (("priceStart", "base_price__gte"), ("priceEnd", "base_price__lte")):
        if query.get(key) not in (None, ""):
            try:
                offers = offers.filter(**{lookup: Decimal(str(query[key]))})
            except ArithmeticError:
                raise business_error("400", f"{key} must be a number") from None
    return offers


def _offers():
    return SandboxOffer.objects.select_related("supplier")


@api("system", "currentTime", auth=False, acl=False, metered=False)
def current_time(call: Call):
    return gateway_time()


@api("system", "currentTimeMillis", auth=False, acl=False, metered=False, signed=False)
def current_time_millis(call: Call):
    return int(time.time() * 1000)


@api("com.alibaba.product", "alibaba.category.get", auth=False, required=("categoryID",))
def category_get(call: Call):
    try:
        category_id = int(call.params["categoryID"])
    except ValueError:
        return {"categoryInfo": [], "succes": False, "errorMsg": "categoryID must be a number", "errorCode": "400"}
    if category_id == 0:
        children = SandboxCategory.objects.filter(parent__isnull=True).order_by("id")
        info = {"categoryID": 0, "name": "根类目", "level": 0, "isLeaf": False, "parentIDs": [], "childIDs": []}
    else:
        category = SandboxCategory.objects.filter(pk=category_id).first()
        if category is None:
            return {
                "categoryInfo": [],
                "succes": False,
                "errorMsg": "类目不存在 (no such category)",
                "errorCode": "404",
            }
        children = category.children.order_by("id")
        info = {
            "categoryID": category.id,
            "name": category.name,
            "level": category.level,
            "isLeaf": category.is_leaf,
            "parentIDs": [category.parent_id or 0],
            "minOrderQuantity": 1,
            "categoryType": "1",
        }
    info["childIDs"] = [c.id for c in children]
    info["childCategorys"] = [{"id": c.id, "name": c.name, "isLeaf": c.is_leaf, "categoryType": "1"} for c in children]
    return {"categoryInfo": [info], "succes": True, "errorMsg": None, "errorCode": None}


def _translation(category: SandboxCategory | None, language: str, depth: int = 1) -> dict:
    if category is None:
        roots = SandboxCategory.objects.filter(parent__isnull=True).order_by("id")
        return {
            "categoryId": 0, "chineseName": "根类目", "translatedName": "Root", "language": language, "leaf": False,
            "level": 0, "parentCateId": None, "fromCache": False,
            "children": [_translation(c, language, 0) for c in roots],
        }  # fmt: skip
    node = {
        "categoryId": category.id,
        "chineseName": category.name,
        "translatedName": category.name_en,
        "language": language,
        "leaf": category.is_leaf,
        "level": category.level,
        "parentCateId": category.parent_id or 0,
        "fromCache": False,
    }
    node["children"] = [_translation(c, language, 0) for c in category.children.order_by("id")] if depth else []
    return node


@api(CROSSBORDER, "category.translation.getById", required=("categoryId", "language"))
def category_translation(call: Call):
    try:
        category_id = int(call.params["categoryId"])
    except ValueError:
        raise business_error("400", "categoryId must be a number") from None
    category = SandboxCategory.objects.filter(pk=category_id).first() if category_id else None
    if category_id and category is None:
        raise business_error("404", "类目不存在 (no such category)")
    return _ok(_translation(category, call.params["language"]))


@api(CROSSBORDER, "product.search.keywordQuery", required=("offerQueryParam",))
def keyword_query(call: Call):
    query = call.json_param("offerQueryParam")
    _require(query, "keyword", "beginPage", "pageSize", "country")
    return _page(call, query, _sorted(_filtered(query, _offers()), query.get("sort")))


@api(CROSSBORDER, "product.image.upload", required=("uploadImageParam",))
def image_upload(call: Call):
    param = call.json_param("uploadImageParam")
    _require(param, "imageBase64")
    try:
        data = base64.b64decode(str(param["imageBase64"]), validate=False)
        image_hash = images.hash_of_upload(data)
    except (binascii.Error, ValueError):
        raise business_error("400", "imageBase64 is not a picture") from None
    image_id = str(int(time.time() * 1000)) + secrets.token_hex(4)
    SandboxUploadedImage.objects.create(image_id=image_id, image_hash=image_hash)
    return _ok(image_id)


@api(CROSSBORDER, "product.search.imageQuery", required=("offerQueryParam",))
def image_query(call: Call):
    query = call.json_param("offerQueryParam")
    _require(query, "imageId", "country")
    upload = SandboxUploadedImage.objects.filter(image_id=str(query["imageId"])).first()
    if upload is None:
        raise business_error("404", "imageId does not exist; upload the picture first")
    offers = _filtered(query, SandboxOffer.objects.all())
    ranked = sorted(
        offers.values_list("pk", "image_hash"), key=lambda row: (images.distance(upload.image_hash, row[1]), row[0])
    )
    # Like the real service, only reasonably similar offers are returned, at most 2,000.
    ranked = [pk for pk, h in ranked if images.distance(upload.image_hash, h) <= 20][:2000]

    def in_rank_order(pks):
        by_pk = _offers().in_bulk(pks)
        return [by_pk[pk] for pk in pks]

    body = _page(call, query, ranked, load=in_rank_order)
    body["result"]["result"]["picRegionInfo"] = {"currentRegion": "0,256,0,256", "yoloCropRegion": "0,256,0,256"}
    return body


def _offer_or_error(offer_id) -> SandboxOffer:
    try:
        offer = _offers().select_related("category").filter(offer_id=int(str(offer_id))).first()
    except ValueError:
        offer = None
    if offer is None:
        raise business_error("404", f"商品[{offer_id}]不存在 (offer not found)")
    return offer


def _spec_id(offer: SandboxOffer, index: int) -> str:
    return hashlib.md5(f"{offer.offer_id}:{index}".encode()).hexdigest()  # noqa: S324 - an id, not security


def _skus(offer: SandboxOffer, price: Decimal, stock: int):
    axes = offer.sku_axes
    combos = list(product(*[values for _name, _en, values in axes])) if axes else []
    for index, combo in enumerate(combos):
        step = Decimal(index % 3) * Decimal("0.5")
        yield index, combo, (price + step).quantize(Decimal("0.01")), stock // max(1, len(combos)) + index


@api(CROSSBORDER, "product.search.queryProductDetail", required=("offerDetailParam",))
def product_detail(call: Call):
    param = call.json_param("offerDetailParam")
    _require(param, "offerId", "country")
    offer = _offer_or_error(param["offerId"])
    price, stock = _drift(offer)
    supplier = offer.supplier
    skus = []
    for index, combo, sku_price, sku_stock in _skus(offer, price, stock):
        skus.append(
            {
                "skuId": offer.offer_id * 100 + index,
                "specId": _spec_id(offer, index),
                "price": str(sku_price),
                "amountOnSale": sku_stock,
                "consignPrice": str((sku_price * Decimal("1.08")).quantize(Decimal("0.01"))),
                "fenxiaoPriceInfo": {"onePiecePrice": str(sku_price), "offerPrice": str(sku_price)},
                "skuAttributes": [
                    {
                        "attributeId": 3216 + axis,
                        "attributeName": offer.sku_axes[axis][0],
                        "attributeNameTrans": offer.sku_axes[axis][1],
                        "value": value[0],
                        "valueTrans": value[1],
                        "skuImageUrl": _image(call, offer, offer.image_variants[0]) if axis == 0 else "",
                    }
                    for axis, value in enumerate(combo)
                ],
            }
        )
    top, second, third = _category_levels(offer.category_id)
    return _ok(
        {
            "offerId": offer.offer_id,
            "categoryId": offer.category_id,
            "categoryName": offer.category.name,
            "subject": offer.subject,
            "subjectTrans": offer.subject_en,
            "description": f"<p>{offer.subject}</p><p>厂家直供，品质保证，欢迎咨询。</p>",
            "descriptionTrans": f"<p>{offer.subject_en}</p><p>Direct from the factory; ask us anything.</p>",
            "productImage": {"images": [_image(call, offer, v) for v in offer.image_variants]},
            "productAttribute": [
                {
                    "attributeId": 100 + i,
                    "attributeName": a[0],
                    "attributeNameTrans": a[1],
                    "value": a[2],
                    "valueTrans": a[3],
                }
                for i, a in enumerate(offer.attributes)
            ],
            "productSkuInfos": skus,
            "productSaleInfo": {
                "amountOnSale": stock,
                "priceRangeList": [{"startQuantity": q, "price": str(p)} for q, p in tier_prices(offer, price)],
                "quoteType": 1 if skus else 0,
                "unitInfo": {"unit": offer.unit, "transUnit": offer.unit_en},
            },
            "productShippingInfo": {
                "sendGoodsAddressText": f"{supplier.province} {supplier.city}",
                "weight": str(Decimal(offer.weight_grams) / 1000),
                "shippingTimeGuarantee": "48小时发货",
            },
            "minOrderQuantity": offer.min_order_quantity,
            "batchNumber": 1,
            "status": "published",
            "sellerOpenId": supplier.open_uid,
            "companyName": supplier.company_name,
            "sellerDataInfo": {"tpYear": supplier.years, "compositeServiceScore": str(supplier.service_score)},
            "soldOut": stock == 0,
            "topCategoryId": top,
            "secondCategoryId": second,
            "thirdCategoryId": third,
            "createDate": offer.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "promotionUrl": f"https://detail.1688.com/offer/{offer.offer_id}.html",
        }
    )


@api("com.alibaba.product", "alibaba.product.get", required=("productID", "webSite"))
def product_get(call: Call):
    offer = _offer_or_error(call.params["productID"])
    price, stock = _drift(offer)
    sku_infos = [
        {
            "skuId": offer.offer_id * 100 + index,
            "specId": _spec_id(offer, index),
            "price": float(sku_price),
            "amountOnSale": sku_stock,
            "attributes": [
                {"attributeID": 3216 + axis, "attributeDisplayName": offer.sku_axes[axis][0], "attributeValue": v[0]}
                for axis, v in enumerate(combo)
            ],
        }
        for index, combo, sku_price, sku_stock in _skus(offer, price, stock)
    ]
    return {
        "productInfo": {
            "productID": offer.offer_id,
            "productType": "wholesale",
            "categoryID": offer.category_id,
            "categoryName": offer.category.name,
            "subject": offer.subject,
            "description": f"<p>{offer.subject}</p>",
            "status": "published",
            "image": {"images": [_image(call, offer, v) for v in offer.image_variants]},
            "attributes": [
                {"attributeID": 100 + i, "attributeName": a[0], "value": a[2]} for i, a in enumerate(offer.attributes)
            ],
            "skuInfos": sku_infos,
            "saleInfo": {
                "priceRanges": [{"startQuantity": q, "price": float(p)} for q, p in tier_prices(offer, price)],
                "minOrderQuantity": offer.min_order_quantity,
                "amountOnSale": stock,
                "unit": offer.unit,
                "quoteType": 1 if sku_infos else 0,
            },
            "shippingInfo": {"unitWeight": offer.weight_grams / 1000, "sendGoodsAddressText": offer.supplier.city},
            "supplierLoginId": offer.supplier.login_id,
            "sellerLoginId": offer.supplier.login_id,
            "createTime": gateway_time(offer.created_at),
        },
        "success": True,
    }


@api(CROSSBORDER, "product.search.querySellerOfferList", required=("offerQueryParam",))
def seller_offer_list(call: Call):
    query = call.json_param("offerQueryParam")
    _require(query, "sellerOpenId", "country")
    supplier = SandboxSupplier.objects.filter(open_uid=str(query["sellerOpenId"])).first()
    if supplier is None:
        raise business_error("404", "sellerOpenId does not exist")
    return _page(call, query, _sorted(_filtered(query, _offers().filter(supplier=supplier)), query.get("sort")))


@api("com.alibaba.account", "alibaba.account.agent.crossBasic")
def supplier_basic(call: Call):
    login_id, domain = call.params.get("loginId", ""), call.params.get("domain", "")
    if not login_id and not domain:
        return {"success": False, "errorCode": "400", "errorMessage": "loginId or domain is required"}
    supplier = SandboxSupplier.objects.filter(Q(login_id=login_id) if login_id else Q(domain=domain)).first()
    if supplier is None:
        return {"success": False, "errorCode": "404", "errorMessage": "会员不存在 (no such member)"}
    return {
        "result": {
            "loginId": supplier.login_id,
            "categoryName": supplier.main_category.name if supplier.main_category else "",
            "companyName": supplier.company_name,
            "shopUrl": f"https://{supplier.domain}",
            "supplierName": supplier.company_name,
            "kuaJingBao": supplier.years > 3,
        },
        "success": True,
    }


@api("com.alibaba.account", "alibaba.account.basic")
def account_basic(call: Call):
    account = call.account
    return {
        "result": {"loginId": account.login_id, "memberId": account.member_id, "userId": account.ali_id},
        "success": True,
    }


@api("com.alibaba.account", "loginid.openuid.encrypt", required=("loginId",), needs_timestamp=True)
def openuid_encrypt(call: Call):
    return {"openUid": open_uid_of(call.params["loginId"]), "success": True}


@api("com.alibaba.account", "account.wangwangUrl.get", required=("toOpenUid",))
def wangwang_url(call: Call):
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
    body = product_get(
        Call(call.app, {**call.params, "productID": call.params["productId"]}, call.account, call.image_base)
    )
    return {"productInfo": body["productInfo"], "bizGroupInfos": [], "success": True, "message": None}


@api("com.alibaba.product", "alibaba.cross.productList", required=("productIdList",))
def cross_product_list(call: Call):
    try:
        ids = [int(i) for i in json.loads(call.params["productIdList"])]
    except (ValueError, TypeError):
        raise business_error("400", "productIdList must be a JSON array of numbers") from None
    found = {o.offer_id for o in SandboxOffer.objects.filter(offer_id__in=ids)}
    products = [product_get(Call(call.app, {"productID": str(i)}, call.account, call.image_base))["productInfo"]
                for i in ids if i in found]  # fmt: skip
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
    return {"wangwangNick": supplier.login_id, "success": True}


@api("com.alibaba.trade", "alibaba.trade.getBuyerOrderList")
def buyer_order_list(call: Call):
    # The sandbox takes no orders, so every buyer's order list is empty.
    return {"result": [], "totalRecord": 0, "success": True}
