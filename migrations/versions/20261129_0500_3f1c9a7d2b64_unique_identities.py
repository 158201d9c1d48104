"""seller profiles and cooperatives: NIB and NIK (sellers), NIB and NPWP (cooperatives) are unique

Empty cooperative identifiers become NULL first (NULLs never collide). Existing duplicates are not merged or
changed: the upgrade stops and names the rows, for an operator to resolve before running it again.

Revision ID: 3f1c9a7d2b64
Revises: ee8424df5576
Create Date: 2026-11-29 05:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3f1c9a7d2b64"
down_revision = "ee8424df5576"
branch_labels = None
depends_on = None

#: table → the columns made unique.
UNIQUE_COLUMNS = {"seller_profiles": ("nib", "nik"), "cooperatives": ("nib", "npwp")}


def upgrade():
    for column in UNIQUE_COLUMNS["cooperatives"]:
        blank_to_null("cooperatives", column)
    for table, columns in UNIQUE_COLUMNS.items():
        for column in columns:
            refuse_duplicates(table, column)
    for table, columns in UNIQUE_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_{column}"), [column])


def downgrade():
    for table, columns in UNIQUE_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(batch_op.f(f"uq_{table}_{column}"), type_="unique")


def blank_to_null(table: str, column: str) -> None:
    """Store an empty or blank identifier as NULL."""
    value = sa.column(column, sa.String)
    op.execute(sa.table(table, value).update().where(sa.func.trim(value) == "").values({column: None}))


def refuse_duplicates(table: str, column: str) -> None:
    """Stop the upgrade, naming the row ids (not the identifiers, which are personal data), if values repeat."""
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.String))
    others = rows.alias("others")
    repeated = sa.select(others.c[column]).where(others.c[column].is_not(None)).group_by(others.c[column])
    repeated = repeated.having(sa.func.count() > 1)
    statement = sa.select(rows.c.id).where(rows.c[column].in_(repeated)).order_by(rows.c.id)
    ids = [str(row_id) for row_id in op.get_bind().scalars(statement)]
    if ids:
        raise RuntimeError(
            f"{table}.{column} holds the same value in several rows (ids {', '.join(ids)}); correct them, "
            "then run the upgrade again."
        )
