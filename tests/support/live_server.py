"""Serve the test app over HTTP in a background thread, for browser tests (on committed data)."""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class LiveServer:
    """Werkzeug's threaded server on 127.0.0.1 and a free port (port 0), started and stopped by the fixture."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __call__(self, path: str = "/") -> str:
        """The absolute URL of `path`."""
        return self.url + path

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
