"""personal data (issue 17): consent history, privacy settings, privacy audit log

Revision ID: d6fb08c5d4e5
Revises: c16d7e8f9a01
Create Date: 2026-11-29 17:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d6fb08c5d4e5"
down_revision = "c16d7e8f9a01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_consent_record_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_consent_record_recorded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_record")),
    )
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_record_latest",
            ["contact_id", "channel", "purpose", "at", "id"],
            unique=False,
        )
    op.create_table(
        "privacy_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=True),
        sa.Column("legal_hold_years", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_settings")),
    )
    op.create_table(
        "privacy_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_privacy_log_actor_id_user")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_privacy_log_contact_id_contact")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_log")),
    )
    with op.batch_alter_table("privacy_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_privacy_log_contact_id"), ["contact_id"], unique=False)


def downgrade():
    with op.batch_alter_table("privacy_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_log_contact_id"))
        batch_op.drop_index(batch_op.f("ix_privacy_log_at"))
    op.drop_table("privacy_log")
    op.drop_table("privacy_settings")
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_record_latest")
    op.drop_table("consent_record")
