"""Tenants (organisations) and the explicit grants that share rows across them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from services.columns import id_field, ref_field, tenant_field, timestamp_field


class Tenant(SQLModel, table=True):
    __tablename__ = "tenant"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)  # services.actor.TenantKind
    tier: str = Field(default="standard", max_length=32)
    state: str | None = Field(default=None, max_length=80)  # for GST: intra- or inter-state
    created_at: datetime = timestamp_field()


class AccessGrant(SQLModel, table=True):
    """Tenant `tenant_id` lets `grantee_tenant_id` read its `entity_type` rows.

    `entity_id` NULL means every row of that type (for example all of a hospital's
    devices for its service partner).
    """

    __tablename__ = "access_grant"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    grantee_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    entity_type: str = Field(max_length=40)
    entity_id: uuid.UUID | None = Field(default=None)
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = timestamp_field()
