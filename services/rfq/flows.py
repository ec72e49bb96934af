"""What follows an RFQ's own steps: once an RFQ is open to OEMs, a worker expires it when
its time is up. The router and the state both call these after their transaction commits."""

from __future__ import annotations

import logging

from services.common.tasks import send_task
from services.rfq.models import Rfq

log = logging.getLogger("yantra.rfq")


def schedule_expiry(rfq: Rfq) -> None:
    """Ask a worker to expire the RFQ at its `expires_at`. Should the broker be away, the
    periodic sweep still expires it, so the RFQ stands and the failure is logged."""
    try:
        send_task("rfq.expire", str(rfq.id), eta=rfq.expires_at)
    except Exception:  # the RFQ is committed; the sweep is the fallback
        log.exception("could not schedule the expiry of %s; the sweep will expire it", rfq.label)
