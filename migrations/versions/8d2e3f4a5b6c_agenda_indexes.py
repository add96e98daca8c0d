"""deadline.owner_id and agenda indexes: a user's open items are index ranges (issue 8)

Revision ID: 8d2e3f4a5b6c
Revises: 7c1d2e3f4a5b
Create Date: 2026-11-28 09:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8d2e3f4a5b6c"
down_revision = "7c1d2e3f4a5b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deadline_owner_id_user"), "user", ["owner_id"], ["id"]
        )
    op.execute(
        "UPDATE deadline SET owner_id = "
        "(SELECT lead.owner_id FROM lead WHERE lead.id = deadline.lead_id)"
    )
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deadline_owner_open_due",
            ["owner_id", "due_at", "id"],
            unique=False,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_task_assignee_open_starts",
            ["assignee_id", "starts_at", "id"],
            unique=False,
            sqlite_where=sa.text("completed_at IS NULL"),
            postgresql_where=sa.text("completed_at IS NULL"),
        )
    with op.batch_alter_table("test_drive", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_test_drive_owner_id"))
        batch_op.create_index("ix_test_drive_owner_ends", ["owner_id", "ends_at"], unique=False)


def downgrade():
    with op.batch_alter_table("test_drive", schema=None) as batch_op:
        batch_op.drop_index("ix_test_drive_owner_ends")
        batch_op.create_index(batch_op.f("ix_test_drive_owner_id"), ["owner_id"], unique=False)
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_assignee_open_starts")
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_index("ix_deadline_owner_open_due")
        batch_op.drop_constraint(batch_op.f("fk_deadline_owner_id_user"), type_="foreignkey")
        batch_op.drop_column("owner_id")
