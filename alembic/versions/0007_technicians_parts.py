"""Technicians (skills, certifications, shifts, home hub, last position, capacity),
dispatch plans, and parts: a catalogue per organisation, stock per hub with reservations, the bill of
materials of each SKU and the parts a fault code usually needs.

Stock can never be reserved past what is on hand (a CHECK), so two dispatchers racing
for the last unit cannot both win.

Revision ID: 0007_technicians_parts
Revises: 0006_audit_canonical_v2
Create Date: 2026-11-25
"""

from alembic import op

from services.settings import get_settings

revision = "0007_technicians_parts"
down_revision = "0006_audit_canonical_v2"
branch_labels = None
depends_on = None

TABLES = (
    "technician",
    "part",
    "part_stock",
    "part_reservation",
    "sku_part",
    "fault_part",
    "dispatch_plan",
)

UPGRADE = """
CREATE TABLE technician (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    user_id UUID NOT NULL UNIQUE REFERENCES users (id),
    home_area_id UUID REFERENCES service_areas (id),
    skills JSONB NOT NULL DEFAULT '[]',
    certifications JSONB NOT NULL DEFAULT '[]',
    shift_start TIME NOT NULL DEFAULT '09:00',
    shift_end TIME NOT NULL DEFAULT '18:00',
    workdays INTEGER[] NOT NULL DEFAULT '{0,1,2,3,4,5}',
    pincode VARCHAR(6) REFERENCES indian_pincodes (pincode),
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    last_fix_at TIMESTAMP WITH TIME ZONE,
    max_jobs_per_day INTEGER NOT NULL DEFAULT 6 CHECK (max_jobs_per_day BETWEEN 1 AND 30),
    status VARCHAR(16) NOT NULL DEFAULT 'available'
        CHECK (status IN ('available', 'busy', 'off', 'unavailable')),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CHECK (shift_end > shift_start)
);
CREATE INDEX technician_home_area ON technician (home_area_id);
-- The technician a ticket is with, once a plan is accepted or a dispatcher assigns it.
ALTER TABLE ticket ADD COLUMN technician_id UUID REFERENCES technician (id);

CREATE TABLE part (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    code VARCHAR(60) NOT NULL,
    name VARCHAR(200) NOT NULL,
    device_type VARCHAR(60),
    unit_cost_paise BIGINT NOT NULL DEFAULT 0 CHECK (unit_cost_paise >= 0),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, code)
);

CREATE TABLE part_stock (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    area_id UUID NOT NULL REFERENCES service_areas (id),
    part_id UUID NOT NULL REFERENCES part (id),
    on_hand INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CHECK (reserved <= on_hand),
    UNIQUE (area_id, part_id)
);

CREATE TABLE part_reservation (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    ticket_id UUID NOT NULL REFERENCES ticket (id),
    part_id UUID NOT NULL REFERENCES part (id),
    area_id UUID NOT NULL REFERENCES service_areas (id),
    qty INTEGER NOT NULL CHECK (qty > 0),
    status VARCHAR(12) NOT NULL DEFAULT 'reserved'
        CHECK (status IN ('reserved', 'consumed', 'released')),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX part_reservation_ticket ON part_reservation (ticket_id);

CREATE TABLE sku_part (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    sku_id UUID NOT NULL REFERENCES sku (id),
    part_id UUID NOT NULL REFERENCES part (id),
    qty INTEGER NOT NULL DEFAULT 1 CHECK (qty > 0),
    UNIQUE (sku_id, part_id)
);

CREATE TABLE fault_part (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    sku_id UUID NOT NULL REFERENCES sku (id),
    error_code VARCHAR(40) NOT NULL,
    part_id UUID NOT NULL REFERENCES part (id),
    qty INTEGER NOT NULL DEFAULT 1 CHECK (qty > 0),
    UNIQUE (sku_id, error_code, part_id)
);

CREATE TABLE dispatch_plan (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    status VARCHAR(16) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running',
        'ready', 'failed', 'accepted', 'superseded')),
    params JSONB NOT NULL DEFAULT '{}',
    progress JSONB NOT NULL DEFAULT '[]',
    routes JSONB NOT NULL DEFAULT '[]',
    unassigned JSONB NOT NULL DEFAULT '[]',
    summary JSONB NOT NULL DEFAULT '{}',
    error TEXT NOT NULL DEFAULT '',
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    finished_at TIMESTAMP WITH TIME ZONE,
    accepted_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX dispatch_plan_recent ON dispatch_plan (tenant_id, created_at DESC);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['technician', 'part', 'part_stock', 'part_reservation', 'sku_part',
                           'fault_part', 'dispatch_plan']
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
    op.execute("ALTER TABLE ticket DROP COLUMN IF EXISTS technician_id")
    op.execute("DROP TABLE IF EXISTS " + ", ".join(reversed(TABLES)))
