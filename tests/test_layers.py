"""The layers hold: app -> pages -> state -> services, with routers and workers calling
services, and no package importing another that imports it back.

The contracts live in pyproject.toml ([tool.importlinter]); `make lint` runs them too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("app", "pages", "state", "services", "workers")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        env={"PATH": str(LINT_IMPORTS.parent), "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_every_layer_contract():
    run = _lint_imports(ROOT)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _toml_value(value) -> str:
    # JSON strings, numbers and arrays of them are valid TOML.
    return ("true" if value else "false") if isinstance(value, bool) else json.dumps(value)


# A tiny code base that respects the layers: module -> its source.
DOWNWARD = {
    "app.entry": "import pages.home\n",
    "app.api.devices": "import services.devices\n",
    "pages.home": "import state.home\n",
    "state.home": "import services.devices\n",
    "services.devices": "import services.clock\n",
    "services.clock": "",
    "workers.sla": "import services.devices\n",
}


def _house_with_the_real_contracts(tmp_path: Path, modules: dict[str, str]) -> Path:
    """The five packages holding `modules` (each a package of its own), checked by this
    project's contracts less the exceptions they name for modules that only exist there."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = ["[tool.importlinter]"]
    lines += [
        f"{key} = {_toml_value(value)}" for key, value in settings.items() if key != "contracts"
    ]
    for contract in settings["contracts"]:
        lines.append("[[tool.importlinter.contracts]]")
        lines += [
            f"{key} = {_toml_value(value)}"
            for key, value in contract.items()
            if key != "ignore_imports"
        ]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    for dotted in [*PACKAGES, "app.api", *modules]:
        folder = tmp_path.joinpath(*dotted.split("."))
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").write_text(modules.get(dotted, ""))
    return tmp_path


def test_imports_that_point_down_keep_the_contracts(tmp_path):
    run = _lint_imports(_house_with_the_real_contracts(tmp_path, DOWNWARD))

    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("services.devices", "state.home"),
        ("services.devices", "workers.sla"),
        ("state.home", "app.entry"),
        ("pages.home", "services.devices"),
        ("workers.sla", "app.entry"),
        ("workers.sla", "state.home"),
        ("app.api.devices", "state.home"),
        ("services.clock", "services.devices"),  # a cycle between two domains
    ],
)
def test_an_upward_import_or_a_cycle_breaks_a_contract(tmp_path, importer, imported):
    modules = dict(DOWNWARD)
    modules[importer] += f"import {imported}\n"

    run = _lint_imports(_house_with_the_real_contracts(tmp_path, modules))

    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{importer} -> {imported}" in run.stdout or "cycles" in run.stdout.lower()
