"""The admin: each domain registers its own models (accounts, connections, lists, orders); importing them here is what
Django's admin autodiscovery (which imports `sourcing.admin`) needs."""

from sourcing.accounts import admin as accounts_admin  # noqa: F401
from sourcing.api import admin as api_admin  # noqa: F401
from sourcing.connections import admin as connections_admin  # noqa: F401
from sourcing.lists import admin as lists_admin  # noqa: F401
from sourcing.orders import admin as orders_admin  # noqa: F401
from sourcing.webhooks import admin as webhooks_admin  # noqa: F401
