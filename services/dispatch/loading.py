"""What a dispatch plan is made from: the organisation's technicians (skills, shift, on
call or not, position, daily capacity) and its open tickets (device type, site and its
access hours, the contract's working hours, priority and SLA deadline, the parts the
fault usually needs), read from the database as the planner and the dispatcher's
overrides see them.

Times are minutes from the plan's start. A job under a round-the-clock contract may start
at minute 0 (now) at a site open round the clock, and technicians on call may take it
outside their shift; a job under a business-hours contract (or none) waits for the
contract's next working hours, as technicians wait for their shift.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session

from services.common.calendar import Calendar, business_calendar
from services.dispatch.travel import IST, Place
from services.geo.vocab import city_tier, metro_of

SERVICE_MINUTES = {
    "MRI": 150,
    "CT": 120,
    "Cath lab": 150,
    "X-ray": 75,
    "Mammography": 75,
    "Ultrasound": 60,
    "Patient monitor": 45,
    "Ventilator": 60,
    "Anaesthesia workstation": 75,
    "Infusion pump": 30,
    "Defibrillator": 30,
    "ECG": 30,
    "Dialysis machine": 90,
    "Haematology analyzer": 60,
    "Biochemistry analyzer": 75,
    "Immunoassay analyzer": 75,
    "PCR system": 90,
}
DEFAULT_SERVICE_MINUTES = 60
ROUND_THE_CLOCK = {
    "hospital",
    "emergency_center",
    "trauma_center",
    "cardiac_center",
    "oncology_center",
    "community_health_center",
}
LAB_HOURS = (7, 21)
CLINIC_HOURS = (9, 19)
OPEN_STATUSES = ("open", "acknowledged", "reopened", "assigned")
PINNED_STATUSES = ("en_route", "on_site", "in_progress")
HORIZON_MIN = 48 * 60  # tonight's plan reaches into tomorrow's shifts
MIN_LEFT = 60
OFF_SHIFT_MIN = 30  # a shift starting later than this is worth a call-out
ON_CALL_MIN = 12 * 60  # an on-call technician is reachable this long from the plan's start
BUSINESS_HOURS = Calendar(round_the_clock=False)  # tickets without a contract's calendar


@dataclass
class PlanJob:
    ticket_id: str
    number: int
    priority: str
    status: str
    device_type: str
    place: Place
    facility: str
    window: tuple[int, int]
    deadline: int | None
    service: int
    parts: list[dict] = field(default_factory=list)
    technician_id: str | None = None
    allowed: list[int] = field(default_factory=list)
    reason: str = ""
    round_the_clock: bool = False  # the contract promises service around the clock


@dataclass
class PlanTech:
    id: str
    name: str
    skills: set[str]
    place: Place
    home: Place
    shift: tuple[int, int]
    capacity: int
    hub_id: str | None
    status: str
    on_call: bool = False

    @property
    def window(self) -> tuple[int, int]:
        """When the technician can work in this plan: the shift, or from now on when on
        call (through the shift's end, and at least `ON_CALL_MIN`)."""
        if not self.on_call:
            return self.shift[0], max(self.shift[0], self.shift[1])
        return 0, max(self.shift[1], ON_CALL_MIN)

    @property
    def off_shift(self) -> bool:
        """Not working within half an hour of the plan's start (or not at all in it)."""
        return self.shift[0] >= OFF_SHIFT_MIN or self.shift[1] <= 0


def _minutes(start: datetime, moment: datetime) -> int:
    return int((moment - start).total_seconds() // 60)


def _place(lat: float, lng: float, pincode: str | None, city: str = "") -> Place:
    metro = metro_of(pincode) if pincode else None
    tier = city_tier(pincode, city) if pincode else 1
    return Place(round(lat, 6), round(lng, 6), metro, tier, pincode)


def _next_interval(
    start: datetime, opens: timedelta, closes: timedelta, weekdays: list[int] | None = None
) -> tuple[int, int]:
    """Minutes from the plan start of the next daily interval (IST) with at least an hour
    left: today's, or tomorrow's once today's is (nearly) over; only on `weekdays`
    (0 Monday) when given. (0, 0) when neither day has one."""
    today = start.astimezone(IST).replace(hour=0, minute=0, second=0, microsecond=0)
    for day in (today, today + timedelta(days=1)):
        if weekdays is not None and day.weekday() not in weekdays:
            continue
        first, last = _minutes(start, day + opens), _minutes(start, day + closes)
        if last - max(0, first) >= MIN_LEFT:
            return max(0, first), last
    return 0, 0


def job_window(ftype: str, contract: Calendar, start: datetime) -> tuple[int, int]:
    """Minutes from the plan start in which a technician may start the job: the site
    lets them in and the contract's working hours run. Round the clock on both: from
    now. Otherwise the first such stretch, today or in the next two days, with at least
    an hour left; (0, 0) when there is none."""
    site_all_day = ftype in ROUND_THE_CLOCK
    if site_all_day and contract.round_the_clock:
        return 0, HORIZON_MIN
    opens, closes = (0, 24) if site_all_day else LAB_HOURS if "lab" in ftype else CLINIC_HOURS
    today = start.astimezone(IST).replace(hour=0, minute=0, second=0, microsecond=0)
    for offset in range(3):
        day = today + timedelta(days=offset)
        hours = contract.hours_on(day.date())
        if hours is None:
            continue
        first = _minutes(start, max(day + timedelta(hours=opens), hours[0]))
        last = _minutes(start, min(day + timedelta(hours=closes), hours[1]))
        if last - max(0, first) >= MIN_LEFT:
            return max(0, first), last
    return 0, 0


def load_technicians(
    db: Session, start: datetime, called_out: frozenset[str] = frozenset()
) -> list[PlanTech]:
    """The organisation's technicians not off or unavailable; those in `called_out` are
    on call for this plan whatever their own setting."""
    rows = db.execute(
        text("""
        SELECT t.id, u.full_name, t.skills, t.shift_start, t.shift_end, t.max_jobs_per_day,
               t.status, t.on_call, t.home_area_id, t.pincode, t.latitude, t.longitude,
               t.last_fix_at, t.workdays, a.hub_latitude, a.hub_longitude, a.hub_pincode,
               p.latitude AS pin_lat,
               p.longitude AS pin_lng, p.city
          FROM technician t JOIN users u ON u.id = t.user_id
          LEFT JOIN service_areas a ON a.id = t.home_area_id
          LEFT JOIN indian_pincodes p ON p.pincode = coalesce(t.pincode, a.hub_pincode)
         WHERE t.status IN ('available', 'busy')
         ORDER BY u.full_name, t.id""")
    ).mappings()
    return [_technician(r, start, called_out) for r in rows]


def _technician(r, start: datetime, called_out: frozenset[str]) -> PlanTech:
    home = _place(
        r["hub_latitude"] or r["pin_lat"],
        r["hub_longitude"] or r["pin_lng"],
        r["hub_pincode"] or r["pincode"],
        r["city"] or "",
    )
    fresh = r["last_fix_at"] and start - r["last_fix_at"] < timedelta(hours=2)
    here = (
        Place(r["latitude"], r["longitude"], home.metro, home.tier)
        if fresh and r["latitude"] is not None
        else _place(r["pin_lat"], r["pin_lng"], r["pincode"], r["city"] or "")
        if r["pincode"]
        else home
    )
    shift = _next_interval(
        start, _delta(r["shift_start"]), _delta(r["shift_end"]), list(r["workdays"])
    )
    return PlanTech(
        str(r["id"]),
        r["full_name"],
        set(r["skills"]),
        here,
        home,
        shift,
        r["max_jobs_per_day"],
        str(r["home_area_id"]) if r["home_area_id"] else None,
        r["status"],
        bool(r["on_call"]) or str(r["id"]) in called_out,
    )


def _delta(moment) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute)


def load_jobs(db: Session, start: datetime) -> list[PlanJob]:
    """Open and in-hand tickets the organisation services, with what the plan needs."""
    rows = (
        db.execute(
            text("""
        SELECT t.id, t.number, t.priority, t.status, t.response_due_at, t.technician_id,
               t.error_code, t.sla_policy_id, s.id AS sku_id,
               coalesce(s.category, '') AS category,
               f.name AS facility, f.facility_type, f.latitude, f.longitude, f.pincode,
               p.city
          FROM ticket t
          JOIN equipment e ON e.id = t.equipment_id
          LEFT JOIN sku s ON s.id = e.sku_id
          LEFT JOIN healthcare_facilities f ON f.id = t.facility_id
          LEFT JOIN indian_pincodes p ON p.pincode = f.pincode
         WHERE t.service_partner_tenant_id = app_tenant()
           AND t.status = ANY(:statuses)
         ORDER BY t.priority, t.number"""),
            {"statuses": list(OPEN_STATUSES + PINNED_STATUSES)},
        )
        .mappings()
        .all()
    )
    parts = _expected_parts(db, {(r["sku_id"], r["error_code"]) for r in rows})
    calendars = _contract_calendars(db, {r["sla_policy_id"] for r in rows}, start)
    return [_job(r, start, parts, calendars) for r in rows]


def _contract_calendars(db: Session, ids: set, start: datetime) -> dict[uuid.UUID, Calendar]:
    """The working calendar of each contract's SLA policy the tickets name (business hours
    also skip national holidays, as the SLA clocks do)."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = db.execute(
        text("""
        SELECT id, round_the_clock, opens, closes, workdays, holidays FROM sla_policy
         WHERE id = ANY(:ids)"""),
        {"ids": wanted},
    ).mappings()
    years = range(start.year - 1, start.year + 2)
    return {
        r["id"]: Calendar(round_the_clock=True)
        if r["round_the_clock"]
        else business_calendar(r["opens"], r["closes"], r["workdays"], r["holidays"], years)
        for r in rows
    }


def _job(r, start: datetime, parts: dict, calendars: dict) -> PlanJob:
    if r["latitude"] is None:  # the customer has not shared the site with us
        return PlanJob(
            str(r["id"]),
            r["number"],
            r["priority"],
            r["status"],
            r["category"],
            Place(0.0, 0.0),
            "site not shared",
            (0, 0),
            None,
            0,
            reason="the site is not shared with your organisation, so its location is unknown",
        )
    contract = calendars.get(r["sla_policy_id"], BUSINESS_HOURS)
    due = r["response_due_at"]
    return PlanJob(
        str(r["id"]),
        r["number"],
        r["priority"],
        r["status"],
        r["category"],
        _place(r["latitude"], r["longitude"], r["pincode"], r["city"]),
        r["facility"],
        job_window(r["facility_type"] or "", contract, start),
        _minutes(start, due) if due else None,
        SERVICE_MINUTES.get(r["category"], DEFAULT_SERVICE_MINUTES),
        parts.get((r["sku_id"], r["error_code"]), []),
        str(r["technician_id"]) if r["technician_id"] else None,
        round_the_clock=contract.round_the_clock,
    )


def _expected_parts(db: Session, keys: set) -> dict:
    found: dict = {}
    for r in db.execute(
        text("""
            SELECT fp.sku_id, fp.error_code, fp.qty, pt.id, pt.code FROM fault_part fp
              JOIN part pt ON pt.id = fp.part_id""")
    ).mappings():
        if (r["sku_id"], r["error_code"]) in keys:
            found.setdefault((r["sku_id"], r["error_code"]), []).append(
                {"partId": str(r["id"]), "code": r["code"], "qty": r["qty"]}
            )
    return found


def free_stock(db: Session) -> dict[tuple[str, str], int]:
    """Parts free to reserve, by (hub, part)."""
    return {
        (str(r.area_id), str(r.part_id)): r.free
        for r in db.execute(
            text("SELECT area_id, part_id, on_hand - reserved AS free FROM part_stock")
        )
    }
