"""A real localstripe (Stripe emulator) for the payments tests, started once per session on 127.0.0.1.

Fixtures (import `localstripe_fixture`, `stripe_enabled_fixture`, `stripe_webhooks_fixture` into a conftest or test
module; they are named without `_fixture`):
- `localstripe`: the emulator process (scripts/localstripe_server.py on a free port); its access log records each
  request's idempotency key.
- `stripe_enabled`: the app's STRIPE_* settings pointed at it for one test (restored afterwards).
- `stripe_webhooks`: a live server of the app on committed data, registered as localstripe's webhook endpoint, so
  events are POSTed to `/payments/stripe/webhook` signed like Stripe does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.support.live_server import LiveServer

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "sk_test_marketplace"
PUBLISHABLE_KEY = "pk_test_marketplace"
WEBHOOK_SECRET = "whsec_test_marketplace"
WEBHOOK_PATH = "/payments/stripe/webhook"
#: Where events go between tests: the discard port, so a late event of one test never reaches the next.
NOWHERE = "http://127.0.0.1:9/"
TEST_CARD = "4242424242424242"
#: A card whose charge localstripe declines (`card_declined`).
DECLINED_CARD = "4000000000000341"


class LocalStripe:
    """The emulator subprocess: its address, its access log and a few calls of its own API."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "scripts" / "localstripe_server.py"), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=REPO_ROOT,
        )
        line = self.process.stdout.readline()
        if "listening on" not in line:
            self.stop()
            raise RuntimeError(f"localstripe did not start: {line!r} {log_path.read_text()}")
        self.url = line.rsplit(" ", 1)[-1].strip()

    def stop(self) -> None:
        """Terminate the emulator (kill it if it does not stop)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process.stdout.close()
        self._log.close()

    def post(self, path: str, data: dict[str, str]) -> None:
        """POST a form to the emulator (its `/_config/…` endpoints)."""
        body = "&".join(f"{key}={urllib.request.quote(value, safe='')}" for key, value in data.items()).encode()
        request = urllib.request.Request(self.url + path, data=body, method="POST")  # noqa: S310 - loopback
        request.add_header("Authorization", f"Bearer {SECRET_KEY}")
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            answer.read()

    def register_webhook(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        """Send every event to `url`, signed with `secret`."""
        self.post("/_config/webhooks/marketplace", {"url": url, "secret": secret})

    def log_size(self) -> int:
        """How many requests the access log holds now (pass it to `requests` to see only later ones)."""
        return len(self.log_path.read_text().splitlines())

    def requests(self, path_part: str, since: int = 0) -> list[str]:
        """The access-log lines after the first `since` that contain `path_part` (the log lags a little)."""
        lines: list[str] = []
        for _attempt in range(20):
            lines = [line for line in self.log_path.read_text().splitlines()[since:] if path_part in line]
            if lines:
                break
            time.sleep(0.1)
        return lines

    def client(self):
        """A Stripe client of the emulator, for arranging things Stripe's side (via the app's gateway)."""
        import stripe

        return stripe.StripeClient(SECRET_KEY, base_addresses={"api": self.url})


@pytest.fixture(scope="session", name="localstripe")
def localstripe_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStripe]:
    emulator = LocalStripe(tmp_path_factory.mktemp("localstripe") / "access.log")
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(name="stripe_enabled")
def stripe_enabled_fixture(app: Flask, localstripe: LocalStripe) -> Iterator[LocalStripe]:
    """Card payment on, through the emulator, for this test."""
    settings = {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe.url,
    }
    saved = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    try:
        yield localstripe
    finally:
        app.config.update(saved)


@pytest.fixture(name="stripe_webhooks")
def stripe_webhooks_fixture(app: Flask, committed_db, stripe_enabled: LocalStripe) -> Iterator[LiveServer]:
    """The app served live on committed data, receiving localstripe's webhooks."""
    server = LiveServer(app).start()
    stripe_enabled.register_webhook(server(WEBHOOK_PATH))
    try:
        yield server
    finally:
        stripe_enabled.register_webhook(NOWHERE)
        server.stop()


def card_token(emulator: LocalStripe, number: str = TEST_CARD) -> str:
    """A Stripe.js-like card token (`tok_…`) created in the emulator."""
    token = emulator.client().v1.tokens.create(
        {"card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    return token.id


def signature_header(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header as Stripe computes it: HMAC-SHA256 of `{t}.{payload}` with the endpoint secret."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def event_payload(event_id: str, event_type: str, obj: dict[str, Any]) -> bytes:
    """A webhook body around a Stripe object (as retrieved from the emulator)."""
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "api_version": "2020-08-27",
            "data": {"object": obj},
        }
    ).encode()


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `check` until it returns something truthy (webhooks arrive about a second after the call)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def emulator_event(emulator: LocalStripe, object_id: str, event_type: str) -> bytes:
    """The body of the event the emulator made about an object (it sends events about a second after the call)."""

    def find() -> dict[str, Any] | None:
        for event in emulator.client().v1.events.list({"limit": 100}).data:
            if event.type == event_type and event.data.object.id == object_id:
                return event.to_dict()
        return None

    event = wait_for(find)
    assert event, f"localstripe made no {event_type} event for {object_id}"
    return json.dumps(event).encode()
