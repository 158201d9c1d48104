"""API test helpers: a client that sends bearer tokens and JSON."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.accounts.api_tokens import issue_api_token

PREFIX = "/api/v1"


class ApiClient:
    """Calls `/api/v1…` as a user (a real personal access token) or anonymously."""

    def __init__(self, client) -> None:
        self.client = client
        self.tokens: dict[int, str] = {}

    def token_for(self, user) -> str:
        if user.id not in self.tokens:
            self.tokens[user.id] = issue_api_token(user, "tests")[1]
        return self.tokens[user.id]

    def call(self, method: str, path: str, *, user=None, headers: dict | None = None, **kwargs: Any):
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token_for(user)}"
        return self.client.open(PREFIX + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):
        return self.call("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any):
        return self.call("PATCH", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


def error_of(response) -> dict:
    """The `error` object of an API error response, after checking its shape."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]
