"""Automatic assignment, alerts, escalation (issue 15 items 3–5): branch_assignment,
assignment_rule, auto_reply, lead_alert, lead_escalation; user absence and open-lead limit

Revision ID: d4d9e6a3b2c3
Revises: d6fb08c5d4e5
Create Date: 2026-11-29 17:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4d9e6a3b2c3"
down_revision = "d6fb08c5d4e5"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("absent_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("absent_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("max_open_leads", sa.Integer(), nullable=True))
    op.create_table(
        "branch_assignment",
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("max_open_leads", sa.Integer(), nullable=True),
        sa.Column("escalate_after_minutes", sa.Integer(), nullable=True),
        sa.Column("reassign_after_minutes", sa.Integer(), nullable=True),
        sa.Column("reassign_action", sa.String(length=20), nullable=False),
        sa.Column("auto_reply", sa.Boolean(), nullable=False),
        sa.Column("last_user_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branch.id"], name=op.f("fk_branch_assignment_branch_id_branch")
        ),
        sa.ForeignKeyConstraint(
            ["last_user_id"], ["user.id"], name=op.f("fk_branch_assignment_last_user_id_user")
        ),
        sa.PrimaryKeyConstraint("branch_id", name=op.f("pk_branch_assignment")),
    )
    op.create_table(
        "assignment_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("lead_type_id", sa.Integer(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branch.id"], name=op.f("fk_assignment_rule_branch_id_branch")
        ),
        sa.ForeignKeyConstraint(
            ["lead_type_id"],
            ["lead_type.id"],
            name=op.f("fk_assignment_rule_lead_type_id_lead_type"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["lead_source.id"], name=op.f("fk_assignment_rule_source_id_lead_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_rule")),
    )
    op.create_table(
        "auto_reply",
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("language", name=op.f("pk_auto_reply")),
    )
    op.create_table(
        "lead_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("not_before", MOMENT, nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_alert_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_alert")),
    )
    with op.batch_alter_table("lead_alert", schema=None) as batch_op:
        batch_op.create_index("ix_lead_alert_unsent", ["sent_at", "not_before"], unique=False)
        batch_op.create_index(batch_op.f("ix_lead_alert_lead_id"), ["lead_id"], unique=False)
    op.create_table(
        "lead_escalation",
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("notified_at", MOMENT, nullable=True),
        sa.Column("reassigned_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["deadline_id"], ["deadline.id"], name=op.f("fk_lead_escalation_deadline_id_deadline")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_lead_escalation_lead_id_lead")
        ),
        sa.PrimaryKeyConstraint("deadline_id", name=op.f("pk_lead_escalation")),
    )
    with op.batch_alter_table("lead_escalation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_escalation_lead_id"), ["lead_id"], unique=False)


def downgrade():
    with op.batch_alter_table("lead_escalation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_escalation_lead_id"))
    op.drop_table("lead_escalation")
    with op.batch_alter_table("lead_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_alert_lead_id"))
        batch_op.drop_index("ix_lead_alert_unsent")
    op.drop_table("lead_alert")
    op.drop_table("auto_reply")
    op.drop_table("assignment_rule")
    op.drop_table("branch_assignment")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("max_open_leads")
        batch_op.drop_column("absent_until")
        batch_op.drop_column("absent_from")
