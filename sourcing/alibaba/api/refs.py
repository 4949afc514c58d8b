"""The APIs the portal calls (ApiRef, PORTAL_APIS by group), the image host, and the one way to call an API."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import errors
from ..client import LIVE_IMAGE_HOST, AlibabaClient

IMAGE_HOST = LIVE_IMAGE_HOST
CROSSBORDER = "com.alibaba.fenxiao.crossborder"
# 1688 search answers count at most this many records; pages past them are never served.
MAX_SEARCH_RECORDS = 2000


# Every API the portal calls, as namespace:name-version, with whether it needs a user token.
@dataclass(frozen=True)
class ApiRef:
    namespace: str
    name: str
    version: int = 1
    needs_token: bool = True

    @property
    def id(self) -> str:
        return f"{self.namespace}:{self.name}-{self.version}"


CATEGORY_GET = ApiRef("com.alibaba.product", "alibaba.category.get", needs_token=False)
CATEGORY_TRANSLATION = ApiRef(CROSSBORDER, "category.translation.getById")
KEYWORD_SEARCH = ApiRef(CROSSBORDER, "product.search.keywordQuery")
IMAGE_UPLOAD = ApiRef(CROSSBORDER, "product.image.upload")
IMAGE_SEARCH = ApiRef(CROSSBORDER, "product.search.imageQuery")
PRODUCT_DETAIL = ApiRef(CROSSBORDER, "product.search.queryProductDetail")
PRODUCT_GET = ApiRef("com.alibaba.product", "alibaba.product.get")
SELLER_OFFERS = ApiRef(CROSSBORDER, "product.search.querySellerOfferList")
SUPPLIER_INFO = ApiRef("com.alibaba.account", "alibaba.account.agent.crossBasic")
OPENUID_ENCRYPT = ApiRef("com.alibaba.account", "loginid.openuid.encrypt")
WANGWANG_URL = ApiRef("com.alibaba.account", "account.wangwangUrl.get")
# Related offers of an offer (相关性商品推荐), a same-item candidate source (docs/1688-protocol.md, "Related offers").
RELATED_RECOMMEND = ApiRef(CROSSBORDER, "product.related.recommend")
RELATED_MAX_PAGE = 10  # "Number per page, maximum 10"
# Buying (docs/1688-answers.md, "Buying").
TRADE = "com.alibaba.trade"
ORDER_PREVIEW = ApiRef(TRADE, "alibaba.createOrder.preview")
FREIGHT_ESTIMATE = ApiRef(CROSSBORDER, "product.freight.estimate")
CREATE_ORDER = ApiRef(TRADE, "alibaba.trade.createCrossOrder")
ORDER_DETAIL = ApiRef(TRADE, "alibaba.trade.get.buyerView")
ORDER_LIST = ApiRef(TRADE, "alibaba.trade.getBuyerOrderList")
PAY_URL = ApiRef(TRADE, "alibaba.alipay.url.get")
CROSS_BORDER_PAY_URL = ApiRef(TRADE, "alibaba.crossBorderPay.url.get")
CANCEL_ORDER = ApiRef(TRADE, "alibaba.trade.cancel")
LOGISTICS_INFOS = ApiRef("com.alibaba.logistics", "alibaba.trade.getLogisticsInfos.buyerView")
LOGISTICS_TRACE = ApiRef("com.alibaba.logistics", "alibaba.trade.getLogisticsTraceInfo.buyerView")
BUYING_APIS = [
    ORDER_PREVIEW, FREIGHT_ESTIMATE, CREATE_ORDER, ORDER_DETAIL, ORDER_LIST, PAY_URL, CROSS_BORDER_PAY_URL,
    CANCEL_ORDER, LOGISTICS_INFOS, LOGISTICS_TRACE,
]  # fmt: skip
# 1688's batch inquiry, part of its Newton agent (docs/inquiries-alerts.md, "1688's batch inquiry"): a long-running
# agent task asks the suppliers, its result holds their answers; asked only when a team sends a request to many
# suppliers with a credential that may.
AGENT = "com.alibaba.agent"
NEWTON_TASK_CREATE = ApiRef(AGENT, "newtoncloud.task.create")
BATCH_INQUIRY_RESULT = ApiRef(AGENT, "newtoncloud.batchInquiry.getResult")
INQUIRY_APIS = [NEWTON_TASK_CREATE, BATCH_INQUIRY_RESULT]
# 1688's message service (docs/1688-messages.md): the app-level replay calls (no token) and following an offer.
OPEN = "cn.alibaba.open"
PUSH_QUERY = ApiRef(OPEN, "push.query.messageList", needs_token=False)
PUSH_CURSOR = ApiRef(OPEN, "push.cursor.messageList", needs_token=False)
PUSH_CONFIRM = ApiRef(OPEN, "push.message.confirm", needs_token=False)
PRODUCT_FOLLOW = ApiRef("com.alibaba.product", "alibaba.product.follow")
PRODUCT_UNFOLLOW = ApiRef("com.alibaba.product", "alibaba.product.unfollow.crossborder")
MESSAGE_APIS = [PUSH_QUERY, PUSH_CURSOR, PUSH_CONFIRM, PRODUCT_FOLLOW, PRODUCT_UNFOLLOW]
# The connected account's own profile; every app may call it, so it is not listed for permissions.
ACCOUNT_BASIC = ApiRef("com.alibaba.account", "alibaba.account.basic")

# Every API the portal calls, grouped by what it enables: each has a permission row per credential (made with the
# credential; migrations add new ones to existing credentials), a "Verify permissions" probe, and the door's local
# refusal once 1688 is seen to deny it. Every probe is safe: no business parameters, and 1688 checks the grant
# before the parameters (docs/1688-protocol.md §6), so it answers gw.ParamMissing (granted) or gw.APIACLDecline
# (denied) and creates or changes nothing. Not listed: what the portal never calls (getLogisticsInfos,
# crossBorderPay.url.get, account.basic) and push.cursor.messageList, which confirms what it reads even when asked
# with no parameters, so no probe of it is safe (the portal reads with push.query.messageList and confirms itself).
PORTAL_API_GROUPS = {
    "search": [
        CATEGORY_GET, CATEGORY_TRANSLATION, KEYWORD_SEARCH, IMAGE_UPLOAD, IMAGE_SEARCH, PRODUCT_DETAIL,
        PRODUCT_GET, SELLER_OFFERS, SUPPLIER_INFO, OPENUID_ENCRYPT, WANGWANG_URL,
    ],
    "buying": [
        ORDER_PREVIEW, FREIGHT_ESTIMATE, CREATE_ORDER, ORDER_DETAIL, ORDER_LIST, PAY_URL, CANCEL_ORDER,
        LOGISTICS_TRACE,
    ],
    "depth": [RELATED_RECOMMEND, NEWTON_TASK_CREATE, BATCH_INQUIRY_RESULT],
    "messages": [PUSH_QUERY, PUSH_CONFIRM, PRODUCT_FOLLOW, PRODUCT_UNFOLLOW],
}  # fmt: skip
PORTAL_APIS = [ref for refs in PORTAL_API_GROUPS.values() for ref in refs]


def result_object(body: Any, api: str) -> Any:
    """What an answer holds at result.result; MalformedResponse when it has no such object."""
    try:
        return body["result"]["result"]
    except (KeyError, TypeError):
        raise errors.MalformedResponse("The answer has no result.", api=api) from None


def call_api(
    client: AlibabaClient, ref: ApiRef, params: dict, access_token: str | None, *, business_check: bool = True
) -> Any:
    """One call of `ref`; the user's token goes along only when the API needs one."""
    return client.call(
        ref.namespace,
        ref.name,
        params,
        access_token=access_token if ref.needs_token else None,
        version=ref.version,
        business_check=business_check,
    )


def server_time(client: AlibabaClient) -> datetime:
    """The gateway's clock (system/currentTime)."""
    return client.server_time()
