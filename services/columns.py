"""Column shapes shared by every table: UUID keys, UTC timestamps, JSONB documents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.types import Text
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def id_field() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def tenant_field(nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("tenant.id"), nullable=nullable, index=False
        ),
    )


def ref_field(target: str, nullable: bool = True, ondelete: str | None = None) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey(target, ondelete=ondelete), nullable=nullable
        ),
    )


def timestamp_field(nullable: bool = False, server_now: bool = True) -> Any:
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_column=Column(
            DateTime(timezone=True),
            nullable=nullable,
            server_default=func.now() if server_now and not nullable else None,
        ),
    )


def jsonb_field(default_factory=dict) -> Any:
    return Field(
        default_factory=default_factory,
        sa_column=Column(
            JSONB, nullable=False, server_default="{}" if default_factory is dict else "[]"
        ),
    )


def text_array_field() -> Any:
    return Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default="{}"),
    )
