"""`python -m bench.fuzz [examples] [seed]`: the long contract run over the whole API.

The same test as `make test` runs (tests/api/test_contract.py: every operation of the
OpenAPI, valid and invalid requests, as a buyer admin, an OEM admin, a dispatcher and the
platform admin, in a database of its own), with many more examples per operation and a
seed of your choice. It writes bench/results/fuzz.json with the operations fuzzed, the
failures found and the time it took.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from bench.run import ROOT, write_result


def main(examples: int = 200, seed: int = 1) -> int:
    started = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/api/test_contract.py",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "keeps_its_contract",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CONTRACT_EXAMPLES": str(examples), "CONTRACT_SEED": str(seed)},
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    failed = re.findall(r"^FAILED \S+\[(.+?)\]", run.stdout, re.MULTILINE)
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", summary)) else 0
    write_result(
        "fuzz.json",
        {
            "examplesPerOperation": examples,
            "seed": seed,
            "roles": 4,
            "operationsPassed": passed,
            "operationsFailed": failed,
            "seconds": round(time.perf_counter() - started, 1),
            "summary": summary,
        },
    )
    if run.returncode:
        print(run.stdout[-20000:])
    return run.returncode


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    raise SystemExit(main(*args))
