"""1688 members: a supplier's profile, the connected account, open uids and WangWang chat links."""

from .. import errors
from ..client import AlibabaClient
from .refs import ACCOUNT_BASIC, OPENUID_ENCRYPT, SUPPLIER_INFO, WANGWANG_URL, call_api, result_object
from .shapes import SupplierInfo
from .values import as_list, int_or_none, is_true


def read_account(raw: dict) -> SupplierInfo:
    """simpleAccountInfo, as crossBasic (a few fields) and account.basic (many) send it."""
    return SupplierInfo(
        login_id=str(raw.get("loginId") or ""),
        company_name=str(raw.get("companyName") or ""),
        supplier_name=str(raw.get("supplierName") or ""),
        shop_url=str(raw.get("shopUrl") or ""),
        category_name=str(raw.get("categoryName") or ""),
        cross_border_member=is_true(raw.get("kuaJingBao")) or is_true(raw.get("crossBorder")),
        member_id=str(raw.get("memberId") or ""),
        user_id=str(raw.get("userId") or ""),
        open_uid=str(raw.get("openUid") or ""),
        seller_name=str(raw.get("sellerName") or ""),
        years=int_or_none(raw.get("tpYear")),
        domains=[str(d) for d in as_list(raw.get("domainInPlatforms")) if d],
    )


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.account:alibaba.account.agent.crossBasic-1
def supplier_info(
    client: AlibabaClient, access_token: str, *, login_id: str | None = None, domain: str | None = None
) -> SupplierInfo:
    """A supplier's company and shop by login id or shop domain (alibaba.account.agent.crossBasic).

    No crossborder answer gives a seller's login id; the shop domain comes from a shop URL.
    """
    if not login_id and not domain:
        raise ValueError("supplier_info needs a login id or a shop domain")
    params = {"loginId": login_id} if login_id else {"domain": domain}
    body = call_api(client, SUPPLIER_INFO, params, access_token)
    raw = body.get("result") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The answer has no result.", api=SUPPLIER_INFO.id)
    return read_account(raw)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.account:alibaba.account.basic-1
def account_basic(client: AlibabaClient, access_token: str) -> SupplierInfo:
    """The connected 1688 account itself: login id, member id, open uid, shop (alibaba.account.basic)."""
    body = call_api(client, ACCOUNT_BASIC, {}, access_token)
    raw = body.get("result") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The answer has no result.", api=ACCOUNT_BASIC.id)
    return read_account(raw)


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.account:loginid.openuid.encrypt-1
def openuid_encrypt(client: AlibabaClient, access_token: str, login_id: str) -> str:
    """The open uid of a login id (loginid.openuid.encrypt; risk-controlled: on a user's click only)."""
    body = call_api(client, OPENUID_ENCRYPT, {"loginId": login_id}, access_token)
    open_uid = body.get("openUid") if isinstance(body, dict) else None
    if not open_uid and isinstance(body, dict) and isinstance(body.get("result"), dict):
        open_uid = body["result"].get("openUid") or body["result"].get("result")
    if not open_uid or not isinstance(open_uid, str):
        raise errors.MalformedResponse("The answer has no openUid.", api=OPENUID_ENCRYPT.id)
    return open_uid


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.account:account.wangwangUrl.get-1
def wangwang_url_for_open_id(client: AlibabaClient, access_token: str, open_id: str) -> str:
    """A WangWang chat link to the member with this open id, e.g. a detail's sellerOpenId."""
    body = call_api(client, WANGWANG_URL, {"toOpenUid": open_id}, access_token)
    url = result_object(body, WANGWANG_URL.id)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise errors.MalformedResponse("The answer has no chat URL.", api=WANGWANG_URL.id)
    return url


def wangwang_url(client: AlibabaClient, access_token: str, login_id: str) -> str:
    """A WangWang chat link to a supplier known by login id: loginid.openuid.encrypt, then wangwangUrl.get."""
    return wangwang_url_for_open_id(client, access_token, openuid_encrypt(client, access_token, login_id))
