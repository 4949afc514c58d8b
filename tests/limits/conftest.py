from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import kitchen, products  # noqa: F401 - fixtures
