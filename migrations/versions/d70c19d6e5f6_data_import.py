"""data_import and data_import_error: CSV/XLSX imports of contacts and stock (issue 17)

Revision ID: d70c19d6e5f6
Revises: d5eaf7b4c3d4
Create Date: 2026-11-29 17:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d70c19d6e5f6"
down_revision = "d5eaf7b4c3d4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("original_filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=32), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("delimiter", sa.String(length=1), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("unchanged_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branch.id"], name=op.f("fk_data_import_branch_id_branch")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_data_import_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_import")),
    )
    with op.batch_alter_table("data_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_import_sha256"), ["sha256"], unique=False)
    op.create_table(
        "data_import_error",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=200), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=True),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["data_import.id"],
            name=op.f("fk_data_import_error_import_id_data_import"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_import_error")),
    )
    with op.batch_alter_table("data_import_error", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_import_error_import_id"), ["import_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("data_import_error", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_import_error_import_id"))
    op.drop_table("data_import_error")
    with op.batch_alter_table("data_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_import_sha256"))
    op.drop_table("data_import")
