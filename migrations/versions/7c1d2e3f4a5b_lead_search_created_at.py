"""lead_search.lead_created_at: the default-order search reads one index range (issue 8)

Revision ID: 7c1d2e3f4a5b
Revises: e49aee07a160
Create Date: 2026-11-28 08:40:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "7c1d2e3f4a5b"
down_revision = "e49aee07a160"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lead_search", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "lead_created_at", sa.DateTime(timezone=True), nullable=True
            )
        )
    op.execute(
        "UPDATE lead_search SET lead_created_at = "
        "(SELECT lead.created_at FROM lead WHERE lead.id = lead_search.lead_id)"
    )
    with op.batch_alter_table("lead_search", schema=None) as batch_op:
        batch_op.alter_column(
            "lead_created_at",
            existing_type=sa.DateTime(timezone=True),
            nullable=False,
        )
        batch_op.drop_index("ix_lead_search_term_lead")
        batch_op.create_index(
            "ix_lead_search_term_created", ["term", "lead_created_at", "lead_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("lead_search", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_search_term_created")
        batch_op.create_index("ix_lead_search_term_lead", ["term", "lead_id"], unique=False)
        batch_op.drop_column("lead_created_at")
