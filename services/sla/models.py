"""SLA policies: targets per priority, a working calendar, and penalties."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Integer
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from services.columns import id_field, tenant_field, timestamp_field


class SlaPolicy(SQLModel, table=True):
    __tablename__ = "sla_policy"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the service provider
    name: str = Field(max_length=120)
    tier: str = Field(max_length=20)
    round_the_clock: bool = True
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    workdays: list[int] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4, 5], sa_column=Column(ARRAY(Integer), nullable=False)
    )
    holidays: list[date] = Field(
        default_factory=list, sa_column=Column(ARRAY(Date), nullable=False)
    )
    # {"P1": {"responseMinutes": 30, "resolutionMinutes": 480}, ...}
    targets: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    penalty_per_hour_paise: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    penalty_cap_paise: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = timestamp_field()
