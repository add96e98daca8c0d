"""lead_type, lead_source, lost_reason: a French and a Dutch name (issue 13)

The English `name` stays the required one and is shown when a translation is empty; the
demo's default names get their translations.

Revision ID: c16d7e8f9a01
Revises: b05c6d7e8f90
Create Date: 2026-11-29 15:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c16d7e8f9a01"
down_revision = "b05c6d7e8f90"
branch_labels = None
depends_on = None

LENGTHS = {"lead_type": 80, "lead_source": 80, "lost_reason": 120}

# The demo's names as shipped (carflow/demo.py), copied: migrations never import product code.
DEFAULTS = {
    "lead_type": {
        "Purchase": ("Achat", "Aankoop"),
        "Sale": ("Vente", "Verkoop"),
        "Trade-in": ("Reprise", "Inruil"),
        "Lease": ("Leasing", "Leasing"),
    },
    "lead_source": {
        "Showroom": ("Showroom", "Toonzaal"),
        "Website": ("Site web", "Website"),
        "AutoScout24": ("AutoScout24", "AutoScout24"),
        "Mobile.de": ("Mobile.de", "Mobile.de"),
        "Phone": ("Téléphone", "Telefoon"),
        "Referral": ("Recommandation", "Doorverwijzing"),
        "Event": ("Événement", "Evenement"),
    },
    "lost_reason": {
        "Bought elsewhere": ("Acheté ailleurs", "Elders gekocht"),
        "Price too high": ("Prix trop élevé", "Prijs te hoog"),
        "No longer interested": ("Plus intéressé", "Niet meer geïnteresseerd"),
        "Unreachable": ("Injoignable", "Onbereikbaar"),
    },
}


def upgrade():
    for table, length in LENGTHS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("name_fr", sa.String(length=length), nullable=True))
            batch_op.add_column(sa.Column("name_nl", sa.String(length=length), nullable=True))
        rows = sa.table(
            table, sa.column("name", sa.String), sa.column("name_fr"), sa.column("name_nl")
        )
        for name, (french, dutch) in DEFAULTS[table].items():
            op.execute(
                rows.update()
                .where(rows.c.name == name)
                .values(name_fr=french, name_nl=dutch)
            )


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of these
    # tables would drop a table that leads refer to.
    for table in LENGTHS:
        for column in ("name_nl", "name_fr"):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
