"""The web process builds the front end again only when what the build reads changed."""

from __future__ import annotations

from pathlib import Path

from app.web import inputs_digest


def _web(root: Path) -> Path:
    web = root / ".web"
    for name, text in {
        "app/routes/index.jsx": "export default () => 'home'",
        "public/sla_clock.js": "tick()",
        "env.json": '{"EVENT": "ws://localhost:8000/_event"}',
        "package.json": '{"dependencies": {"react": "19"}}',
        "reflex.json": '{"last_reflex_run_datetime": "2026-12-01 10:00"}',
        "build/client/404.html": "<html></html>",
        "node_modules/react/index.js": "module.exports = {}",
    }.items():
        (web / name).parent.mkdir(parents=True, exist_ok=True)
        (web / name).write_text(text)
    return web


def test_a_page_an_asset_a_package_or_the_port_changes_the_inputs(tmp_path):
    web = _web(tmp_path)
    first = inputs_digest(web)
    assert inputs_digest(web) == first
    for name, text in (
        ("app/routes/index.jsx", "export default () => 'home, changed'"),
        ("public/sla_clock.js", "tick(); tock()"),
        ("package.json", '{"dependencies": {"react": "20"}}'),
        ("env.json", '{"EVENT": "ws://localhost:8001/_event"}'),
    ):
        before = inputs_digest(web)
        (web / name).write_text(text)
        assert inputs_digest(web) != before, f"{name} changed but the build would be reused"


def test_the_last_run_time_the_output_and_installed_packages_are_not_inputs(tmp_path):
    web = _web(tmp_path)
    first = inputs_digest(web)
    (web / "reflex.json").write_text('{"last_reflex_run_datetime": "2026-12-01 11:00"}')
    (web / "build/client/404.html").write_text("<html>rebuilt</html>")
    (web / "node_modules/react/index.js").write_text("module.exports = {a: 1}")
    assert inputs_digest(web) == first
