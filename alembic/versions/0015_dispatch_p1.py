"""Dispatch plans that keep their history and round-the-clock starts.

- `technician.on_call`: reachable outside the shift, so a job under a round-the-clock
  contract can start now rather than at the next shift.
- `technician.employee_code` and `technician.phone`: what tells two technicians of the
  same name apart in the dispatcher's picker.
- `dispatch_plan.basis`: what the plan was made from (its technicians as they were), so a
  plan shown later can say what changed since and whether it is stale.

The new columns live on tables whose row-level security policies already cover them.

Revision ID: 0015_dispatch_p1
Revises: 0014_catalog_specs
Create Date: 2026-12-01
"""

from alembic import op

revision = "0015_dispatch_p1"
down_revision = "0014_catalog_specs"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE technician
    ADD COLUMN on_call BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN employee_code VARCHAR(20),
    ADD COLUMN phone VARCHAR(15);
ALTER TABLE dispatch_plan ADD COLUMN basis JSONB NOT NULL DEFAULT '{}';
"""

DOWNGRADE = """
ALTER TABLE dispatch_plan DROP COLUMN IF EXISTS basis;
ALTER TABLE technician
    DROP COLUMN IF EXISTS phone,
    DROP COLUMN IF EXISTS employee_code,
    DROP COLUMN IF EXISTS on_call;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
