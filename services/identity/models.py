"""Users, service accounts and browser sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from services.columns import id_field, tenant_field, text_array_field, timestamp_field


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    email: str = Field(max_length=254)  # stored lower-case; unique across the platform
    full_name: str = Field(default="", max_length=200)
    # WhatsApp number in E.164 form (+919876543210); unique across the platform.
    phone: str | None = Field(default=None, max_length=20)
    roles: list[str] = text_array_field()
    password_hash: str | None = Field(default=None)
    # Set when the identity comes from an OIDC provider (Keycloak): its `sub`.
    oidc_subject: str | None = Field(default=None, max_length=200)
    is_service_account: bool = Field(default=False)
    is_active: bool = Field(default=True)
    created_at: datetime = timestamp_field()
    last_login_at: datetime | None = timestamp_field(nullable=True)


class UserSession(SQLModel, table=True):
    """A browser session; it ends after `session_idle_minutes` without activity."""

    __tablename__ = "user_session"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    user_id: uuid.UUID = Field(foreign_key="users.id")
    created_at: datetime = timestamp_field()
    last_seen_at: datetime = timestamp_field()
    revoked_at: datetime | None = timestamp_field(nullable=True)


class AccountLink(SQLModel, table=True):
    """A one-time link an admin hands to a user: an invitation (sets the first password)
    or a password reset. Only the SHA-256 of its secret is kept."""

    __tablename__ = "account_link"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    user_id: uuid.UUID = Field(foreign_key="users.id")
    purpose: str = Field(max_length=10)  # invite or reset
    token_hash: str = Field(max_length=64, unique=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field(server_now=False)
    used_at: datetime | None = timestamp_field(nullable=True)
