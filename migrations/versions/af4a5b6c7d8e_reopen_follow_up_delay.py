"""account_settings.reopen_follow_up_minutes: a reopened lead gets a follow-up deadline
(issue 13). Empty: the lead type's first-contact delay applies.

Revision ID: af4a5b6c7d8e
Revises: 9e3f4a5b6c7d
Create Date: 2026-11-29 14:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "af4a5b6c7d8e"
down_revision = "9e3f4a5b6c7d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("account_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reopen_follow_up_minutes", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("account_settings", schema=None) as batch_op:
        batch_op.drop_column("reopen_follow_up_minutes")
