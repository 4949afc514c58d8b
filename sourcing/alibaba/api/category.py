"""The category tree (alibaba.category.get) and its translations (category.translation.getById)."""

from .. import errors
from ..client import AlibabaClient
from .refs import CATEGORY_GET, CATEGORY_TRANSLATION, call_api
from .shapes import Category, CategoryRef, CategoryTranslation
from .values import as_dict, as_list, int_or_none, is_true


def read_translation(raw: dict) -> CategoryTranslation:
    """A category.translation.getById category, with its children."""
    return CategoryTranslation(
        id=int_or_none(raw.get("categoryId")) or 0,
        chinese_name=str(raw.get("chineseName") or ""),
        translated_name=str(raw.get("translatedName") or ""),
        language=str(raw.get("language") or ""),
        is_leaf=is_true(raw.get("leaf")),
        level=int_or_none(raw.get("level")),
        parent_id=int_or_none(raw.get("parentCateId")),
        children=[read_translation(c) for c in as_list(raw.get("children")) if isinstance(c, dict)],
    )


def read_category(info: dict) -> Category:
    """One categoryInfo entry of alibaba.category.get."""
    return Category(
        id=int_or_none(info.get("categoryID")) or 0,
        name=str(info.get("name") or ""),
        level=int_or_none(info.get("level")) or None,
        is_leaf=is_true(info.get("isLeaf")),
        parent_ids=[p for p in (int_or_none(p) for p in as_list(info.get("parentIDs"))) if p is not None],
        children=[
            CategoryRef(
                id=int_or_none(c.get("id")) or 0, name=str(c.get("name") or ""), is_leaf=is_true(c.get("isLeaf"))
            )
            for c in as_list(info.get("childCategorys"))
            if isinstance(c, dict)
        ],
    )


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.product:alibaba.category.get-1
def category_get(client: AlibabaClient, category_id: int = 0, access_token: str | None = None) -> list[Category]:
    """A category and its direct children; 0 gives the roots (alibaba.category.get)."""
    body = call_api(client, CATEGORY_GET, {"categoryID": category_id}, access_token)
    infos = body.get("categoryInfo") if isinstance(body, dict) else None
    if not isinstance(infos, list):
        raise errors.MalformedResponse("The answer has no categoryInfo list.", api=CATEGORY_GET.id)
    return [read_category(info) for info in infos if isinstance(info, dict)]


# Reference: https://open.1688.com/api/apidocdetail.htm?id=com.alibaba.fenxiao.crossborder:category.translation.getById-1
def category_translation(
    client: AlibabaClient, access_token: str, category_id: int = 0, language: str = "en"
) -> CategoryTranslation:
    """A category with its translated name and children (category.translation.getById)."""
    body = call_api(client, CATEGORY_TRANSLATION, {"categoryId": category_id, "language": language}, access_token)
    outer = as_dict(body.get("result") if isinstance(body, dict) else None)
    # The field table nests the category at result.result; the published example has it at result.
    raw = outer if "categoryId" in outer else outer.get("result")
    if not isinstance(raw, dict):
        raise errors.MalformedResponse("The answer has no category.", api=CATEGORY_TRANSLATION.id)
    return read_translation(raw)
