"""States of the device pages: registry, registration, bulk import, one device."""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import date

import reflex as rx

from services.actor import Actor
from services.common.clock import ist_text
from services.common.roles import REGISTRARS
from services.common.tasks import send_task
from services.db import tenant_session
from services.devices import bulk, labels, queries
from services.devices.imports import MAX_BYTES, read_device_file
from services.devices.models import DeviceRegistrationBatch, Equipment
from services.devices.registry import RegisterDevice, register_device, reissue_label
from services.devices.scanning import device_by_label
from services.errors import DomainError, Invalid
from services.geo.facilities import find_facilities, list_facilities
from services.maps import deployment_map
from services.orders.acceptance import device_acceptance
from services.qr.codes import as_short_code, short_code
from services.rfq.service import find_skus
from services.uploads import read_upload
from state.auth import AuthState
from state.guard import guarded
from state.orders import acceptance_lines

STATUSES = ["all", "registered", "qr_printed", "deployed", "active", "decommissioned"]


def _facility_options(db, actor) -> list[dict[str, str]]:
    return [
        {
            "id": f["id"],
            "label": f"{f['name']} · {f['city']} {f['pincode']}",
            "search": f"{f['name']} {f['city']} {f['pincode']}".lower(),
        }
        for f in list_facilities(db, actor, scope="mine", limit=200)
    ]


class DevicesState(AuthState):
    rows: list[dict[str, str]] = []
    total: int = 0
    q: str = ""
    status: str = "all"
    facility: str = "all"
    amc_before: str = ""
    facilities: list[dict[str, str]] = []
    pages: list[str] = [""]
    next_cursor: str = ""
    error: str = ""
    can_print: bool = False
    print_start: int = 1
    print_cover: bool = False
    print_job: str = ""  # printed, waiting for "labels stuck on"
    print_count: int = 0

    @rx.event
    def load(self):
        actor, redirect = self._enter("/devices")
        if redirect or actor is None:
            return redirect
        self.can_print = bool(actor.roles & REGISTRARS)
        with tenant_session(actor) as db:
            self.facilities = _facility_options(db, actor)
        self.pages = [""]
        self._query(actor)

    def _query(self, actor: Actor):
        self.error = ""
        try:
            amc = date.fromisoformat(self.amc_before) if self.amc_before else None
            facility = uuid.UUID(self.facility) if self.facility != "all" else None
            with tenant_session(actor) as db:
                page = queries.list_devices(
                    db,
                    facility_id=facility,
                    status=None if self.status == "all" else self.status,
                    q=self.q,
                    amc_before=amc,
                    limit=25,
                    after=self.pages[-1] or None,
                )
        except (DomainError, ValueError) as exc:
            self.error = getattr(exc, "message", "check the filters")
            return
        self.total = page["total"]
        self.next_cursor = page["next"] or ""
        self.rows = [{k: str(v or "") for k, v in d.items()} for d in page["devices"]]

    @rx.event
    @guarded("/devices")
    def search(self, actor: Actor, form: dict):
        self.q = (form.get("q") or "").strip()[:100]
        self.amc_before = form.get("amc_before") or ""
        self.pages = [""]
        if as_short_code(self.q):  # a label's code typed from the label: go to its device
            try:
                with tenant_session(actor) as db:
                    found = device_by_label(db, self.q)
                return rx.redirect(f"/devices/{found['deviceId']}")
            except Invalid:
                pass  # not a label's code after all: perhaps a serial, search for it
        self._query(actor)

    @rx.event
    @guarded("/devices")
    def set_status(self, actor: Actor, value: str):
        self.status, self.pages = value, [""]
        self._query(actor)

    @rx.event
    @guarded("/devices")
    def set_facility(self, actor: Actor, value: str):
        self.facility, self.pages = value, [""]
        self._query(actor)

    @rx.event
    def set_print_start(self, value: int):
        self.print_start = value if isinstance(value, int) and 1 <= value <= 21 else 1

    @rx.event
    def set_print_cover(self, value: bool):
        self.print_cover = bool(value)

    @rx.event
    @guarded("/devices", REGISTRARS)
    def print_page(self, actor: Actor):
        """The labels of the devices on this page, as a download; nothing changes until
        the user confirms they are stuck on."""
        if not self.rows:
            return
        ids = [uuid.UUID(r["deviceId"]) for r in self.rows]
        return _print(self, actor, ids, "qr-labels.pdf")

    @rx.event
    @guarded("/devices", REGISTRARS)
    def confirm_labels(self, actor: Actor):
        if self.print_job:
            result = _confirm(self, actor)
            self._query(actor)
            return result

    @rx.event
    @guarded("/devices")
    def next_page(self, actor: Actor):
        if self.next_cursor:
            self.pages = [*self.pages, self.next_cursor]
            self._query(actor)

    @rx.event
    @guarded("/devices")
    def prev_page(self, actor: Actor):
        if len(self.pages) > 1:
            self.pages = self.pages[:-1]
            self._query(actor)


class RegisterState(AuthState):
    sku_matches: list[dict[str, str]] = []
    sku_query: str = ""
    sku_label: str = ""
    sku_oem: str = ""
    facility_matches: list[dict[str, str]] = []
    facility_query: str = ""
    facility_id: str = ""
    facility_label: str = ""
    sku_code: str = ""
    amc_status: str = "none"
    error: str = ""
    error_field: str = ""
    done_device_id: str = ""
    done_qr: str = ""
    done_serial: str = ""

    @rx.event
    def load(self):
        actor, redirect = self._enter("/devices/register")
        if redirect or actor is None:
            return redirect
        self.done_device_id = ""

    @rx.event
    @guarded("/devices/register")
    def set_sku_query(self, actor: Actor, value: str):
        """The catalog holds thousands of models: search it as the user types."""
        self.sku_query = value[:80]
        if len(value.strip()) < 2:
            self.sku_matches = []
            return
        with tenant_session(actor) as db:
            found = find_skus(db, value, limit=12)
        self.sku_matches = [
            {
                "code": s["code"],
                "oem": s["oemId"],
                "label": f"{s['code']} · {s['name']} ({s['oemName']})",
            }
            for s in found
        ]

    @rx.event
    def pick_sku(self, code: str, oem: str, label: str):
        self.sku_code, self.sku_oem, self.sku_label, self.sku_query = code, oem, label, ""

    @rx.event
    @guarded("/devices/register")
    def set_facility_query(self, actor: Actor, value: str):
        self.facility_query = value
        if len(value.strip()) < 2:
            self.facility_matches = []
            return
        with tenant_session(actor) as db:
            found = find_facilities(db, value)
        # Devices go to the organisation's own (or shared) sites, never the public directory.
        self.facility_matches = [
            {"id": f["id"], "label": f"{f['name']} · {f['city']} {f['pincode']}"}
            for f in found
            if f["shared"]
        ]

    @rx.event
    def pick_facility(self, facility_id: str, label: str):
        self.facility_id, self.facility_label, self.facility_query = facility_id, label, ""

    @rx.event
    def set_amc(self, value: str):
        self.amc_status = value

    @rx.event
    @guarded("/devices/register")
    def submit(self, actor: Actor, form: dict):
        self.error, self.error_field = "", ""
        try:
            if not self.facility_id:
                raise _field("facilityId", "pick the facility where the device is installed")
            if not self.sku_code:
                raise _field("skuCode", "pick the model (SKU)")
            installed = _date(form.get("installation_date"), "installationDate")
            with tenant_session(actor) as db:
                device, label = register_device(
                    db,
                    actor,
                    RegisterDevice(
                        serial_number=form.get("serial", ""),
                        sku_code=self.sku_code,
                        facility_id=uuid.UUID(self.facility_id),
                        installation_date=installed,
                        udi=form.get("udi") or None,
                        amc_status=self.amc_status,
                        amc_end=_date(form.get("amc_end"), "amcEnd"),
                        manufacturer_id=uuid.UUID(self.sku_oem) if self.sku_oem else None,
                    ),
                )
        except DomainError as exc:
            self.error, self.error_field = exc.message, getattr(exc, "field", "")
            return
        from services.qr.links import label_png

        self.done_device_id, self.done_serial = str(device.id), device.serial_number
        self.done_qr = (
            "data:image/png;base64," + base64.b64encode(label_png(label.payload)).decode()
        )
        return rx.toast.success(f"Device {device.serial_number} registered")


def _print(state, actor: Actor, device_ids: list[uuid.UUID], filename: str):
    """Print labels from the state's chosen start position; remember the job to confirm."""
    with tenant_session(actor) as db:
        job, pdf = labels.print_labels(db, actor, device_ids, state.print_start, state.print_cover)
        state.print_job, state.print_count = str(job.id), job.label_count
    return rx.download(data=pdf, filename=filename)


def _confirm(state, actor: Actor):
    with tenant_session(actor) as db:
        changed = labels.confirm_print(db, actor, uuid.UUID(state.print_job))
    count = state.print_count
    state.print_job, state.print_count = "", 0
    return rx.toast.success(
        f"{count} label{'s' * (count != 1)} stuck on"
        + (f"; {changed} device{'s' * (changed != 1)} now marked printed" if changed else "")
    )


def _field(field: str, reason: str) -> DomainError:
    from services.errors import Invalid

    return Invalid(field, reason)


def _date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _field(field, "must be a date") from exc


def _ist(stamp: str) -> str:
    return ist_text(stamp)


class ImportState(AuthState):
    batch_id: str = ""
    file_name: str = ""
    status: str = ""
    total: int = 0
    processed: int = 0
    failed: int = 0
    errors: list[dict[str, str]] = []
    kit_url: str = ""
    error: str = ""
    watching: bool = False
    sites: list[dict[str, str]] = []

    @rx.event
    def load(self):
        actor, redirect = self._enter("/devices/import")
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            self.sites = [
                {
                    "code": f["code"],
                    "name": f["name"],
                    "city": f"{f['city']} {f['pincode']}",
                    "access": "Own" if f["owned"] else "Shared with you",
                }
                for f in list_facilities(db, actor, scope="mine", limit=200)
            ]

    @rx.var
    def percent(self) -> int:
        return int(100 * (self.processed + self.failed) / self.total) if self.total else 0

    @rx.event
    @guarded("/devices/import")
    async def upload(self, actor: Actor, files: list[rx.UploadFile]):
        if not files:
            self.error = "Choose a .csv or .xlsx file first"
            return
        upload = files[0]
        self.error, self.kit_url, self.errors = "", "", []
        try:
            content = await read_upload(upload, MAX_BYTES, "device file")
            rows = read_device_file(upload.name or "", content)
            external = f"{upload.name}-{uuid.uuid4().hex[:8]}"
            with tenant_session(actor) as db:
                batch, _ = bulk.start_batch(db, actor, actor.tenant_id, external, rows)
        except DomainError as exc:
            self.error = exc.message
            return
        send_task("devices.process_batch", str(batch.id))
        self.batch_id, self.file_name = str(batch.id), upload.name or ""
        self.total, self.processed, self.failed, self.status = batch.total_count, 0, 0, "queued"
        return ImportState.watch

    def _refresh(self) -> bool:
        actor = self._allowed("/devices/import")
        if actor is None or not self.batch_id:
            return False
        with tenant_session(actor) as db:
            batch = db.get(DeviceRegistrationBatch, uuid.UUID(self.batch_id))
            view = bulk.batch_view(db, batch, error_limit=200)
        self.status, self.total = view["status"], view["totalDevices"]
        self.processed, self.failed = view["processedDevices"], view["failedDevices"]
        self.errors = [{k: str(v or "") for k, v in e.items()} for e in view["errors"]]
        self.kit_url = view["qrBatchUrl"] or ""
        return not view["status"].startswith("completed")

    @rx.event(background=True)
    async def watch(self):
        async with self:
            if self.watching:
                return
            self.watching = True
        try:
            for _ in range(1200):  # at most ten minutes
                async with self:
                    going = self._refresh()
                if not going:
                    break
                await asyncio.sleep(0.5)
        finally:
            async with self:
                self.watching = False


INFO_KEYS = (
    "deviceId",
    "serialNumber",
    "model",
    "skuCode",
    "category",
    "facilityName",
    "pincode",
    "lifecycleStatus",
    "amcStatus",
    "amcEnd",
    "slaTier",
    "installationDate",
    "udi",
)


class DeviceState(AuthState):
    info: dict[str, str] = dict.fromkeys(INFO_KEYS, "")
    qr: str = ""
    short_code: str = ""
    deployments: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    map_html: str = ""
    missing: bool = False
    can_print: bool = False
    print_start: int = 1
    print_cover: bool = False
    print_job: str = ""
    print_count: int = 0
    accepted_order: str = ""  # the order that delivered and installed it, with its records
    accepted_grn: list[str] = []
    accepted_report: list[str] = []

    @rx.event
    def load(self):
        actor, redirect = self._enter("/devices/detail")
        if redirect or actor is None:
            return redirect
        self.can_print = bool(actor.roles & REGISTRARS)
        self.print_job, self.print_count = "", 0
        self._fill(actor)

    def _fill(self, actor):
        self.missing = False
        try:
            device_id = uuid.UUID(self.router.page.params.get("device_id", ""))
            with tenant_session(actor) as db:
                detail = queries.get_device(db, device_id)
                place = queries.deployment_site(db, device_id)
                accepted = device_acceptance(db, db.get(Equipment, device_id))
            self.map_html = deployment_map(place, detail["deployments"])
        except (ValueError, DomainError):
            self.missing, self.info = True, dict.fromkeys(INFO_KEYS, "")
            return
        self.info = {k: str(detail.get(k) or "—") for k in INFO_KEYS}
        self.accepted_order = accepted["order"] if accepted else ""
        self.accepted_grn = acceptance_lines(accepted)[0]
        self.accepted_report = acceptance_lines(accepted)[1]
        self.qr = ("data:image/png;base64," + detail["qr"]["qrCode"]) if detail["qr"] else ""
        self.short_code = short_code(uuid.UUID(detail["qr"]["qrId"]).bytes) if detail["qr"] else ""
        self.deployments = [
            {
                "at": _ist(d["at"]),
                "isValid": "Yes" if d["isValid"] else "No",
                "distanceMeters": ""
                if d["distanceMeters"] is None
                else f"{d['distanceMeters']:,.0f}",
                "reason": d["reason"] or "",
            }
            for d in detail["deployments"]
        ]
        self.history = [
            {**{k: str(v or "") for k, v in h.items()}, "at": _ist(h["at"])}
            for h in detail["history"]
        ]

    @rx.event
    @guarded("/devices/detail")
    def new_label(self, actor: Actor):
        if not self.info.get("deviceId"):
            return
        with tenant_session(actor) as db:
            reissue_label(db, actor, uuid.UUID(self.info["deviceId"]))
        self._fill(actor)
        return rx.toast.success("A new label was issued; the old one no longer scans")

    @rx.event
    def set_print_start(self, value: int):
        self.print_start = value if isinstance(value, int) and 1 <= value <= 21 else 1

    @rx.event
    def set_print_cover(self, value: bool):
        self.print_cover = bool(value)

    @rx.event
    @guarded("/devices/detail", REGISTRARS)
    def print_label(self, actor: Actor):
        """This device's label from the chosen position of a part-used sheet."""
        if not self.info.get("deviceId") or self.missing:
            return
        result = _print(self, actor, [uuid.UUID(self.info["deviceId"])], "qr-label.pdf")
        self._fill(actor)
        return result

    @rx.event
    @guarded("/devices/detail", REGISTRARS)
    def confirm_labels(self, actor: Actor):
        if self.print_job:
            result = _confirm(self, actor)
            self._fill(actor)
            return result
