"""The facility and laboratory directory, nearby search, service areas and coverage.

- Facilities and laboratories always carry coordinates: a trigger fills them from the
  pincode centroid when a row comes without. A GiST index over `ll_to_earth` (cube and
  earthdistance, both contrib) walks rows nearest first; ordering by it needs no
  leakproof operator, so it serves searches under row-level security too.
- Facilities gain accreditations, ownership and where the row came from (`source`:
  tenant, import or demo); one equipment summary per facility.
- Service areas gain a radius (the editor stores both the radius and the pincodes it
  resolved to) and are readable by every signed-in organisation, as is technician
  coverage: a provider's service network is what it offers its customers.

Revision ID: 0005_geo_directory
Revises: 0004_cross_tenant_writes
Create Date: 2026-11-25
"""

from alembic import op

revision = "0005_geo_directory"
down_revision = "0004_cross_tenant_writes"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE healthcare_facilities
    ADD COLUMN accreditations JSONB DEFAULT '[]' NOT NULL,
    ADD COLUMN ownership VARCHAR(20) DEFAULT 'private' NOT NULL,
    ADD COLUMN source VARCHAR(20) DEFAULT 'tenant' NOT NULL,
    ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    ADD CONSTRAINT facility_ownership_check
        CHECK (ownership IN ('public', 'private', 'trust', 'corporate')),
    ADD CONSTRAINT facility_source_check CHECK (source IN ('tenant', 'import', 'demo')),
    ADD CONSTRAINT facility_beds_check CHECK (bed_count IS NULL OR bed_count >= 0),
    ADD CONSTRAINT facility_latitude_check CHECK (latitude BETWEEN -90 AND 90),
    ADD CONSTRAINT facility_longitude_check CHECK (longitude BETWEEN -180 AND 180);

ALTER TABLE laboratories
    ADD COLUMN latitude FLOAT,
    ADD COLUMN longitude FLOAT,
    ADD COLUMN source VARCHAR(20) DEFAULT 'tenant' NOT NULL,
    ADD CONSTRAINT laboratory_source_check CHECK (source IN ('tenant', 'import', 'demo'));

CREATE FUNCTION place_at_pincode() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
    IF NEW.latitude IS NULL OR NEW.longitude IS NULL THEN
        SELECT p.latitude, p.longitude INTO NEW.latitude, NEW.longitude
          FROM indian_pincodes p WHERE p.pincode = NEW.pincode;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER facility_place BEFORE INSERT OR UPDATE OF pincode, latitude, longitude
    ON healthcare_facilities FOR EACH ROW EXECUTE FUNCTION place_at_pincode();
CREATE TRIGGER laboratory_place BEFORE INSERT OR UPDATE OF pincode, latitude, longitude
    ON laboratories FOR EACH ROW EXECUTE FUNCTION place_at_pincode();

UPDATE healthcare_facilities f SET latitude = p.latitude, longitude = p.longitude
  FROM indian_pincodes p WHERE p.pincode = f.pincode AND (f.latitude IS NULL OR f.longitude IS NULL);
UPDATE laboratories l SET latitude = p.latitude, longitude = p.longitude
  FROM indian_pincodes p WHERE p.pincode = l.pincode AND (l.latitude IS NULL OR l.longitude IS NULL);

CREATE INDEX healthcare_facilities_earth
    ON healthcare_facilities USING gist (ll_to_earth(latitude, longitude));
CREATE INDEX laboratories_earth ON laboratories USING gist (ll_to_earth(latitude, longitude));
CREATE INDEX healthcare_facilities_type ON healthcare_facilities (facility_type);
-- An organisation's own and shared sites are a handful among the public directory.
CREATE INDEX healthcare_facilities_owned ON healthcare_facilities (tenant_id)
    WHERE tenant_id IS NOT NULL;
CREATE INDEX laboratories_owned ON laboratories (tenant_id) WHERE tenant_id IS NOT NULL;
CREATE INDEX healthcare_facilities_name_trgm
    ON healthcare_facilities USING gin (name gin_trgm_ops);
CREATE INDEX healthcare_facilities_accreditations_gin
    ON healthcare_facilities USING gin (accreditations);
CREATE INDEX laboratories_accreditations_gin ON laboratories USING gin (accreditations);
CREATE UNIQUE INDEX facility_equipment_one_per_facility
    ON healthcare_facility_equipment (facility_id);
CREATE INDEX laboratories_facility ON laboratories (facility_id);

CREATE POLICY directory_platform_facility_equipment ON healthcare_facility_equipment FOR ALL
    USING (tenant_id IS NULL AND app_is_platform())
    WITH CHECK (tenant_id IS NULL AND app_is_platform());

ALTER TABLE service_areas
    ADD COLUMN radius_km FLOAT,
    ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    ADD CONSTRAINT service_area_radius_check CHECK (radius_km IS NULL OR radius_km > 0),
    ADD CONSTRAINT service_area_response_check CHECK (max_response_time_hours > 0),
    ADD CONSTRAINT service_area_name_key UNIQUE (tenant_id, name);
CREATE INDEX technician_coverage_area ON technician_coverage (service_area_id);
CREATE INDEX technician_coverage_specialties_gin ON technician_coverage USING gin (specialties);

CREATE POLICY service_area_network ON service_areas FOR SELECT USING (app_tenant() IS NOT NULL);
CREATE POLICY technician_coverage_network ON technician_coverage FOR SELECT
    USING (app_tenant() IS NOT NULL);
"""

DOWNGRADE = """
DROP POLICY IF EXISTS technician_coverage_network ON technician_coverage;
DROP POLICY IF EXISTS service_area_network ON service_areas;
DROP INDEX IF EXISTS technician_coverage_specialties_gin;
DROP INDEX IF EXISTS technician_coverage_area;
ALTER TABLE service_areas DROP CONSTRAINT IF EXISTS service_area_name_key,
    DROP CONSTRAINT IF EXISTS service_area_response_check,
    DROP CONSTRAINT IF EXISTS service_area_radius_check,
    DROP COLUMN IF EXISTS updated_at, DROP COLUMN IF EXISTS radius_km;
DROP POLICY IF EXISTS directory_platform_facility_equipment ON healthcare_facility_equipment;
DROP INDEX IF EXISTS laboratories_facility;
DROP INDEX IF EXISTS facility_equipment_one_per_facility;
DROP INDEX IF EXISTS laboratories_accreditations_gin;
DROP INDEX IF EXISTS healthcare_facilities_accreditations_gin;
DROP INDEX IF EXISTS healthcare_facilities_name_trgm;
DROP INDEX IF EXISTS laboratories_owned;
DROP INDEX IF EXISTS healthcare_facilities_owned;
DROP INDEX IF EXISTS healthcare_facilities_type;
DROP INDEX IF EXISTS laboratories_earth;
DROP INDEX IF EXISTS healthcare_facilities_earth;
DROP TRIGGER IF EXISTS laboratory_place ON laboratories;
DROP TRIGGER IF EXISTS facility_place ON healthcare_facilities;
DROP FUNCTION IF EXISTS place_at_pincode();
ALTER TABLE laboratories DROP CONSTRAINT IF EXISTS laboratory_source_check,
    DROP COLUMN IF EXISTS source, DROP COLUMN IF EXISTS longitude,
    DROP COLUMN IF EXISTS latitude;
ALTER TABLE healthcare_facilities DROP CONSTRAINT IF EXISTS facility_longitude_check,
    DROP CONSTRAINT IF EXISTS facility_latitude_check,
    DROP CONSTRAINT IF EXISTS facility_beds_check,
    DROP CONSTRAINT IF EXISTS facility_source_check,
    DROP CONSTRAINT IF EXISTS facility_ownership_check,
    DROP COLUMN IF EXISTS updated_at, DROP COLUMN IF EXISTS source,
    DROP COLUMN IF EXISTS ownership, DROP COLUMN IF EXISTS accreditations;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
