"""The facility directory (search, nearby facilities, laboratories by test, the platform
admin's import) and a facility's page."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import reflex as rx

from services.actor import Actor, Role
from services.db import tenant_session
from services.errors import DomainError
from services.geo import directory
from services.geo.importer import MAX_BYTES
from services.geo.pincodes import get_pincode
from services.geo.vocab import ACCREDITATIONS, FACILITY_TYPES, TEST_CATEGORIES
from services.uploads import read_upload
from state.auth import AuthState
from state.guard import guarded

DIRECTORY = "/directory"
FACILITY = "/directory/detail"
PAGE_SIZE = 50
FILTERS = ("state_name", "ftype", "accreditation")
# The directory's filters: "all" or one of the words the directory uses.
TYPE_CHOICES = ["all", *FACILITY_TYPES]
ACCREDITATION_CHOICES = ["all", *ACCREDITATIONS]


def _label(value: str) -> str:
    return value.replace("_", " ")


def _row(f: dict) -> dict[str, str]:
    return {
        "id": f["id"],
        "name": f["name"],
        "type": _label(f["facilityType"]),
        "city": f.get("city", ""),
        "state": f.get("state", ""),
        "pincode": f["pincode"],
        "beds": "" if f["bedCount"] is None else f"{f['bedCount']:,}",
        "accreditations": ", ".join(f["accreditations"]),
        "distance": f"{f['distanceKm']:.1f} km" if "distanceKm" in f else "",
    }


class DirectoryState(AuthState):
    q: str = ""
    state_name: str = "all"
    ftype: str = "all"
    accreditation: str = "all"
    offset: int = 0
    total: int = 0
    rows: list[dict[str, str]] = []
    states: list[str] = []
    map_src: str = ""
    near_pincode: str = ""
    near_radius: str = "10"
    near_rows: list[dict[str, str]] = []
    near_note: str = ""
    lab_pincode: str = ""
    lab_radius: str = "5"
    lab_categories: list[str] = []
    lab_rows: list[dict[str, str]] = []
    lab_note: str = ""

    def _filters(self) -> dict:
        pick = lambda v: None if v in ("", "all") else v  # noqa: E731
        return {
            "q": pick(self.q.strip()),
            "state": pick(self.state_name),
            "facility_type": pick(self.ftype),
            "accreditation": pick(self.accreditation),
        }

    def _search(self, actor) -> None:
        filters = self._filters()
        with tenant_session(actor) as db:
            found, self.total = directory.search_directory(
                db, **filters, limit=PAGE_SIZE, offset=self.offset
            )
        self.rows = [_row(f) for f in found]
        query = {
            ("facilityType" if k == "facility_type" else k): v for k, v in filters.items() if v
        }
        self.map_src = "/api/v1/geo/maps/directory" + (f"?{urlencode(query)}" if query else "")

    @rx.event
    def load(self):
        actor, redirect = self._enter(DIRECTORY)
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            self.states = directory.directory_choices(db)["states"]
        self._search(actor)

    @rx.event
    @guarded(DIRECTORY)
    def apply(self, actor: Actor, form: dict):
        self.q, self.offset = str(form.get("q", "")), 0
        self._search(actor)

    @rx.event
    @guarded(DIRECTORY)
    def set_filter(self, actor: Actor, name: str, value: str):
        if name not in FILTERS:
            return
        setattr(self, name, str(value))
        self.offset = 0
        self._search(actor)

    @rx.event
    @guarded(DIRECTORY)
    def page(self, actor: Actor, step: int):
        self.offset = max(0, min(self.offset + step * PAGE_SIZE, max(0, self.total - 1)))
        self._search(actor)

    @rx.event
    @guarded(DIRECTORY)
    def nearby(self, actor: Actor, form: dict):
        self.near_pincode, self.near_radius = form.get("pincode", ""), form.get("radius", "10")
        try:
            with tenant_session(actor) as db:
                place = get_pincode(db, self.near_pincode.strip())
                found = directory.nearby_facilities(
                    db, place.latitude, place.longitude, self.near_radius, 50, self.ftype
                )
        except DomainError as exc:
            self.near_rows, self.near_note = [], ""
            return rx.toast.error(exc.message)
        self.near_rows = [_row(f) for f in found]
        self.near_note = (
            f"{len(found)} nearest within {self.near_radius} km of {place.pincode} ({place.city})"
        )

    @rx.event
    def toggle_category(self, category: str, on: bool):
        chosen = [c for c in self.lab_categories if c != category]
        self.lab_categories = chosen + [category] if on else chosen

    @rx.event
    @guarded(DIRECTORY)
    def labs(self, actor: Actor, form: dict):
        self.lab_pincode, self.lab_radius = form.get("pincode", ""), form.get("radius", "5")
        try:
            with tenant_session(actor) as db:
                found = directory.laboratories_by_tests(
                    db, self.lab_categories, self.lab_pincode.strip(), self.lab_radius
                )
        except DomainError as exc:
            self.lab_rows, self.lab_note = [], ""
            return rx.toast.error(exc.message)
        self.lab_rows = [
            {
                "id": lab["facilityId"] or "",
                "name": lab["name"],
                "type": _label(lab["labType"]),
                "pincode": lab["pincode"],
                "tests": ", ".join(lab["testCategories"]),
                "accreditations": ", ".join(lab["accreditations"]),
                "distance": f"{lab['distanceKm']:.1f} km",
            }
            for lab in found
        ]
        self.lab_note = f"{len(found)} laboratories offer {', '.join(self.lab_categories)}"

    @rx.var
    def range_label(self) -> str:
        if not self.total:
            return "No facility matches"
        return (
            f"{self.offset + 1:,}–{min(self.offset + PAGE_SIZE, self.total):,} "
            f"of {self.total:,} facilities"
        )

    @rx.var
    def test_categories(self) -> list[str]:
        return list(TEST_CATEGORIES)


class DirectoryImportState(AuthState):
    """A platform admin's directory CSV import, with progress while it runs."""

    can_import: bool = False
    running: bool = False
    file_name: str = ""
    done: int = 0
    total: int = 0
    summary: str = ""
    errors: list[dict[str, str]] = []
    _data: bytes = b""

    @rx.event
    def load(self):
        actor = self._actor()
        self.can_import = actor is not None and Role.PLATFORM_ADMIN in actor.roles

    @rx.event
    @guarded(
        DIRECTORY,
        roles={Role.PLATFORM_ADMIN},
        refused="Only a platform admin imports into the directory",
    )
    async def upload(self, actor: Actor, files: list[rx.UploadFile]):
        if not files:
            return rx.toast.error("Choose a .csv file first")
        if self.running:
            return rx.toast.error("An import is already running")
        self._data = await read_upload(files[0], MAX_BYTES, "directory file")
        self.file_name, self.summary, self.errors = files[0].name or "directory.csv", "", []
        self.done, self.total, self.running = 0, 0, True
        return DirectoryImportState.run_import

    @rx.event(background=True)
    async def run_import(self):
        async with self:
            actor, data = self._actor(), self._data
            self._data = b""
        progress = {"done": 0, "total": 0}

        def work():
            from services.geo.importer import import_directory

            with tenant_session(actor) as db:
                return import_directory(
                    db, actor, data, on_progress=lambda d, t: progress.update(done=d, total=t)
                )

        job = asyncio.get_running_loop().run_in_executor(None, work)
        while not job.done():
            await asyncio.sleep(0.3)
            async with self:
                self.done, self.total = progress["done"], progress["total"]
        async with self:
            self.running = False
            try:
                report = job.result()
            except DomainError as exc:
                self.summary = ""
                return rx.toast.error(exc.message)
            self.done = self.total = report.rows - report.failed
            self.summary = (
                f"{report.rows:,} rows: {report.created:,} facilities added, "
                f"{report.updated:,} updated, {report.failed:,} refused, "
                f"{report.laboratories:,} laboratories, in {report.seconds:.1f} s"
            )
            self.errors = [{k: str(v) for k, v in e.items()} for e in report.errors[:500]]

    @rx.var
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class FacilityState(AuthState):
    info: dict[str, str] = {}
    equipment: list[dict[str, str]] = []
    labs: list[dict[str, str]] = []
    devices: list[dict[str, str]] = []
    nearby: list[dict[str, str]] = []
    missing: bool = False

    @rx.event
    def load(self):
        actor, redirect = self._enter(FACILITY)
        if redirect or actor is None:
            return redirect
        try:
            with tenant_session(actor) as db:
                f = directory.facility_detail(db, self.router.page.params.get("facility_id", ""))
                around = directory.nearby_facilities(db, f["latitude"], f["longitude"], 5, 11)
        except DomainError:
            self.missing = True
            return
        self.missing = False
        self.info = {
            "name": f["name"],
            "type": _label(f["facilityType"]),
            "address": f["address"],
            "place": f"{f['city']}, {f['district']}, {f['state']} {f['pincode']}",
            "tier": f"Tier {f['tier']}",
            "beds": "—" if f["bedCount"] is None else f"{f['bedCount']:,}",
            "ownership": f["ownership"],
            "specialties": ", ".join(f["specialties"]) or "—",
            "accreditations": ", ".join(f["accreditations"]) or "none recorded",
            "phone": f["contactInfo"].get("phone", "—"),
            "email": f["contactInfo"].get("email", "—"),
            "source": {"demo": "demo directory", "import": "imported directory"}.get(
                f["source"], "organisation's own site"
            ),
            "coords": f"{f['latitude']:.5f}, {f['longitude']:.5f}",
        }
        self.equipment = [
            {"category": k, "count": str(v)}
            for k, v in sorted(f["equipmentByCategory"].items(), key=lambda kv: -kv[1])
            if v
        ]
        self.labs = [
            {
                "name": lab["name"],
                "type": _label(lab["labType"]),
                "tests": ", ".join(lab["testCategories"]),
                "accreditations": ", ".join(lab["accreditations"]) or "—",
            }
            for lab in f["laboratories"]
        ]
        self.devices = [
            {
                "id": d["id"],
                "serial": d["serialNumber"],
                "model": d["model"] or "",
                "category": d["category"] or "",
                "status": d["status"],
                "amc": d["amcStatus"] or "",
            }
            for d in f["devices"]
        ]
        self.nearby = [_row(n) for n in around if n["id"] != f["id"]][:10]
