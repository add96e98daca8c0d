"""Production settings (issue 12): HSTS under ProductionConfig, gunicorn.conf.py, the
constraints file pinning every runtime package."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from carflow import create_app
from carflow.config import ProductionConfig, TestConfig
from carflow.passwords import CHEAP_HASHING_FOR_TESTS, make_hasher, verify_password

ROOT = Path(__file__).resolve().parent.parent


def test_hsts_header_under_the_production_config(make_app):
    production = make_app(**{k: getattr(ProductionConfig, k) for k in ("HSTS_SECONDS",)})
    assert ProductionConfig.HSTS_SECONDS >= 180 * 24 * 3600
    for path in ("/login", "/static/css/carflow.css"):
        with production.test_client().get(path) as response:
            hsts = response.headers["Strict-Transport-Security"]
            assert hsts == f"max-age={ProductionConfig.HSTS_SECONDS}; includeSubDomains"


def test_no_hsts_header_by_default(client):
    assert TestConfig.HSTS_SECONDS == 0
    response = client.get("/login")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


def test_proxy_hops_trust_the_forwarded_client_address(make_app):
    behind_proxy = make_app(PROXY_HOPS=1)
    seen = {}

    @behind_proxy.get("/_test_remote_addr")
    def remote_addr():
        from flask import request

        seen["addr"] = request.remote_addr
        return "ok"

    behind_proxy.test_client().get(
        "/_test_remote_addr",
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert seen["addr"] == "203.0.113.7"


def test_gunicorn_conf_has_production_values(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["workers"] >= 3 and conf["threads"] >= 2 and conf["worker_class"] == "gthread"
    assert conf["keepalive"] >= 30 and conf["timeout"] >= 30
    assert conf["accesslog"] == "-"
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("GUNICORN_WORKERS", "2")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == "0.0.0.0:9000" and conf["workers"] == 2  # noqa: S104


def test_constraints_pin_every_runtime_package_and_match_requirements():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _sep, version = line.partition("==")
            assert version, line
            pins[name] = version
    for name in ("werkzeug", "jinja2", "pillow", "markupsafe", "itsdangerous", "click"):
        assert name in pins, name
    for name in ("pytest", "ruff", "playwright", "hypothesis"):
        assert name not in pins, name
    runtime = False
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith("#"):
            runtime = "runtime" in line.lower()
        elif line and runtime:
            name, _sep, version = line.partition("==")
            name = name.split("[")[0].lower().replace("_", "-")
            assert pins.get(name) == version, (name, version, pins.get(name))
    assert "-c constraints.txt" in (ROOT / "scripts" / "install.sh").read_text()


def test_passwords_are_hashed_with_argon2_defaults_unless_the_suite_asks():
    """Production hashes with argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes); only the
    test suite's environment variable selects the CHEAPEST profile."""
    production = make_hasher({})
    assert (production.memory_cost, production.time_cost, production.parallelism) == (
        65536,
        3,
        4,
    )
    assert "$m=65536,t=3,p=4$" in production.hash("correct horse")
    tests = make_hasher({CHEAP_HASHING_FOR_TESTS: "1"})
    assert (tests.memory_cost, tests.time_cost) == (8, 1)
    assert verify_password(tests.hash("correct horse"), "correct horse")


def test_production_refuses_the_test_suites_cheap_hashing(database_url):
    settings = {k: getattr(ProductionConfig, k) for k in dir(ProductionConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="production-key")
    with pytest.raises(RuntimeError, match=f"{CHEAP_HASHING_FOR_TESTS} is for the test suite"):
        create_app(settings)
