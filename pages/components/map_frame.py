"""The frame a map is shown in."""

from __future__ import annotations

import reflex as rx


def map_frame(*, links_out: bool = False, **props) -> rx.Component:
    """An iframe for a map, sandboxed without the app's origin: a script in the map can
    reach neither the page, its cookies nor the API as the user. `links_out` lets a click
    in the map open a page of the app (the directory's facility links)."""
    sandbox = "allow-scripts" + (" allow-top-navigation-by-user-activation" if links_out else "")
    return rx.el.iframe(sandbox=sandbox, **props)
