"""reports: daily/monthly roll-up, lost reasons, per-lead facts, open-pipeline index (issue 16)

Created empty: fill it with `flask carflow rebuild-reports` after upgrading.

Revision ID: d5eaf7b4c3d4
Revises: d3c8d5f2a1b2
Create Date: 2026-11-29 18:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d5eaf7b4c3d4"
down_revision = "d3c8d5f2a1b2"
branch_labels = None
depends_on = None

# Frozen copy of carflow.models.report's columns (migrations never import product code).
FIRST_RESPONSE_BUCKETS = 19
COUNTERS = (
    "leads_in", "contacted", "test_driven", "offered", "won_cohort", "sla_due", "sla_met",
    "won", "lost", "closed_minutes", "offers_sent", "offers_sent_cents", "offers_accepted",
    "offers_accepted_cents", "trade_ins",
) + tuple(f"fr_{i}" for i in range(FIRST_RESPONSE_BUCKETS))  # fmt: skip
KEY = ("grain", "period", "branch_id", "owner_key", "lead_type_id", "source_id")


def _key_columns():
    return [
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("owner_key", sa.Integer(), nullable=False),
        sa.Column("lead_type_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
    ]


def _counter(name):
    return sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)


def upgrade():
    op.create_table(
        "report_rollup",
        *_key_columns(),
        *(_counter(name) for name in COUNTERS),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_report_rollup")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("report_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_report_rollup_owner", ["owner_key", "grain", "period"])
        batch_op.create_index("ix_report_rollup_branch", ["branch_id", "grain", "period"])
    op.create_table(
        "report_lost_reason",
        *_key_columns(),
        sa.Column("reason_key", sa.Integer(), nullable=False),
        _counter("lost"),
        sa.PrimaryKeyConstraint(*KEY, "reason_key", name=op.f("pk_report_lost_reason")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_lead",
        sa.Column("lead_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_response_minutes", sa.Integer(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_report_lead")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lead_open_pipeline",
            ["owner_id", "created_at", "next_deadline_at", "branch_id", "lead_type_id", "source_id"],
            unique=False,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )


def downgrade():
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_open_pipeline")
    op.drop_table("report_lead")
    op.drop_table("report_lost_reason")
    with op.batch_alter_table("report_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_report_rollup_branch")
        batch_op.drop_index("ix_report_rollup_owner")
    op.drop_table("report_rollup")
