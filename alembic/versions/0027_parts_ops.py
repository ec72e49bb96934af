"""Parts operations and public label reports.

- `part_movement`: the movement ledger. Every change of a hub's stock (a receipt, each
  side of a transfer, an adjustment, what a job consumed) is one row with the quantity it
  added or took and the on-hand count it left, never below zero.
- `part_reorder`: the reorder point of a part at a hub, and since when its free stock has
  been at or below it (`low_since`), so a low-stock alert goes out once per crossing and
  clears when the hub is restocked.
- `public_report`: faults reported from a label's public page by someone without an
  account: who (name, phone), what, the one-time code that confirms the phone, and the
  ticket it opened. Its rows also count reports per label and client for throttling.

Stock never goes negative: `part_stock` has refused it since 0007 (on_hand >= 0,
reserved <= on_hand); the ledger checks the same of every count it records.

Revision ID: 0027_parts_ops
Revises: 0026_service_desk
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0027_parts_ops"
down_revision = "0026_service_desk"
branch_labels = None
depends_on = None

TABLES = ("part_movement", "part_reorder", "public_report")

UPGRADE = """
CREATE TABLE part_movement (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    kind VARCHAR(14) NOT NULL CHECK (kind IN ('receipt', 'transfer_out', 'transfer_in',
        'adjustment', 'consumption')),
    part_id UUID NOT NULL REFERENCES part (id),
    area_id UUID NOT NULL REFERENCES service_areas (id),
    qty_change INTEGER NOT NULL CHECK (qty_change <> 0),
    on_hand_after INTEGER NOT NULL CHECK (on_hand_after >= 0),
    batch VARCHAR(60) NOT NULL DEFAULT '',
    serials JSONB NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL DEFAULT '',
    reference VARCHAR(120) NOT NULL DEFAULT '',
    ticket_id UUID REFERENCES ticket (id),
    group_id UUID NOT NULL,
    actor_id UUID REFERENCES users (id),
    actor_label VARCHAR(255) NOT NULL DEFAULT '',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX part_movement_recent ON part_movement (tenant_id, created_at DESC);
CREATE INDEX part_movement_line ON part_movement (area_id, part_id, created_at DESC);

CREATE TABLE part_reorder (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    area_id UUID NOT NULL REFERENCES service_areas (id),
    part_id UUID NOT NULL REFERENCES part (id),
    reorder_point INTEGER NOT NULL CHECK (reorder_point >= 0),
    low_since TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (area_id, part_id)
);

CREATE TABLE public_report (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    qr_id UUID NOT NULL REFERENCES qr_code (id),
    device_id UUID NOT NULL REFERENCES equipment (id),
    client_key VARCHAR(64) NOT NULL,
    name VARCHAR(120) NOT NULL,
    phone VARCHAR(20) NOT NULL,
    description TEXT NOT NULL,
    priority VARCHAR(2) NOT NULL CHECK (priority IN ('P2', 'P3')),
    status VARCHAR(14) NOT NULL CHECK (status IN ('awaiting_code', 'confirmed',
        'unconfirmed', 'expired')),
    code_hash VARCHAR(64),
    code_attempts INTEGER NOT NULL DEFAULT 0 CHECK (code_attempts >= 0),
    expires_at TIMESTAMP WITH TIME ZONE,
    ticket_id UUID REFERENCES ticket (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX public_report_label ON public_report (qr_id, client_key, created_at DESC);
CREATE INDEX public_report_client ON public_report (client_key, created_at DESC);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['part_movement', 'part_reorder', 'public_report']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, id)', t || '_tenant_id', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} "
        f"TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS " + ", ".join(reversed(TABLES)))
