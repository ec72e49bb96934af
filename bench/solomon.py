"""Solomon VRPTW, 100 customers, all 56 instances: the dispatch optimizer's code path
(`routing.solve`: PyVRP's search minimising the fleet, then distance, checked and polished
by the OR-Tools model of record) against the best-known solutions and against a plain
OR-Tools model of the same instance (parallel cheapest insertion, guided local search,
no fleet objective), both at the same time limit. Writes
bench/results/dispatch_solomon.json.

Reads the instances from ../shared/bench/solomon (benchmarks only). Run alone with
`python -m bench.solomon [seconds] [instance ...]`.
"""

from __future__ import annotations

import csv
import json
import platform
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

from services.dispatch.routing import solve, solve_plain
from services.dispatch.solomon import evaluate, read_instance, to_problem

ROOT = Path(__file__).resolve().parent.parent
SOLOMON = ROOT.parent / "shared" / "bench" / "solomon"
OUT = ROOT / "bench" / "results" / "dispatch_solomon.json"
TIME_LIMIT_S = 10.0


def _baseline(inst, seconds: float) -> dict:
    return evaluate(inst, solve_plain(to_problem(inst, vehicle_cost=0), seconds))


def run(seconds: float = TIME_LIMIT_S, names: list[str] | None = None) -> dict:
    bks = {row["instance"]: row for row in csv.DictReader((SOLOMON / "bks.csv").open())}
    results = []
    for path in sorted(SOLOMON.glob("*.vrptw")):
        inst = read_instance(path)
        if names and inst.name not in names:
            continue
        started = time.monotonic()
        ours = evaluate(inst, solve(to_problem(inst), seconds))
        took = time.monotonic() - started
        base = _baseline(inst, seconds)
        best = bks[inst.name]
        results.append(
            {
                "instance": inst.name,
                "vehicles": ours["vehicles"],
                "distance": ours["distance"],
                "unserved": ours["unserved"],
                "bks_vehicles": int(best["vehicles"]),
                "bks_distance": float(best["distance"]),
                "seconds": round(took, 2),
                "baseline_vehicles": base["vehicles"],
                "baseline_distance": base["distance"],
                "baseline_unserved": base["unserved"],
            }
        )
        print(json.dumps(results[-1]), flush=True)
    return {
        "time_limit_s": seconds,
        "machine": _machine(),
        "summary": summarise(results),
        "instances": results,
    }


def _gap(distance: float, bks: float) -> float:
    return 100 * (distance - bks) / bks


def summarise(results: list[dict]) -> dict:
    def side(prefix: str) -> dict:
        served = [r for r in results if r[f"{prefix}unserved"] == 0]
        matched = [r for r in served if r[f"{prefix}vehicles"] == r["bks_vehicles"]]
        gaps = [_gap(r[f"{prefix}distance"], r["bks_distance"]) for r in matched]
        return {
            "instancesWithUnserved": len(results) - len(served),
            "unservedCustomers": sum(r[f"{prefix}unserved"] for r in results),
            "extraVehicles": sum(
                max(0, r[f"{prefix}vehicles"] - r["bks_vehicles"]) for r in results
            ),
            "vehicleCountMatched": len(matched),
            "meanGapPctWhereMatched": round(statistics.mean(gaps), 2) if gaps else None,
        }

    both = [
        r
        for r in results
        if not r["unserved"]
        and not r["baseline_unserved"]
        and r["vehicles"] == r["baseline_vehicles"] == r["bks_vehicles"]
    ]

    def common(prefix: str) -> float | None:
        gaps = [_gap(r[f"{prefix}distance"], r["bks_distance"]) for r in both]
        return round(statistics.mean(gaps), 2) if gaps else None

    return {
        "instances": len(results),
        "ours": side(""),
        "baseline": side("baseline_"),
        # The two sides match the best-known fleet on different instances: compare
        # distances where both do.
        "bothMatched": {
            "instances": len(both),
            "oursMeanGapPct": common(""),
            "baselineMeanGapPct": common("baseline_"),
        },
    }


def _machine() -> dict:
    from bench.run import _machine as machine

    return {
        **machine(),
        "python": platform.python_version(),
        "pyvrp": version("pyvrp"),
        "ortools": version("ortools"),
    }


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    seconds = float(args[0]) if args else TIME_LIMIT_S
    report = run(seconds, args[1:] or None)
    if not args[1:]:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["summary"], indent=2))


if __name__ == "__main__":
    main()
