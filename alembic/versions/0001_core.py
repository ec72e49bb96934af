"""Core schema: tenants, identity, audit trail, outbox, marketplace, service and geography.

Row-level security is forced on every tenant-owned table; the application role owns
nothing. Cross-tenant reads the business needs (public catalog, an RFQ sent to an OEM,
a hospital's devices for its service partner) are explicit policies and grants.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-24
"""

from alembic import op

from services.settings import get_settings

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE indian_pincodes (
	pincode VARCHAR(6) NOT NULL,
	city VARCHAR(120) NOT NULL,
	district VARCHAR(120) NOT NULL,
	state VARCHAR(80) NOT NULL,
	latitude FLOAT NOT NULL,
	longitude FLOAT NOT NULL,
	PRIMARY KEY (pincode)
);

CREATE TABLE tenant (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	name VARCHAR(200) NOT NULL,
	kind VARCHAR(32) NOT NULL,
	tier VARCHAR(32) NOT NULL,
	state VARCHAR(80),
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id)
);

CREATE TABLE access_grant (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	grantee_tenant_id UUID NOT NULL,
	entity_type VARCHAR(40) NOT NULL,
	entity_id UUID,
	created_by UUID,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(grantee_tenant_id) REFERENCES tenant (id)
);

CREATE TABLE audit_log (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	seq BIGINT NOT NULL,
	tenant_id UUID,
	actor_id UUID,
	actor_label VARCHAR(254) NOT NULL,
	action VARCHAR(80) NOT NULL,
	entity VARCHAR(60) NOT NULL,
	entity_id VARCHAR(80) NOT NULL,
	summary VARCHAR(500) NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	prev_hash VARCHAR(64) NOT NULL,
	hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (seq),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id)
);

CREATE TABLE device_registration_batch (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	external_batch_id VARCHAR(80) NOT NULL,
	status VARCHAR(20) NOT NULL,
	total_count INTEGER NOT NULL,
	processed_count INTEGER NOT NULL,
	failed_count INTEGER NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id)
);

CREATE TABLE healthcare_facilities (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID,
	external_id VARCHAR(80),
	name VARCHAR(200) NOT NULL,
	address VARCHAR(400) NOT NULL,
	pincode VARCHAR(6) NOT NULL,
	facility_type VARCHAR(40) NOT NULL,
	bed_count INTEGER,
	specialties JSONB DEFAULT '[]' NOT NULL,
	contact_info JSONB DEFAULT '{}' NOT NULL,
	latitude FLOAT,
	longitude FLOAT,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(pincode) REFERENCES indian_pincodes (pincode)
);

CREATE TABLE outbox_event (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	seq BIGINT GENERATED ALWAYS AS IDENTITY,
	tenant_id UUID NOT NULL,
	name VARCHAR(60) NOT NULL,
	entity VARCHAR(60) NOT NULL,
	entity_id VARCHAR(80) NOT NULL,
	payload JSONB DEFAULT '{}' NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	dispatched_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id),
	UNIQUE (seq),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id)
);

CREATE TABLE service_areas (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	name VARCHAR(120) NOT NULL,
	hub_pincode VARCHAR(6) NOT NULL,
	hub_latitude FLOAT NOT NULL,
	hub_longitude FLOAT NOT NULL,
	covered_pincodes JSONB DEFAULT '[]' NOT NULL,
	max_response_time_hours FLOAT NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(hub_pincode) REFERENCES indian_pincodes (pincode)
);

CREATE TABLE sku (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	code VARCHAR(64) NOT NULL,
	name VARCHAR(200) NOT NULL,
	category VARCHAR(80) NOT NULL,
	imdr_class VARCHAR(1) NOT NULL,
	list_price_paise BIGINT NOT NULL,
	gst_rate NUMERIC(5, 2) NOT NULL,
	attrs JSONB DEFAULT '{}' NOT NULL,
	is_active BOOLEAN NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id)
);

CREATE TABLE users (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	email VARCHAR(254) NOT NULL,
	full_name VARCHAR(200) NOT NULL,
	roles TEXT[] DEFAULT '{}' NOT NULL,
	password_hash VARCHAR,
	oidc_subject VARCHAR(200),
	is_service_account BOOLEAN NOT NULL,
	is_active BOOLEAN NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	last_login_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id)
);

CREATE TABLE equipment (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	manufacturer_tenant_id UUID NOT NULL,
	sku_id UUID NOT NULL,
	facility_id UUID,
	serial_number VARCHAR(80) NOT NULL,
	udi VARCHAR(120),
	install_date DATE,
	amc_status VARCHAR(10) NOT NULL,
	amc_start DATE,
	amc_end DATE,
	current_sla VARCHAR(20),
	lifecycle_status VARCHAR(20) NOT NULL,
	attrs JSONB DEFAULT '{}' NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(manufacturer_tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(sku_id) REFERENCES sku (id),
	FOREIGN KEY(facility_id) REFERENCES healthcare_facilities (id)
);

CREATE TABLE event_delivery (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	event_id UUID NOT NULL,
	subscriber VARCHAR(120) NOT NULL,
	status VARCHAR(16) NOT NULL,
	attempts INTEGER NOT NULL,
	last_error VARCHAR(1000),
	next_attempt_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	delivered_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(event_id) REFERENCES outbox_event (id)
);

CREATE TABLE healthcare_facility_equipment (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID,
	facility_id UUID NOT NULL,
	device_count_by_category JSONB DEFAULT '{}' NOT NULL,
	lab_equipment_types JSONB DEFAULT '[]' NOT NULL,
	last_updated TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(facility_id) REFERENCES healthcare_facilities (id)
);

CREATE TABLE laboratories (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID,
	facility_id UUID,
	external_id VARCHAR(80),
	name VARCHAR(200) NOT NULL,
	address VARCHAR(400) NOT NULL,
	pincode VARCHAR(6) NOT NULL,
	lab_type VARCHAR(40) NOT NULL,
	test_categories JSONB DEFAULT '[]' NOT NULL,
	accreditations JSONB DEFAULT '[]' NOT NULL,
	contact_info JSONB DEFAULT '{}' NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(facility_id) REFERENCES healthcare_facilities (id),
	FOREIGN KEY(pincode) REFERENCES indian_pincodes (pincode)
);

CREATE TABLE rfq (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	created_by UUID,
	title VARCHAR(200) NOT NULL,
	status VARCHAR(20) NOT NULL,
	delivery_pincode VARCHAR(6),
	required_by DATE,
	terms VARCHAR NOT NULL,
	expires_at TIMESTAMP WITH TIME ZONE,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(created_by) REFERENCES users (id)
);

CREATE TABLE technician_coverage (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	technician_id UUID NOT NULL,
	service_area_id UUID NOT NULL,
	specialties JSONB DEFAULT '[]' NOT NULL,
	availability JSONB DEFAULT '{}' NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(technician_id) REFERENCES users (id),
	FOREIGN KEY(service_area_id) REFERENCES service_areas (id)
);

CREATE TABLE user_session (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	user_id UUID NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	last_seen_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	revoked_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(user_id) REFERENCES users (id)
);

CREATE TABLE manufacturer_device_feed (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	import_batch_id UUID NOT NULL,
	row_number INTEGER NOT NULL,
	serial_number VARCHAR(80) NOT NULL,
	sku_code VARCHAR(64) NOT NULL,
	payload JSONB DEFAULT '{}' NOT NULL,
	status VARCHAR(20) NOT NULL,
	error VARCHAR(500),
	device_id UUID,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(import_batch_id) REFERENCES device_registration_batch (id),
	FOREIGN KEY(device_id) REFERENCES equipment (id)
);

CREATE TABLE qr_deployment_log (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	qr_id UUID NOT NULL,
	device_id UUID,
	location_lat FLOAT,
	location_lng FLOAT,
	deployed_by_user_id UUID,
	is_valid BOOLEAN NOT NULL,
	reason VARCHAR(200) NOT NULL,
	validated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(device_id) REFERENCES equipment (id),
	FOREIGN KEY(deployed_by_user_id) REFERENCES users (id)
);

CREATE TABLE quote (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	rfq_id UUID NOT NULL,
	buyer_tenant_id UUID NOT NULL,
	revision INTEGER NOT NULL,
	status VARCHAR(20) NOT NULL,
	amount_paise BIGINT NOT NULL,
	lines JSONB DEFAULT '[]' NOT NULL,
	valid_until DATE,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(rfq_id) REFERENCES rfq (id),
	FOREIGN KEY(buyer_tenant_id) REFERENCES tenant (id)
);

CREATE TABLE rfq_item (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	rfq_id UUID NOT NULL,
	sku_id UUID NOT NULL,
	qty INTEGER NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(rfq_id) REFERENCES rfq (id) ON DELETE CASCADE,
	FOREIGN KEY(sku_id) REFERENCES sku (id)
);

CREATE TABLE ticket (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	equipment_id UUID,
	facility_id UUID,
	service_partner_tenant_id UUID,
	priority VARCHAR(2) NOT NULL,
	status VARCHAR(20) NOT NULL,
	source VARCHAR(20) NOT NULL,
	error_code VARCHAR(40),
	description VARCHAR NOT NULL,
	opened_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(equipment_id) REFERENCES equipment (id),
	FOREIGN KEY(facility_id) REFERENCES healthcare_facilities (id),
	FOREIGN KEY(service_partner_tenant_id) REFERENCES tenant (id)
);

CREATE TABLE contract (
	id UUID DEFAULT gen_random_uuid() NOT NULL,
	tenant_id UUID NOT NULL,
	seller_tenant_id UUID NOT NULL,
	rfq_id UUID,
	quote_id UUID,
	kind VARCHAR(20) NOT NULL,
	status VARCHAR(20) NOT NULL,
	sla_tier VARCHAR(20),
	starts_on DATE,
	ends_on DATE,
	terms JSONB DEFAULT '{}' NOT NULL,
	signed_at TIMESTAMP WITH TIME ZONE,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(seller_tenant_id) REFERENCES tenant (id),
	FOREIGN KEY(rfq_id) REFERENCES rfq (id),
	FOREIGN KEY(quote_id) REFERENCES quote (id)
);
"""

# Tables whose rows belong to one tenant (tenant_id), all under forced RLS.
TENANT_TABLES = (
    "access_grant",
    "audit_log",
    "device_registration_batch",
    "healthcare_facilities",
    "outbox_event",
    "service_areas",
    "sku",
    "users",
    "equipment",
    "event_delivery",
    "healthcare_facility_equipment",
    "laboratories",
    "rfq",
    "technician_coverage",
    "user_session",
    "manufacturer_device_feed",
    "qr_deployment_log",
    "quote",
    "rfq_item",
    "ticket",
    "contract",
)

CONSTRAINTS = """
ALTER TABLE tenant ADD CONSTRAINT tenant_kind_check CHECK
    (kind IN ('hospital_chain', 'lab_chain', 'oem', 'service_partner', 'platform'));
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (roles <@ ARRAY[
    'platform_admin', 'buyer_admin', 'buyer_user', 'oem_admin', 'oem_sales',
    'oem_service_manager', 'dispatcher', 'technician', 'lab_staff']::text[]);
ALTER TABLE users ADD CONSTRAINT users_email_lower CHECK (email = lower(email));
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_oidc_subject_key ON users (oidc_subject) WHERE oidc_subject IS NOT NULL;
ALTER TABLE indian_pincodes ADD CONSTRAINT pincode_format CHECK (pincode ~ '^[1-9][0-9]{5}$');
ALTER TABLE indian_pincodes ADD CONSTRAINT pincode_lat CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE indian_pincodes ADD CONSTRAINT pincode_lng CHECK (longitude BETWEEN -180 AND 180);
ALTER TABLE sku ADD CONSTRAINT sku_imdr_class_check CHECK (imdr_class IN ('A', 'B', 'C', 'D'));
ALTER TABLE sku ADD CONSTRAINT sku_price_check CHECK (list_price_paise >= 0);
ALTER TABLE sku ADD CONSTRAINT sku_gst_check CHECK (gst_rate >= 0 AND gst_rate <= 28);
CREATE UNIQUE INDEX sku_tenant_code_key ON sku (tenant_id, code);
ALTER TABLE rfq_item ADD CONSTRAINT rfq_item_qty_check CHECK (qty >= 1);
ALTER TABLE healthcare_facilities ADD CONSTRAINT facility_type_check CHECK (facility_type IN (
    'hospital', 'diagnostic_lab', 'pathology_lab', 'radiology_center', 'imaging_center',
    'cardiac_center', 'oncology_center', 'primary_health_center', 'community_health_center',
    'dispensary', 'eye_care_center', 'dental_clinic', 'dialysis_center', 'physiotherapy_center',
    'sleep_study_center', 'emergency_center', 'trauma_center', 'corporate_health_center',
    'telemedicine_center'));
CREATE UNIQUE INDEX healthcare_facilities_external_key
    ON healthcare_facilities (external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX laboratories_external_key
    ON laboratories (external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX equipment_serial_key ON equipment (manufacturer_tenant_id, serial_number);
CREATE UNIQUE INDEX registration_batch_external_key
    ON device_registration_batch (tenant_id, external_batch_id);
CREATE UNIQUE INDEX event_delivery_key ON event_delivery (event_id, subscriber);
CREATE UNIQUE INDEX access_grant_key ON access_grant
    (tenant_id, grantee_tenant_id, entity_type, coalesce(entity_id, '00000000-0000-0000-0000-000000000000'));
ALTER TABLE ticket ADD CONSTRAINT ticket_priority_check CHECK (priority IN ('P1', 'P2', 'P3', 'P4'));

CREATE INDEX outbox_event_pending ON outbox_event (seq) WHERE dispatched_at IS NULL;
CREATE INDEX event_delivery_due ON event_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX access_grant_grantee ON access_grant (grantee_tenant_id, entity_type);
CREATE INDEX healthcare_facilities_pincode ON healthcare_facilities (pincode);
CREATE INDEX laboratories_pincode ON laboratories (pincode);
CREATE INDEX equipment_facility ON equipment (facility_id);
CREATE INDEX ticket_status ON ticket (tenant_id, status);
CREATE INDEX quote_rfq ON quote (rfq_id);
CREATE INDEX rfq_item_rfq ON rfq_item (rfq_id);
CREATE INDEX indian_pincodes_state_district ON indian_pincodes (state, district);

CREATE INDEX sku_attrs_gin ON sku USING gin (attrs);
CREATE INDEX equipment_attrs_gin ON equipment USING gin (attrs);
CREATE INDEX healthcare_facilities_specialties_gin ON healthcare_facilities USING gin (specialties);
CREATE INDEX laboratories_test_categories_gin ON laboratories USING gin (test_categories);
CREATE INDEX service_areas_pincodes_gin ON service_areas USING gin (covered_pincodes);
CREATE INDEX facility_equipment_counts_gin
    ON healthcare_facility_equipment USING gin (device_count_by_category);
"""

FUNCTIONS = """
CREATE FUNCTION app_tenant() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Definer functions run as the owner: they read only what their own WHERE allows.
CREATE FUNCTION app_is_platform() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp AS
$$ SELECT EXISTS (SELECT 1 FROM tenant WHERE id = app_tenant() AND kind = 'platform') $$;

CREATE FUNCTION app_has_grant(p_entity text, p_owner uuid, p_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT EXISTS (
     SELECT 1 FROM access_grant g
      WHERE g.grantee_tenant_id = app_tenant() AND g.tenant_id = p_owner
        AND g.entity_type = p_entity AND (g.entity_id IS NULL OR g.entity_id = p_id)) $$;

-- The names and kinds of all organisations, for display (a marketplace directory).
CREATE FUNCTION tenant_directory() RETURNS TABLE (id uuid, name text, kind text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT t.id, t.name::text, t.kind::text FROM tenant t WHERE app_tenant() IS NOT NULL $$;

-- Login: the one cross-tenant read of users, by exact e-mail.
CREATE FUNCTION auth_login_lookup(p_email text) RETURNS TABLE (
    user_id uuid, tenant_id uuid, tenant_kind text, password_hash text, roles text[],
    is_active boolean, full_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT u.id, u.tenant_id, t.kind::text, u.password_hash, u.roles, u.is_active, u.full_name::text
     FROM users u JOIN tenant t ON t.id = u.tenant_id
    WHERE u.email = lower(p_email) $$;

-- A browser session: returns its user while it is fresh, touching it; nothing otherwise.
CREATE FUNCTION auth_session_resolve(p_session uuid, p_idle_seconds integer) RETURNS TABLE (
    user_id uuid, tenant_id uuid, tenant_kind text, roles text[], email text, full_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    RETURN QUERY
    UPDATE user_session s SET last_seen_at = now()
      FROM users u JOIN tenant t ON t.id = u.tenant_id
     WHERE s.id = p_session AND s.revoked_at IS NULL AND u.id = s.user_id AND u.is_active
       AND s.last_seen_at > now() - make_interval(secs => p_idle_seconds)
    RETURNING u.id, u.tenant_id, t.kind::text, u.roles, u.email::text, u.full_name::text;
END
$$;

CREATE FUNCTION audit_canonical(a audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT concat_ws('|', a.seq::text, a.id::text, coalesce(a.tenant_id::text, ''),
       coalesce(a.actor_id::text, ''), a.actor_label, a.action, a.entity, a.entity_id, a.summary,
       to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.prev_hash) $$;

-- Appends to the hash chain. The lock serialises appends so the chain stays linear.
CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS
$$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_log_chain'));
    SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.created_at := date_trunc('microseconds', clock_timestamp());
    NEW.hash := encode(sha256(convert_to(audit_canonical(NEW), 'UTF8')), 'hex');
    RETURN NEW;
END
$$;

CREATE FUNCTION audit_immutable() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
       USING ERRCODE = 'insufficient_privilege'; END $$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_chain();
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_immutable();
"""

POLICIES = """
ALTER TABLE tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_self ON tenant FOR SELECT USING (id = app_tenant() OR app_is_platform());
CREATE POLICY tenant_platform ON tenant FOR ALL USING (app_is_platform())
    WITH CHECK (app_is_platform());
CREATE POLICY tenant_owner ON tenant FOR ALL TO CURRENT_USER USING (true);

CREATE POLICY users_platform ON users FOR ALL USING (app_is_platform())
    WITH CHECK (app_is_platform());
CREATE POLICY users_owner ON users FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY user_session_owner ON user_session FOR ALL TO CURRENT_USER USING (true);

-- The catalog is public to every signed-in organisation; only the OEM edits its SKUs.
CREATE POLICY sku_marketplace ON sku FOR SELECT USING (app_tenant() IS NOT NULL);

CREATE POLICY rfq_granted ON rfq FOR SELECT USING (app_has_grant('rfq', tenant_id, id));
CREATE POLICY rfq_item_granted ON rfq_item FOR SELECT
    USING (app_has_grant('rfq', tenant_id, rfq_id));
CREATE POLICY quote_buyer ON quote FOR SELECT USING (buyer_tenant_id = app_tenant());
CREATE POLICY contract_seller ON contract FOR SELECT USING (seller_tenant_id = app_tenant());

CREATE POLICY equipment_granted ON equipment FOR SELECT
    USING (app_has_grant('equipment', tenant_id, id));
CREATE POLICY equipment_manufacturer ON equipment FOR SELECT
    USING (manufacturer_tenant_id = app_tenant());
CREATE POLICY ticket_partner ON ticket FOR ALL USING (service_partner_tenant_id = app_tenant())
    WITH CHECK (service_partner_tenant_id = app_tenant());

CREATE POLICY facility_directory ON healthcare_facilities FOR SELECT
    USING (tenant_id IS NULL OR app_has_grant('facility', tenant_id, id));
CREATE POLICY laboratory_directory ON laboratories FOR SELECT
    USING (tenant_id IS NULL OR app_has_grant('facility', tenant_id, facility_id));
CREATE POLICY facility_equipment_directory ON healthcare_facility_equipment FOR SELECT
    USING (tenant_id IS NULL OR app_has_grant('facility', tenant_id, facility_id));
CREATE POLICY directory_platform_facilities ON healthcare_facilities FOR ALL
    USING (tenant_id IS NULL AND app_is_platform()) WITH CHECK (tenant_id IS NULL AND app_is_platform());
CREATE POLICY directory_platform_laboratories ON laboratories FOR ALL
    USING (tenant_id IS NULL AND app_is_platform()) WITH CHECK (tenant_id IS NULL AND app_is_platform());

CREATE POLICY access_grant_grantee ON access_grant FOR SELECT
    USING (grantee_tenant_id = app_tenant());

CREATE POLICY audit_platform ON audit_log FOR SELECT USING (app_is_platform());
CREATE POLICY audit_owner ON audit_log FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY outbox_owner ON outbox_event FOR ALL TO CURRENT_USER USING (true);
CREATE POLICY delivery_owner ON event_delivery FOR ALL TO CURRENT_USER USING (true);
"""


def _tenant_policies() -> str:
    parts = []
    for table in TENANT_TABLES:
        parts.append(f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
CREATE POLICY {table}_tenant ON {table} USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant());
CREATE INDEX {table}_tenant_id ON {table} (tenant_id, id);""")
    return "\n".join(parts)


def _grants(role: str) -> str:
    writable = [t for t in TENANT_TABLES if t != "audit_log"] + ["tenant"]
    return f"""
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON {", ".join(writable)} TO {role};
GRANT SELECT, INSERT ON audit_log TO {role};
GRANT SELECT ON indian_pincodes TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role};
"""


def upgrade() -> None:
    settings = get_settings()
    role = settings.app_db_role
    password = settings.app_db_password.get_secret_value().replace("'", "''")
    op.execute(TABLES)
    op.execute(CONSTRAINTS)
    op.execute(FUNCTIONS)
    op.execute(_tenant_policies())
    op.execute(POLICIES)
    # The role belongs to the whole server: databases migrated at the same moment (test runs
    # side by side) may update it together, which PostgreSQL refuses; such a clash is retried.
    op.execute(f"""
DO $$ BEGIN
    FOR attempt IN 1..50 LOOP
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
            ALTER ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}';
            EXIT;
        EXCEPTION WHEN internal_error OR unique_violation OR duplicate_object THEN
            IF attempt = 50 THEN RAISE; END IF;
            PERFORM pg_sleep(0.05 * attempt);
        END;
    END LOOP;
END $$;
""")
    op.execute(_grants(role))


def downgrade() -> None:
    role = get_settings().app_db_role
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
    op.execute(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {role}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {role}")
    for table in (
        "contract",
        "ticket",
        "rfq_item",
        "quote",
        "qr_deployment_log",
        "manufacturer_device_feed",
        "user_session",
        "technician_coverage",
        "rfq",
        "laboratories",
        "healthcare_facility_equipment",
        "event_delivery",
        "equipment",
        "users",
        "sku",
        "service_areas",
        "outbox_event",
        "healthcare_facilities",
        "device_registration_batch",
        "audit_log",
        "access_grant",
        "tenant",
        "indian_pincodes",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    for fn in (
        "audit_immutable()",
        "audit_chain()",
        "audit_canonical(audit_log)",
        "auth_session_resolve(uuid, integer)",
        "auth_login_lookup(text)",
        "tenant_directory()",
        "app_has_grant(text, uuid, uuid)",
        "app_is_platform()",
        "app_tenant()",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {fn} CASCADE")
