"""Carflow: a back-office CRM for car dealers."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from carflow.config import Config
from carflow.converters import BoundedIntConverter
from carflow.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from carflow.presentation import init_presentation

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict | None = None) -> Flask:
    """Build a Carflow app. `config` is a config class or a dict of overrides."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("CARFLOW_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    _refuse_test_settings_in_production(app)
    _resolve_paths(app)
    # Before any route is added: `<int:…>` only matches ids a database column can hold.
    app.url_map.converters["int"] = BoundedIntConverter
    _init_extensions(app)
    _register_blueprints(app)
    init_presentation(app)  # after the views: their modules' declarations are in
    if app.config.get("PROXY_HOPS"):
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def _refuse_test_settings_in_production(app: Flask) -> None:
    from carflow.passwords import CHEAP_HASHING_FOR_TESTS, cheap_hashing_for_tests

    if app.config.get("CARFLOW_PRODUCTION") and cheap_hashing_for_tests():
        raise RuntimeError(f"{CHEAP_HASHING_FOR_TESTS} is for the test suite: unset it")


def _resolve_paths(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "carflow.sqlite"
        )
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    # Whole request bodies above the upload limit (+1 MB of form overhead) get a 413 before
    # they are read. Flask defines the key as None, so `setdefault` would do nothing.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_UPLOAD_MB"]) + 1) * 1024 * 1024


def _instance_secret_key(instance: Path) -> str:
    """A random secret key created once and kept (mode 600) in the instance folder."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def _init_extensions(app: Flask) -> None:
    from carflow import i18n
    from carflow.db_setup import init_db_events
    from carflow.reports.rollup import install_report_hooks
    from carflow.services.search_sync import install_search_sync
    from carflow.unit_of_work import install_after_commit_hooks

    db.init_app(app)
    init_db_events(app)
    install_search_sync()
    install_after_commit_hooks()
    install_report_hooks()
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    i18n.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from carflow import models  # noqa: F401  (load every model)
    from carflow.admin import init_admin
    from carflow.auth import bp as auth_bp
    from carflow.cli import bp as cli_bp
    from carflow.safe_url import refuse_unsafe_return_urls
    from carflow.security import init_security
    from carflow.static_files import install_static_versions
    from carflow.vendor import bp as vendor_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(cli_bp)
    app.register_blueprint(vendor_bp)  # /vendor: the calendar library from node_modules
    import carflow.intake.adf_api  # noqa: F401  adds POST /api/v1/leads/adf (issue 15)
    from carflow.intake.api import bp as intake_api_bp

    app.register_blueprint(intake_api_bp)  # /api/v1: lead intake (issue 15)
    from carflow.intake.website_form import bp as intake_form_bp

    app.register_blueprint(intake_form_bp)  # /intake/website: the dealer's website form
    init_admin(app)
    _register_favicon(app)
    install_static_versions(app)  # after Flask-Admin: its static files are versioned too
    app.before_request(refuse_unsafe_return_urls)
    init_security(app)


def _register_favicon(app: Flask) -> None:
    """`/favicon.ico`: the tab's icon, which browsers fetch on their own beside a page.

    Answered by the 404 page, that fetch sent the visitor's session cookie back rewritten
    (Flask-Login marks an anonymous session "not fresh"). Fetched from the sign-in page
    while the sign-in form was posted, that answer could arrive last and replace the new
    session: the user was signed out at once (seen in the browser tests). A static file
    leaves the session alone.
    """

    @app.get("/favicon.ico")
    def favicon():
        return app.send_static_file("favicon.ico")
