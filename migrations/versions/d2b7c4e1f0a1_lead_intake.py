"""api_key, lead_intake; contact phones in E.164 for intake matching (issue 15)

API keys store only the SHA-256 of the key. Each received request is a lead_intake row,
unique per (sender, external_id) and (sender, idempotency_key) so that retries never
make a second lead. contact.phone_e164 / mobile_e164 are filled from the typed numbers
(read in the contact's country, Belgium when it has none).

Revision ID: d2b7c4e1f0a1
Revises: d4d9e6a3b2c3
Create Date: 2026-11-29 17:30:00

"""

import phonenumbers
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d2b7c4e1f0a1"
down_revision = "d4d9e6a3b2c3"
branch_labels = None
depends_on = None

BATCH = 5000
DEFAULT_REGION = "BE"


def _e164(raw, region):
    """The intake normalizer (carflow.intake.normalize.normalize_phone), frozen here."""
    text = (raw or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, (region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _create_api_key():
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("form_token", sa.String(length=32), nullable=False),
        sa.Column("allowed_origins", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("lead_type_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branch.id"], name=op.f("fk_api_key_branch_id_branch")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_api_key_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["lead_type_id"], ["lead_type.id"], name=op.f("fk_api_key_lead_type_id_lead_type")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["user.id"], name=op.f("fk_api_key_revoked_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["lead_source.id"], name=op.f("fk_api_key_source_id_lead_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("form_token", name=op.f("uq_api_key_form_token")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
    )


def _create_lead_intake():
    op.create_table(
        "lead_intake",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender", sa.String(length=40), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=True),
        sa.Column("raw_payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_key.id"], name=op.f("fk_lead_intake_api_key_id_api_key")
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_intake_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_intake")),
        sa.UniqueConstraint(
            "sender", "external_id", name="uq_lead_intake_sender_external_id"
        ),
        sa.UniqueConstraint(
            "sender", "idempotency_key", name="uq_lead_intake_sender_idempotency_key"
        ),
    )
    with op.batch_alter_table("lead_intake", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_intake_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_lead_intake_api_key_id"), ["api_key_id"], unique=False
        )
        batch_op.create_index("ix_lead_intake_received_at", ["received_at"], unique=False)


def _backfill_contact_phones():
    contact = sa.table(
        "contact",
        sa.column("id", sa.Integer),
        sa.column("phone", sa.String),
        sa.column("mobile", sa.String),
        sa.column("country", sa.String),
        sa.column("phone_e164", sa.String),
        sa.column("mobile_e164", sa.String),
    )
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(contact.c.id, contact.c.phone, contact.c.mobile, contact.c.country)
            .where(contact.c.id > last_id)
            .where(sa.or_(contact.c.phone.isnot(None), contact.c.mobile.isnot(None)))
            .order_by(contact.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        values = [
            {
                "row_id": row.id,
                "phone_value": _e164(row.phone, row.country),
                "mobile_value": _e164(row.mobile, row.country),
            }
            for row in rows
        ]
        bind.execute(
            contact.update()
            .where(contact.c.id == sa.bindparam("row_id"))
            .values(
                phone_e164=sa.bindparam("phone_value"), mobile_e164=sa.bindparam("mobile_value")
            ),
            values,
        )
        last_id = rows[-1].id


def upgrade():
    _create_api_key()
    _create_lead_intake()
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_e164", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("mobile_e164", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_contact_phone_e164"), ["phone_e164"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_mobile_e164"), ["mobile_e164"], unique=False
        )
    _backfill_contact_phones()


def downgrade():
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_mobile_e164"))
        batch_op.drop_index(batch_op.f("ix_contact_phone_e164"))
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of `contact` would drop a
    # table that leads refer to.
    op.execute("ALTER TABLE contact DROP COLUMN mobile_e164")
    op.execute("ALTER TABLE contact DROP COLUMN phone_e164")
    op.drop_table("lead_intake")
    op.drop_table("api_key")
