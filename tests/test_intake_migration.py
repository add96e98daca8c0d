"""Migration d2b7c4e1f0a1 (issue 15) on a database that has contacts: their typed phone
numbers are copied in E.164 (read in the contact's country, else Belgium), unreadable
ones stay empty; downgrading removes the columns and tables again."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from carflow import create_app
from carflow.extensions import db


def test_upgrade_fills_the_e164_phones_of_existing_contacts(tmp_path):
    url = f"sqlite:///{tmp_path / 'upgrade.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path)})
    with app.app_context():
        upgrade(revision="c16d7e8f9a01")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO contact (id, kind, last_name, phone, mobile, country, language, "
                    "created_at, updated_at, version_id) VALUES "
                    "(1, 'person', 'Claes', '0470 12 34 56', NULL, NULL, 'nl', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1), "
                    "(2, 'person', 'Dupont', '01 23 45 67 89', 'not a number', 'FR', 'fr', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, phone_e164, mobile_e164 FROM contact ORDER BY id")
            ).all()
        assert [tuple(row) for row in rows] == [
            (1, "+32470123456", None),
            (2, "+33123456789", None),
        ]
        downgrade(revision="c16d7e8f9a01")
        with db.engine.connect() as conn:
            columns = [row[1] for row in conn.execute(text("PRAGMA table_info(contact)"))]
            tables = conn.execute(
                text("SELECT name FROM sqlite_master WHERE name IN ('api_key', 'lead_intake')")
            ).all()
        assert "phone_e164" not in columns and tables == []
        db.engine.dispose()
