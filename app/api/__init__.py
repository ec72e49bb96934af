"""The REST API, served by the Reflex backend under /api/v1 (OpenAPI at /api/docs)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import text

from app.api import (
    admin,
    auth,
    catalog,
    contracts,
    device_lifecycle,
    devices,
    dispatch,
    facilities,
    fhir,
    field,
    field_app,
    geo,
    lab,
    label_page,
    live,
    negotiation,
    notifications,
    orders,
    parts,
    predict,
    qr,
    rfq,
    sessions,
    telemetry,
    telemetry_rules,
    tickets,
    whatsapp,
)
from app.api.contract import install_contract
from app.api.errors import install_error_handlers
from app.api.middleware import RequestIdMiddleware, SecurityHeadersMiddleware
from app.api.uploads import PageUploadLimit
from services.common.logs import configure_json_logging
from services.db import public_session
from services.settings import get_settings

PREFIX = "/api/v1"


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="Liveness and database reachability (no token needed)")
    def health() -> dict:
        with public_session() as db:
            db.execute(text("SELECT 1"))
        return {"status": "ok"}

    return router


def create_api() -> FastAPI:
    get_settings().require_fit_for_production()
    configure_json_logging(get_settings().log_level)
    api = FastAPI(
        title="Yantra API",
        version="1.0",
        description="Marketplace and service platform for medical equipment in India.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    install_error_handlers(api)
    for router in (
        _health_router(),
        auth.router,
        sessions.router,
        geo.router,
        catalog.router,
        facilities.router,
        admin.router,
        devices.router,
        device_lifecycle.router,
        contracts.router,
        contracts.service,
        qr.router,
        tickets.router,
        telemetry.router,
        telemetry_rules.router,
        tickets.contracts,
        parts.router,
        dispatch.router,
        field.router,
        lab.router,
        predict.router,
        rfq.router,
        negotiation.router,
        orders.router,
        notifications.router,
        whatsapp.router,
        fhir.router,
        fhir.lab,
    ):
        api.include_router(router, prefix=PREFIX)
    api.include_router(live.router)
    api.include_router(field_app.router)
    api.include_router(label_page.router)
    api.include_router(negotiation.live)
    install_contract(api)
    api.add_middleware(PageUploadLimit)
    api.add_middleware(RequestIdMiddleware)
    api.add_middleware(SecurityHeadersMiddleware)
    api.add_middleware(GZipMiddleware, minimum_size=4096)
    return api
