"""A real HTTP server in a thread for tests that need simultaneous requests, and a tiny
client that carries a test client's session cookie."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from werkzeug.serving import make_server


class LiveServer:
    """`with LiveServer(app) as server: server.url` — a threaded WSGI server on 127.0.0.1."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        # serve_forever checks for shutdown every poll_interval (0.5 s by default): every
        # test that stopped a server waited for it.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@dataclass
class Answer:
    status: int
    location: str
    text: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, data: dict, cookie: str, timeout: float = 30) -> Answer:
    """POST a form with the session `cookie`; redirects are returned, not followed."""
    body = urllib.parse.urlencode(data).encode()
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("only the local test server")
    request = urllib.request.Request(url, data=body, headers={"Cookie": f"session={cookie}"})  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, "", response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get("Location", ""), error.read().decode())


def post_together(requests: list[tuple[str, dict]], cookie: str) -> list[Answer]:
    """Send the POSTs at the same moment from one thread each; answers in request order."""
    barrier = threading.Barrier(len(requests))
    answers: list[Answer | None] = [None] * len(requests)

    def send(index: int, url: str, data: dict) -> None:
        barrier.wait()
        answers[index] = post(url, data, cookie)

    threads = [
        threading.Thread(target=send, args=(i, url, data)) for i, (url, data) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers
