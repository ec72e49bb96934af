import os

import reflex as rx

# The web port comes from `python -m app.cli` (which reads the user's PORT once, before any
# process manager runs), never from PORT here: honcho gives every process a PORT of its own.
port = int(os.environ.get("YANTRA_WEB_PORT") or 8000)

config = rx.Config(
    app_name="app",
    app_module_import="app.app",
    frontend_port=port,
    backend_port=port,
    api_url=os.environ.get("API_URL", f"http://localhost:{port}"),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
