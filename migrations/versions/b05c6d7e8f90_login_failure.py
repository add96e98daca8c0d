"""login_failure: failed sign-ins per (account, address) for the growing delay (issue 12)

Revision ID: b05c6d7e8f90
Revises: af4a5b6c7d8e
Create Date: 2026-11-29 14:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b05c6d7e8f90"
down_revision = "af4a5b6c7d8e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_failure_last_failed_at"), ["last_failed_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_last_failed_at"))
    op.drop_table("login_failure")
