"""intake_mailbox (IMAP settings for ADF e-mail) and email_rejection (bounced messages)

Issue 15, item 1: ADF by e-mail. One row of mailbox settings; one row per message that
could not become a lead, with the reason.

Revision ID: d3c8d5f2a1b2
Revises: d2b7c4e1f0a1
Create Date: 2026-11-29 17:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d3c8d5f2a1b2"
down_revision = "d2b7c4e1f0a1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "intake_mailbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=True),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("security", sa.String(length=10), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("password", sa.String(length=500), nullable=True),
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("processed_folder", sa.String(length=200), nullable=False),
        sa.Column("bounce_folder", sa.String(length=200), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
            name=op.f("fk_intake_mailbox_branch_id_branch"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["lead_source.id"],
            name=op.f("fk_intake_mailbox_source_id_lead_source"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_mailbox")),
    )
    op.create_table(
        "email_rejection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("message_key", sa.String(length=300), nullable=False),
        sa.Column("sender", sa.String(length=300), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_rejection")),
        sa.UniqueConstraint("message_key", name=op.f("uq_email_rejection_message_key")),
    )
    with op.batch_alter_table("email_rejection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_rejection_at"), ["at"], unique=False)


def downgrade():
    with op.batch_alter_table("email_rejection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_rejection_at"))
    op.drop_table("email_rejection")
    op.drop_table("intake_mailbox")
