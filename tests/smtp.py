"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), keeping what it receives."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class RecordingHandler:
    """Stores every message; refuses recipients listed in `refuse`."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(
            {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": parsed}
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (aiosmtpd's port=0 does not work)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """`start()` / `stop()` a server on a fixed port, so a test can take it down and up."""

    def __init__(self, port: int | None = None, handler: RecordingHandler | None = None):
        self.port = port or free_port()
        self.handler = handler or RecordingHandler()
        self._controller = None

    @property
    def messages(self):
        return self.handler.messages

    def configure(self, app) -> None:
        """Point `app`'s mail settings (and Flask-Mail's state, read at start-up) here."""
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port)
        state = app.extensions["mail"]
        state.server, state.port = "127.0.0.1", self.port

    def start(self):
        self._loop = asyncio.new_event_loop()
        self._controller = Controller(
            self.handler,
            loop=self._loop,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="carflow-test",
            timeout=5,
        )
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
            self._loop.close()  # aiosmtpd leaves its loop open (ResourceWarning)


class DelayedDataHandler(RecordingHandler):
    """Keeps a message only `delay` seconds after its DATA; `data_started` is set on DATA.

    A client that disconnects meanwhile (a killed worker) cancels the handler, so that
    message is never kept: the server did not accept it, as a real one would not.
    """

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay
        self.data_started = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (a hung mail server)."""

    def __init__(self):
        self.port = free_port()
        self.accepted = 0
        self._connections: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _accept(self):
        while True:
            try:
                connection, _address = self._listener.accept()
            except OSError:
                return  # closed by stop()
            self._connections.append(connection)
            self.accepted += 1

    def configure(self, app) -> None:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port)

    def stop(self):
        self._listener.close()
        for connection in self._connections:
            connection.close()
        self._thread.join(timeout=5)


__all__ = ["SMTP", "DelayedDataHandler", "SMTPServer", "SilentServer", "free_port"]
