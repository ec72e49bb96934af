"""Bulk import: split a batch into chunks, register them in parallel, then build the kit."""

from __future__ import annotations

import uuid

from services.actor import Actor, Role, TenantKind
from services.db import system_session, tenant_session
from services.devices import bulk
from services.devices.labels import build_batch_kit
from services.devices.models import DeviceRegistrationBatch
from workers.celery_app import celery_app


def _importer(tenant_id: uuid.UUID) -> Actor:
    return Actor(None, tenant_id, TenantKind.OEM, frozenset({Role.OEM_ADMIN}), "bulk-import")


def _batch(batch_id: str) -> DeviceRegistrationBatch:
    with system_session() as db:
        return db.get(DeviceRegistrationBatch, uuid.UUID(batch_id))


@celery_app.task(name="devices.process_batch", ignore_result=True)
def process_batch(batch_id: str) -> int:
    batch = _batch(batch_id)
    pieces = bulk.chunks(batch)
    for first, last in pieces:
        process_chunk.delay(batch_id, first, last)
    return len(pieces)


@celery_app.task(
    name="devices.process_chunk",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def process_chunk(batch_id: str, first: int, last: int) -> None:
    batch = _batch(batch_id)
    actor = _importer(batch.tenant_id)
    with tenant_session(actor) as db:
        done, total = bulk.process_chunk(db, actor, batch.id, first, last)
    if done >= total:
        finish_batch.delay(batch_id)


@celery_app.task(
    name="devices.finish_batch",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def finish_batch(batch_id: str) -> None:
    batch = _batch(batch_id)
    actor = _importer(batch.tenant_id)
    with tenant_session(actor) as db:
        batch = db.get(DeviceRegistrationBatch, batch.id, with_for_update=True)
        if batch.kit_id is not None:
            return
        build_batch_kit(db, actor, batch.id)
        db.refresh(batch)
        bulk.finish_batch(db, actor, batch)
