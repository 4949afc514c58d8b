"""Alert fixtures: the lists' offers, Acme's kitchen list and viewer dave; `answer` stores a detail answer
through the real upsert service and runs what it queued (the alert evaluation, e-mails) as a worker would."""

import pytest

from tests.catalog.pages.conftest import categories, stock_product  # noqa: F401 - fixture
from tests.lists.conftest import dave, kitchen, products  # noqa: F401 - fixtures


@pytest.fixture
def answer(django_capture_on_commit_callbacks):
    def store(offer_id, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return stock_product(offer_id, **kwargs)

    return store
