from tests.sourcing.lists.conftest import kitchen, products  # noqa: F401 - fixtures
from tests.sourcing.pages.conftest import categories  # noqa: F401 - fixture
