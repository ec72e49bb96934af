"""Lab: channels, raw message store, results.

Revision ID: 0020_lab_ingest
Revises: 0019_field_app
Create Date: 2026-12-01
"""

revision = "0020_lab_ingest"
down_revision = "0019_field_app"
branch_labels = None
depends_on = None


from alembic import op

# Where a ticket came from: the lab's analyzers (`lab`), a label scanned with any phone's
# camera (`qr`), the failure model (`prediction`) and contract maintenance (`preventive`)
# join the earlier sources.
SOURCES = (
    "portal",
    "qr_scan",
    "api",
    "whatsapp",
    "telemetry",
    "lab",
    "qr",
    "prediction",
    "preventive",
)
OLD_SOURCES = ("portal", "qr_scan", "api", "whatsapp", "telemetry")


def _sources(values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return (
        "ALTER TABLE ticket DROP CONSTRAINT IF EXISTS ticket_source_check, "
        f"ADD CONSTRAINT ticket_source_check CHECK (source IN ({listed}))"
    )


def upgrade() -> None:
    op.execute(_sources(SOURCES))


def downgrade() -> None:
    op.execute(_sources(OLD_SOURCES))
