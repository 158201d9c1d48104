"""Serve localstripe (a Stripe emulator) on 127.0.0.1 only, with an empty store, and register our webhook endpoint.

`localstripe` itself listens on every interface; this wrapper binds loopback, prints the address it serves once it
listens (port 0 picks a free one), and registers the endpoint given by --webhook-url/--webhook-secret, so every
event is POSTed to the app signed like Stripe does. Used by `make run` (Procfile) and by the tests.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys

from aiohttp import web
from localstripe.server import app
from localstripe.webhooks import register_webhook

#: One line per request, with the idempotency key our create calls send (localstripe ignores it; Stripe honours it).
ACCESS_LOG_FORMAT = '%r %s idempotency-key="%{Idempotency-Key}i"'


def main(argv: list[str] | None = None) -> None:
    """Parse the options, bind, register the webhook and serve until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url", help="the app's endpoint, e.g. http://127.0.0.1:5000/payments/stripe/webhook")
    parser.add_argument("--webhook-secret", help="the endpoint secret (STRIPE_WEBHOOK_SECRET)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    if bool(args.webhook_url) != bool(args.webhook_secret):
        parser.error("--webhook-url and --webhook-secret go together")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    # Listen before saying so: a client that connects before the server runs waits in the backlog instead of
    # being refused (the tests start using the emulator as soon as this line is printed).
    sock.listen(128)
    host, port = sock.getsockname()[:2]
    if args.webhook_url:
        register_webhook("marketplace", args.webhook_url, args.webhook_secret, None)
    print(f"localstripe listening on http://{host}:{port}", flush=True)

    access_log = logging.getLogger("aiohttp.access")
    if not args.quiet:
        access_log.setLevel(logging.INFO)
        access_log.addHandler(logging.StreamHandler(sys.stderr))
    web.run_app(
        app,
        sock=sock,
        access_log=None if args.quiet else access_log,
        access_log_format=ACCESS_LOG_FORMAT,
        print=None,
    )


if __name__ == "__main__":
    main()
