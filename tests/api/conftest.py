"""API fixtures: tokens of Acme (made by alice, its owner) and of Globex (carol), and a client that sends one."""

import json

import pytest
from django.test import Client

from sourcing.api.services import token_create
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import kitchen, products  # noqa: F401 - fixtures


class Api:
    """A client that sends `Authorization: Bearer <token>` (none when token is None) and JSON bodies."""

    def __init__(self, token: str | None):
        self.client = Client(raise_request_exception=False)
        self.token = token

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, **self._headers())

    def _send(self, method, path, body=None, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return getattr(self.client, method)(path, data, content_type="application/json", **self._headers())

    def post(self, path, body=None, raw=None):
        return self._send("post", path, body, raw)

    def patch(self, path, body=None, raw=None):
        return self._send("patch", path, body, raw)

    def delete(self, path):
        return self.client.delete(path, **self._headers())


@pytest.fixture
def make_token():
    def make(user, team, scopes=("read",), name="ERP sync"):
        _token, raw = token_create(actor=user, team=team, name=name, scopes=list(scopes))
        return raw

    return make


@pytest.fixture
def api(alice, acme, make_token):
    """Acme's API as a token with every scope."""
    return Api(make_token(alice, acme, ("read", "write", "order")))


@pytest.fixture
def api_as():
    return Api


def error_of(response) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return response.status_code, body["error"]["code"]
