"""offer totals: VAT on the price after discount, trade-in deducted after VAT (issue 13, F11)

Stored offers with a trade-in were computed with the trade-in deducted before VAT. This
recomputes their net, VAT and total under the corrected rule and stamps
`totals_corrected_at`, so the offer page can tell the user that the figures changed.
Hand-written, no product imports: the arithmetic is restated here (half-up to the cent).

Revision ID: 9e3f4a5b6c7d
Revises: 8d2e3f4a5b6c
Create Date: 2026-11-29 14:10:00

"""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9e3f4a5b6c7d"
down_revision = "8d2e3f4a5b6c"
branch_labels = None
depends_on = None

CENT = Decimal("0.01")

offer = sa.table(
    "offer",
    sa.column("id", sa.Integer),
    sa.column("list_price", sa.Numeric(12, 2)),
    sa.column("discount", sa.Numeric(12, 2)),
    sa.column("trade_in_deduction", sa.Numeric(12, 2)),
    sa.column("vat_rate", sa.Numeric(5, 2)),
    sa.column("net_amount", sa.Numeric(12, 2)),
    sa.column("vat_amount", sa.Numeric(12, 2)),
    sa.column("total_amount", sa.Numeric(12, 2)),
    sa.column("totals_corrected_at", sa.DateTime(timezone=True)),
)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _totals(net: Decimal, rate) -> dict:
    vat = (net * _money(rate) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"net_amount": net, "vat_amount": vat, "total_amount": net + vat}


def _recompute(where, net_of, stamp) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            offer.c.id,
            offer.c.list_price,
            offer.c.discount,
            offer.c.trade_in_deduction,
            offer.c.vat_rate,
        ).where(where)
    ).all()
    for row in rows:
        values = _totals(net_of(row), row.vat_rate) | {"totals_corrected_at": stamp}
        bind.execute(offer.update().where(offer.c.id == row.id).values(**values))


def upgrade():
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("totals_corrected_at", sa.DateTime(timezone=True), nullable=True)
        )
    # SQLite keeps UTC moments naive (the models' UTCDateTime does the same).
    now = datetime.now(UTC)
    stamp = now.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else now
    _recompute(
        offer.c.trade_in_deduction > 0,
        lambda row: _money(row.list_price) - _money(row.discount),
        stamp,
    )


def downgrade():
    _recompute(
        offer.c.totals_corrected_at.is_not(None),
        lambda row: _money(row.list_price)
        - _money(row.discount)
        - _money(row.trade_in_deduction),
        None,
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_column("totals_corrected_at")
