"""The web process: `reflex run` in production mode, with one difference: the front end is
built again only when what it is built from changed.

Reflex compiles the pages into `.web` at every start (seconds) and then runs the production
build (most of a minute on two cores). The build's inputs are the compiled sources, the
public assets, the package list and `env.json` (which names the port); when their contents
hash to what the last build recorded, that build is served as it is. A change to a page, an
asset, a package or the port builds again.

    python -m app.web run --env prod --single-port --frontend-port 8000 --backend-port 8000
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from reflex.utils import build, console, prerequisites

# Not inputs of the build: its output, installed packages, generated types, Reflex's own
# run bookkeeping (times of the last run and version check), and the backend's notes.
NOT_INPUTS = {"build", "node_modules", ".react-router", "reflex.json", "backend"}
STAMP = ".inputs-sha256"


def inputs_digest(web: Path) -> str:
    """A hash of every file the production build reads, by path and content, and of the
    build settings in the environment."""
    digest = hashlib.sha256()
    files = (
        p for p in web.rglob("*") if p.relative_to(web).parts[0] not in NOT_INPUTS and p.is_file()
    )
    for path in sorted(files):
        digest.update(str(path.relative_to(web)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for key in sorted(os.environ):
        if key.startswith(("VITE_", "REFLEX_ENV", "NODE_")):
            digest.update(f"{key}={os.environ[key]}\0".encode())
    return digest.hexdigest()


_full_build = build.build


def build_when_changed() -> None:
    web = prerequisites.get_web_dir()
    stamp = web / "build" / STAMP
    digest = inputs_digest(web)
    if (
        stamp.is_file()
        and stamp.read_text() == digest
        and (web / "build" / "client" / "404.html").is_file()
    ):
        console.print("Front end unchanged since its last build: serving that build.")
        return
    _full_build()
    stamp.write_text(digest)


def main() -> None:
    build.build = build_when_changed  # reflex's setup_frontend_prod calls it by this name
    from reflex.reflex import cli

    cli(prog_name="reflex")


if __name__ == "__main__":
    main()
