"""The control room's figures, under the caller's row-level security."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from services.common.clock import IST_NAME


@dataclass(frozen=True)
class Kpis:
    open_by_priority: dict[str, int]
    compliance_pct: float | None
    breaches_today: int
    penalties_month_paise: int
    mttr_hours_by_day: list[tuple[str, float]]


def console_kpis(db: Session) -> Kpis:
    """Open tickets by priority, SLA compliance over 30 days, breaches today (IST), penalties
    this month, and mean time to resolve per day over two weeks."""
    by_priority = dict(
        db.execute(
            text(
                "SELECT priority, count(*) FROM ticket WHERE status NOT IN ('resolved', 'closed', "
                "'cancelled') GROUP BY priority"
            )
        ).all()
    )
    resolved, on_time = db.execute(
        text(
            "SELECT count(*), count(*) FILTER (WHERE resolution_breached_at IS NULL) FROM ticket "
            "WHERE resolved_at >= now() - interval '30 days'"
        )
    ).one()
    today = db.execute(
        text(
            f"SELECT count(*) FROM ticket WHERE (response_breached_at AT TIME ZONE '{IST_NAME}')::date"
            f" = (now() AT TIME ZONE '{IST_NAME}')::date OR (resolution_breached_at AT TIME ZONE "
            f"'{IST_NAME}')::date = (now() AT TIME ZONE '{IST_NAME}')::date"
        )
    ).scalar_one()
    penalties = db.execute(
        text(
            "SELECT coalesce(sum(penalty_paise), 0) FROM ticket WHERE date_trunc('month', "
            f"resolved_at AT TIME ZONE '{IST_NAME}') = date_trunc('month', now() AT TIME ZONE "
            f"'{IST_NAME}')"
        )
    ).scalar_one()
    mttr = db.execute(
        text(
            f"SELECT to_char((resolved_at AT TIME ZONE '{IST_NAME}')::date, 'DD Mon') AS day, "
            "avg(extract(epoch FROM resolved_at - opened_at)) / 3600 FROM ticket "
            "WHERE resolved_at >= now() - interval '14 days' GROUP BY 1, "
            f"(resolved_at AT TIME ZONE '{IST_NAME}')::date ORDER BY "
            f"(resolved_at AT TIME ZONE '{IST_NAME}')::date"
        )
    ).all()
    return Kpis(
        open_by_priority={p: int(by_priority.get(p, 0)) for p in ("P1", "P2", "P3", "P4")},
        compliance_pct=round(100 * on_time / resolved, 1) if resolved else None,
        breaches_today=int(today),
        penalties_month_paise=int(penalties),
        mttr_hours_by_day=[(d, round(float(h), 1)) for d, h in mttr],
    )
