"""refunds and payouts: the key of the form that made them, unique per payment (refunds) or cooperative (payouts)

Revision ID: ee8424df5576
Revises: 9d41c2ab7e10
Create Date: 2026-11-29 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ee8424df5576"
down_revision = "9d41c2ab7e10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_key", sa.String(length=48), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_refunds_payment_id_form_key"), ["payment_id", "form_key"])

    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_key", sa.String(length=48), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_payouts_cooperative_id_form_key"), ["cooperative_id", "form_key"]
        )


def downgrade():
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_payouts_cooperative_id_form_key"), type_="unique")
        batch_op.drop_column("form_key")

    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_refunds_payment_id_form_key"), type_="unique")
        batch_op.drop_column("form_key")
