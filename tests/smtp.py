"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), keeping what it receives."""

from __future__ import annotations

import asyncio
import socket
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

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
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


__all__ = ["SMTP", "SMTPServer", "free_port"]
