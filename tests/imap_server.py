"""A real IMAP server for the tests: Debian's dovecot-imapd, run in the foreground on a
free loopback port with a throwaway configuration, a passwd-file user and a Maildir in a
temporary directory (issue 15: e-mail intake tested against a real IMAP server).

`scripts/install.sh` installs `dovecot-imapd` (TEST_APT_PACKAGES); where it is missing,
the `imap_server` fixture skips with that reason. Dovecot refuses to run a mail or login
process as root: under root the mailbox belongs to the `dovecot` user and logins run as
`dovenull` (both created by the package), in a directory they can reach.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "leads@dealer.example"
PASSWORD = "imap-test-password"  # noqa: S105


def dovecot_missing() -> str | None:
    """Why the server cannot run here, or None."""
    if not os.path.exists(DOVECOT):
        return "dovecot is not installed (apt-get install dovecot-imapd; scripts/install.sh)"
    if shutil.which("openssl") is None:
        return "openssl is not installed (the test server's certificate is made with it)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ImapServer:
    """One dovecot master process and its mailbox; `start()`, then `stop()`."""

    def __init__(self):
        self.port = _free_port()
        self.tls_port = _free_port()  # IMAPS; STARTTLS is offered on `port`
        self.dir = Path(tempfile.mkdtemp(prefix="carflow-imap-"))
        self.certificate = self.dir / "cert.pem"  # self-signed for 127.0.0.1: the tests' CA
        self.process: subprocess.Popen | None = None

    def _make_certificate(self) -> None:
        subprocess.run(  # noqa: S603
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(self.dir / "key.pem"), "-out", str(self.certificate),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def _users(self) -> tuple[str, str, str]:
        """(mail user, login user, internal user) for this process's privileges."""
        if os.geteuid() == 0:
            return "dovecot", "dovenull", "root"
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, me

    def _write_config(self) -> Path:
        mail_user, login_user, internal_user = self._users()
        home = self.dir / "home"
        home.mkdir()
        for sub in ("run", "state"):
            (self.dir / sub).mkdir()
        os.chmod(self.dir, 0o755)  # noqa: S103  the mail user must reach its home
        if os.geteuid() == 0:
            shutil.chown(home, mail_user, mail_user)
        (self.dir / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        login_chroot = "" if os.geteuid() == 0 else "  chroot =\n"
        self._make_certificate()
        config = self.dir / "dovecot.conf"
        config.write_text(
            f"""base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.certificate}
ssl_key = <{self.dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {internal_user}
default_login_user = {login_user}
mail_location = maildir:{home}/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.dir}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={home}
}}
service imap-login {{
{login_chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
service anvil {{
{login_chroot}}}
"""
        )
        return config

    def start(self) -> ImapServer:
        config = self._write_config()
        self.process = subprocess.Popen(  # noqa: S603  our own throwaway configuration
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20  # readiness wait, not an assertion
        while True:
            try:
                self.client().logout()
                return self
            except (OSError, imaplib.IMAP4.error):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("dovecot did not start: " + self.log()) from None
                time.sleep(0.1)

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text() if path.exists() else "(no log)"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self) -> imaplib.IMAP4:
        """A logged-in session (close it with `logout()`)."""
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            imap.login(USER, PASSWORD)
        except imaplib.IMAP4.error:
            imap.shutdown()
            raise
        return imap

    def append(self, message: bytes, folder: str = "INBOX", seen: bool = False) -> None:
        imap = self.client()
        try:
            imap.create(f'"{folder}"')
            flags = r"(\Seen)" if seen else None
            kind, data = imap.append(f'"{folder}"', flags, None, message)
            assert kind == "OK", data
        finally:
            imap.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The messages of a folder (not deleted), oldest first; [] when it does not exist."""
        imap = self.client()
        try:
            kind, _ = imap.select(f'"{folder}"', readonly=True)
            if kind != "OK":
                return []
            _, data = imap.uid("SEARCH", None, "UNDELETED")
            found = []
            for uid in (data[0] or b"").split():
                _, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                found.extend(p[1] for p in parts if isinstance(p, tuple))
            return found
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                imap.logout()
