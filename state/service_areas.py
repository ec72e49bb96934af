"""The service-area editor: a provider's hubs, their coverage on the map, and the check
of who covers a pincode for a kind of device."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import Actor, Role
from services.common.roles import SERVICE_PLANNERS
from services.db import tenant_session
from services.errors import DomainError
from services.geo import coverage
from services.geo.vocab import DEVICE_TYPES
from state.auth import AuthState
from state.guard import guarded

AREAS = "/service-areas"


class ServiceAreaState(AuthState):
    areas: list[dict[str, str]] = []
    selected: str = ""
    detail: dict[str, str] = {}
    technicians: list[dict[str, str]] = []
    probe: str = ""
    device_type: str = "MRI"
    answer: dict[str, str] = {}
    editing: bool = False
    form_name: str = ""
    form_hub: str = ""
    form_radius: str = ""
    form_hours: str = "4"
    form_pincodes: str = ""
    can_edit: bool = False
    previous: str = ""

    def _refresh(self, actor) -> None:
        mine = actor.roles & SERVICE_PLANNERS and actor.tenant_id
        with tenant_session(actor) as db:
            areas = coverage.list_service_areas(db, mine or None)
            if not areas:
                areas = coverage.list_service_areas(db)
        self.can_edit = bool(actor.roles & SERVICE_PLANNERS)
        self.areas = [{k: str(v if v is not None else "") for k, v in a.items()} for a in areas]
        if self.areas and self.selected not in {a["id"] for a in self.areas}:
            self.selected = self.areas[0]["id"]
        self._select(actor)

    def _select(self, actor) -> None:
        if not self.selected:
            self.detail, self.technicians = {}, []
            return
        with tenant_session(actor) as db:
            area = coverage.area_detail(db, uuid.UUID(self.selected))
        self.detail = {
            "id": area["id"],
            "name": area["name"],
            "hub": area["hubPincode"],
            "radius": "" if area["radiusKm"] is None else f"{area['radiusKm']:g}",
            "hours": f"{area['maxResponseTimeHours']:g}",
            "pincodes": str(len(area["pincodes"])),
            "extra": ", ".join(area["extraPincodes"]),
        }
        self.technicians = [
            {"name": t["name"], "skills": ", ".join(t["specialties"]), "status": t["status"]}
            for t in area["technicians"]
        ]

    @rx.var
    def map_src(self) -> str:
        if not self.selected:
            return ""
        # The checked pincode is drawn on the hub that answered, or on ours when none did.
        shown = self.answer.get("serviceHubId") in ("", self.selected)
        probe = f"?probe={self.answer['pincode']}" if self.answer.get("pincode") and shown else ""
        return f"/api/v1/geo/maps/service-areas/{self.selected}{probe}"

    @rx.var
    def device_types(self) -> list[str]:
        return list(DEVICE_TYPES)

    @rx.event
    def load(self):
        actor, redirect = self._enter(AREAS)
        if redirect or actor is None:
            return redirect
        self._refresh(actor)

    @rx.event
    @guarded(AREAS)
    def select(self, actor: Actor, area_id: str):
        self.selected, self.editing = area_id, False
        self._select(actor)

    @rx.event
    def set_device_type(self, value: str):
        self.device_type = value

    @rx.event
    @guarded(AREAS)
    def check(self, actor: Actor, form: dict):
        self.probe = str(form.get("pincode", "")).strip()
        try:
            # A provider checks its own network; anyone else, every provider's.
            mine = actor.tenant_id if actor.roles & SERVICE_PLANNERS else None
            with tenant_session(actor) as db:
                result = coverage.check_coverage(db, self.probe, self.device_type, mine)
        except DomainError as exc:
            self.answer = {}
            return rx.toast.error(exc.message)
        self.answer = {k: "" if v is None else str(v) for k, v in result.items()}
        if result["serviceHubId"] and result["serviceHubId"] in {a["id"] for a in self.areas}:
            self.selected = result["serviceHubId"]
            self._select(actor)

    @rx.event
    def start_edit(self, new: bool):
        self.editing = True
        d = {} if new else self.detail
        self.form_name, self.form_hub = d.get("name", ""), d.get("hub", "")
        self.form_radius, self.form_hours = (
            d.get("radius", "25" if new else ""),
            d.get("hours", "4"),
        )
        self.form_pincodes = "" if new else d.get("extra", "")
        if new:
            self.previous, self.selected = self.selected, ""

    @rx.event
    def cancel_edit(self):
        self.editing = False
        if not self.selected:
            self.selected = self.previous or (self.areas[0]["id"] if self.areas else "")

    @rx.event
    @guarded(
        AREAS,
        roles=SERVICE_PLANNERS,
        refused="Only a service manager, OEM admin or dispatcher edits hubs",
    )
    def save(self, actor: Actor, form: dict):
        if Role.PLATFORM_ADMIN in actor.roles or not self.can_edit:
            return rx.toast.error("Only a service manager, OEM admin or dispatcher edits hubs")
        pincodes = [
            p for p in str(form.get("pincodes", "")).replace("\n", ",").split(",") if p.strip()
        ]
        with tenant_session(actor) as db:
            area = coverage.save_service_area(
                db,
                actor,
                name=form.get("name", ""),
                hub_pincode=form.get("hub", ""),
                radius_km=form.get("radius") or None,
                max_response_time_hours=form.get("hours", ""),
                pincodes=pincodes,
                area_id=uuid.UUID(self.selected) if self.selected else None,
            )
            area_id = str(area.id)
        self.selected, self.editing = area_id, False
        self._refresh(actor)
        return rx.toast.success(
            f"{self.detail.get('name', 'Hub')} saved: covers "
            f"{self.detail.get('pincodes', '0')} pincodes"
        )
