"""Browser tests: the app served on 127.0.0.1 in a thread, driven by Debian's Chromium.

Never `playwright install`: Chromium comes from apt (`.ci/run` installs it).
Screenshots go to `test-output/`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carflow.extensions import db
from tests import factories
from tests.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def screenshot_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


class LiveServerURL(str):
    """The live server's base URL; `.app` is the served app (for `smtp_server.configure`)."""

    app = None


@pytest.fixture
def live_server(make_app):
    """The app with CSRF on, as a real server; yields its base URL."""
    server_app = make_app(WTF_CSRF_ENABLED=True)
    with LiveServer(server_app) as server:
        url = LiveServerURL(server.url)
        url.app = server_app
        yield url


@pytest.fixture
def e2e_user(app):
    """A sales manager with reference data, committed, to log in through the form."""
    branch = factories.make_branch("Brussels")
    user = factories.make_user(
        "sales_manager", branch=branch, email="manager@carflow.example", first_name="Marc"
    )
    factories.make_lead_type("Purchase")
    factories.make_source("Showroom")
    factories.make_lost_reason("Bought elsewhere")
    db.session.commit()
    return user


def login(page, base_url: str, email: str, password: str = factories.PASSWORD) -> None:
    """Sign in through the real login form."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/**")
