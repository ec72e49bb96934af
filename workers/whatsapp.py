"""WhatsApp: processing stored webhook bodies, delivering queued messages, and a sweep that
picks up whatever a lost task left behind."""

from __future__ import annotations

import uuid

from services.whatsapp import cloud_api, webhook
from workers.celery_app import celery_app


@celery_app.task(
    name="whatsapp.process_inbound",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=4,
)
def process_inbound(inbound_id: str) -> str:
    return webhook.process_inbound(uuid.UUID(inbound_id))


@celery_app.task(name="whatsapp.deliver", bind=True, ignore_result=True, acks_late=True)
def deliver(self, message_id: str) -> str:
    status = cloud_api.deliver(uuid.UUID(message_id))
    if status == "queued":  # refused or unreachable: the log counted the attempt
        from services.db import system_session
        from services.whatsapp.models import WhatsappMessage

        with system_session() as db:
            attempts = db.get(WhatsappMessage, uuid.UUID(message_id)).attempts
        raise self.retry(countdown=cloud_api.backoff(attempts), max_retries=None)
    return status


@celery_app.task(name="whatsapp.sweep", ignore_result=True)
def sweep() -> int:
    for inbound_id in webhook.pending_inbound():
        process_inbound.delay(str(inbound_id))
    stale = cloud_api.stale_queued()
    for message_id in stale:
        deliver.delay(str(message_id))
    return len(stale)
