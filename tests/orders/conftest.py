"""Buying fixtures: Acme's forwarder warehouse in 义乌, a viewer in Acme, and form data for addresses."""

import pytest

from sourcing.accounts.models import Membership
from sourcing.orders.services import addresses as address_services
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.conftest import _make_user
from tests.lists.conftest import body, kitchen, products, text  # noqa: F401 - fixtures and helpers

YIWU = {
    "label": "义乌仓 (顺达货代)", "contact_name": "张三", "phone": "13800138000", "province": "浙江省",
    "city": "金华市", "district": "义乌市", "street": "稠州北路1号3楼", "post_code": "322000",
}  # fmt: skip


@pytest.fixture
def dave(acme, alice):
    """A viewer in Acme."""
    return _make_user("dave", acme, Membership.Role.VIEWER)


@pytest.fixture
def yiwu(alice, acme):
    """Acme's default address (its first)."""
    return address_services.address_create(actor=alice, team=acme, **YIWU)
