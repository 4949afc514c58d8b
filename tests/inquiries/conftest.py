"""Inquiry fixtures: the lists' three offers and Acme's viewer dave, and a way to write an inquiry through the page."""

from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import dave, kitchen, products  # noqa: F401 - fixtures


def contact(client, product, **fields):
    """POST the inquiry form for `product` (a Chinese message about 500 pieces unless told otherwise)."""
    data = {"offer": product.offer_id, "quantity": "500", "target_price": "11.50", "language": "zh",
            "message": "您好！请问500个的价格？"}  # fmt: skip
    data.update(fields)
    return client.post("/inquiries/new/", data)
