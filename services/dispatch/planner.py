"""Dispatch plans: who goes where, in which order, for a service provider's open tickets.

The planner reads the provider's technicians (skills, shifts, position, daily capacity)
and open tickets (device type, facility and its access hours, priority and SLA deadline,
the parts the fault usually needs), rules out what no technician can take and says why,
and hands the rest to the routing core (services.dispatch.routing) with travel times
from services.dispatch.travel. Unserved or late P1 jobs cost far more than P4 ones.
Tickets already with a technician cost something to move, so a re-plan (say, for a new
P1) keeps the other assignments unless moving them saves more.

Times inside the model are minutes from the plan's start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session

from services.dispatch.problem import Job, RoutingProblem, Solution, Vehicle
from services.dispatch.routing import solve
from services.dispatch.travel import IST, Place, TravelModel
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
# (penalty for leaving the job undone, cost per minute past its SLA deadline)
PRIORITY_COSTS = {
    "P1": (5_000_000, 5_000),
    "P2": (1_000_000, 1_000),
    "P3": (200_000, 100),
    "P4": (50_000, 20),
}
OPEN_STATUSES = ("open", "acknowledged", "reopened", "assigned")
PINNED_STATUSES = ("en_route", "on_site", "in_progress")
HORIZON_MIN = 48 * 60  # tonight's plan reaches into tomorrow's shifts
# Cost, in travel minutes, of taking a job off the technician who has it (or out of the
# plan): a re-plan moves work only where that saves more than the balance of a working
# day can (2 a minute, see build_problem) or keeps an SLA.
MOVE_COST = 240
MIN_LEFT = 60


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


def _window(ftype: str, start: datetime) -> tuple[int, int]:
    """Minutes from the plan start in which the facility lets a technician in."""
    if ftype in ROUND_THE_CLOCK:
        return 0, HORIZON_MIN
    opens, closes = LAB_HOURS if "lab" in ftype else CLINIC_HOURS
    return _next_interval(start, timedelta(hours=opens), timedelta(hours=closes))


def load_technicians(db: Session, start: datetime) -> list[PlanTech]:
    """The organisation's technicians on shift today and not off or unavailable."""
    rows = db.execute(
        text("""
        SELECT t.id, u.full_name, t.skills, t.shift_start, t.shift_end, t.max_jobs_per_day,
               t.status, t.home_area_id, t.pincode, t.latitude, t.longitude, t.last_fix_at,
               t.workdays, a.hub_latitude, a.hub_longitude, a.hub_pincode,
               p.latitude AS pin_lat,
               p.longitude AS pin_lng, p.city
          FROM technician t JOIN users u ON u.id = t.user_id
          LEFT JOIN service_areas a ON a.id = t.home_area_id
          LEFT JOIN indian_pincodes p ON p.pincode = coalesce(t.pincode, a.hub_pincode)
         WHERE t.status IN ('available', 'busy')
         ORDER BY u.full_name""")
    ).mappings()
    techs = []
    for r in rows:
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
        techs.append(
            PlanTech(
                str(r["id"]),
                r["full_name"],
                set(r["skills"]),
                here,
                home,
                shift,
                r["max_jobs_per_day"],
                str(r["home_area_id"]) if r["home_area_id"] else None,
                r["status"],
            )
        )
    return techs


def _delta(moment) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute)


def load_jobs(db: Session, start: datetime) -> list[PlanJob]:
    """Open and in-hand tickets the organisation services, with what the plan needs."""
    rows = (
        db.execute(
            text("""
        SELECT t.id, t.number, t.priority, t.status, t.response_due_at, t.technician_id,
               t.error_code, s.id AS sku_id, coalesce(s.category, '') AS category,
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
    jobs = []
    for r in rows:
        due = r["response_due_at"]
        if r["latitude"] is None:  # the customer has not shared the site with us
            jobs.append(
                PlanJob(
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
                    reason="the site is not shared with your "
                    "organisation, so its location is unknown",
                )
            )
            continue
        jobs.append(
            PlanJob(
                str(r["id"]),
                r["number"],
                r["priority"],
                r["status"],
                r["category"],
                _place(r["latitude"], r["longitude"], r["pincode"], r["city"]),
                r["facility"],
                _window(r["facility_type"], start),
                _minutes(start, due) if due else None,
                SERVICE_MINUTES.get(r["category"], DEFAULT_SERVICE_MINUTES),
                parts.get((r["sku_id"], r["error_code"]), []),
                str(r["technician_id"]) if r["technician_id"] else None,
            )
        )
    return jobs


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


def _free_stock(db: Session) -> dict[tuple[str, str], int]:
    return {
        (str(r.area_id), str(r.part_id)): r.free
        for r in db.execute(
            text("SELECT area_id, part_id, on_hand - reserved AS free FROM part_stock")
        )
    }


def eligibility(jobs: list[PlanJob], techs: list[PlanTech], stock: dict) -> None:
    """Fill each job's allowed technicians, or the reason none can take it."""
    index = {t.id: i for i, t in enumerate(techs)}
    for job in jobs:
        if job.reason:
            continue
        if job.status in PINNED_STATUSES:
            if job.technician_id in index:
                job.allowed = [index[job.technician_id]]
            else:
                job.reason = "in hand with a technician who is not on shift"
            continue
        skilled = [i for i, t in enumerate(techs) if job.device_type in t.skills]
        if not skilled:
            job.reason = f"no technician on shift is skilled for {job.device_type or 'it'}"
            continue
        stocked = [
            i
            for i in skilled
            if all(
                stock.get((techs[i].hub_id or "", p["partId"]), 0) >= p["qty"] for p in job.parts
            )
        ]
        if not stocked:
            codes = ", ".join(p["code"] for p in job.parts)
            job.reason = f"parts short: {codes} not free at the hub of any skilled technician"
            continue
        job.allowed = stocked


def build_problem(
    jobs: list[PlanJob], techs: list[PlanTech], start: datetime, travel: TravelModel
) -> tuple[RoutingProblem, list[PlanJob]]:
    """The routing problem of the jobs some technician may take (in that order)."""
    plannable = [j for j in jobs if j.allowed]
    places = [t.place for t in techs] + [t.home for t in techs] + [j.place for j in plannable]
    matrix = travel.matrix(places, start)
    vehicles = [
        Vehicle(i, len(techs) + i, t.shift[0], max(t.shift[0], t.shift[1]), t.capacity)
        for i, t in enumerate(techs)
    ]
    index = {t.id: i for i, t in enumerate(techs)}
    routing_jobs = []
    for k, job in enumerate(plannable):
        drop, late = PRIORITY_COSTS.get(job.priority, PRIORITY_COSTS["P4"])
        pinned = job.allowed[0] if job.status in PINNED_STATUSES else None
        previous = index.get(job.technician_id or "")
        if previous not in job.allowed or pinned is not None:
            previous = None
        routing_jobs.append(
            Job(
                node=2 * len(techs) + k,
                service=job.service,
                earliest=job.window[0],
                latest=max(job.window[0], job.window[1]),
                demand=1,
                allowed=tuple(job.allowed),
                drop_penalty=drop if pinned is None else 10**9,
                soft_latest=max(0, job.deadline) if job.deadline is not None else None,
                late_cost=late,
                pinned=pinned,
                previous=previous,
            )
        )
    return (
        RoutingProblem(matrix, routing_jobs, vehicles, balance_cost=2, move_cost=MOVE_COST),
        plannable,
    )


def plan(
    db: Session, start: datetime | None = None, seconds: float = 10.0, on_progress=None
) -> dict:
    """A plan for the organisation's open tickets: routes per technician with ETAs, and
    every ticket left out with the reason."""
    start = start or datetime.now(UTC)
    techs, jobs = load_technicians(db, start), load_jobs(db, start)
    eligibility(jobs, techs, _free_stock(db))
    unassigned = [_left_out(j, j.reason) for j in jobs if not j.allowed]
    if not techs or not any(j.allowed for j in jobs):
        return {
            "routes": [_route(t, [], start) for t in techs],
            "unassigned": unassigned,
            "summary": _summary([], unassigned, 0.0),
        }
    problem, plannable = build_problem(jobs, techs, start, TravelModel())
    seed = _current_routes(plannable, techs)
    solution = solve(
        problem, seconds, on_progress=on_progress, initial_routes=seed, tighten_fleet=False
    )
    routes = [
        _route(t, _stops(solution, v, plannable, problem, start), start)
        for v, t in enumerate(techs)
    ]
    unassigned += [
        _left_out(plannable[k], _why_unserved(plannable[k], techs)) for k in solution.unserved
    ]
    return {
        "routes": routes,
        "unassigned": unassigned,
        "summary": _summary(routes, unassigned, solution.seconds),
    }


def _current_routes(jobs: list[PlanJob], techs: list[PlanTech]) -> list[list[int]]:
    """Jobs already with a technician, in number order: the plan to keep where it fits."""
    index = {t.id: i for i, t in enumerate(techs)}
    routes: list[list[int]] = [[] for _ in techs]
    for k, job in enumerate(jobs):
        if job.technician_id in index and index[job.technician_id] in job.allowed:
            routes[index[job.technician_id]].append(k)
    return routes


def _stops(
    solution: Solution, v: int, jobs: list[PlanJob], problem: RoutingProblem, start: datetime
) -> list[dict]:
    stops, previous = [], v
    for stop in solution.routes[v]:
        job, node = jobs[stop.job], problem.jobs[stop.job].node
        eta = start + timedelta(minutes=stop.start)
        late = max(0, stop.start - job.deadline) if job.deadline is not None else 0
        stops.append(
            {
                "ticketId": job.ticket_id,
                "number": job.number,
                "priority": job.priority,
                "deviceType": job.device_type,
                "facility": job.facility,
                "lat": job.place.lat,
                "lng": job.place.lng,
                "eta": eta.isoformat(),
                "travelMinutes": problem.time[previous][node],
                "serviceMinutes": job.service,
                "lateMinutes": late,
                "pinned": job.status in PINNED_STATUSES,
            }
        )
        previous = node
    return stops


def _route(tech: PlanTech, stops: list[dict], start: datetime) -> dict:
    return {
        "technicianId": tech.id,
        "technician": tech.name,
        "skills": sorted(tech.skills),
        "start": {"lat": tech.place.lat, "lng": tech.place.lng},
        "home": {"lat": tech.home.lat, "lng": tech.home.lng},
        "stops": stops,
        "shift": [(start + timedelta(minutes=m)).isoformat() for m in tech.shift],
    }


def _left_out(job: PlanJob, reason: str) -> dict:
    return {
        "ticketId": job.ticket_id,
        "number": job.number,
        "priority": job.priority,
        "deviceType": job.device_type,
        "facility": job.facility,
        "lat": job.place.lat,
        "lng": job.place.lng,
        "reason": reason,
    }


def _why_unserved(job: PlanJob, techs: list[PlanTech]) -> str:
    names = ", ".join(techs[i].name for i in job.allowed[:3])
    return (
        f"no room today: {names} cannot fit it within shift, capacity and the "
        f"facility's hours without dropping more urgent work"
    )


def _summary(routes: list[dict], unassigned: list[dict], seconds: float) -> dict:
    stops = [s for r in routes for s in r["stops"]]
    return {
        "assigned": len(stops),
        "unassigned": len(unassigned),
        "travelMinutes": sum(s["travelMinutes"] for s in stops),
        "lateP1": sum(1 for s in stops if s["priority"] == "P1" and s["lateMinutes"] > 0),
        "techniciansUsed": sum(1 for r in routes if r["stops"]),
        "seconds": round(seconds, 2),
    }
