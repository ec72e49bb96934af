"""What every live page shares: it follows the process's one listener (services.events.live)
for as long as its tab is open on the page and its session holds, and holds no database
connection of its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache

from reflex.utils.prerequisites import get_and_validate_app

from services.events.live import Subscription

QUIET_SECONDS = 5  # how often a quiet page checks that its tab is still connected
RECHECK_SECONDS = 30  # how often a quiet page checks its path and session


@lru_cache(maxsize=1)
def _namespace():
    return get_and_validate_app().app.event_namespace


def tab_connected(token: str) -> bool:
    """Is the browser tab holding `token` still connected to this process?"""
    namespace = _namespace()
    return namespace is None or token in namespace.token_to_sid


async def follow(state, sub: Subscription, on_change: Callable[[list], Awaitable[bool]]) -> None:
    """Call `on_change(notices)` for each burst of notices until it answers False, the tab
    closes, or (checked every half minute) `state._still_here()` says to stop: the page was
    left, the session ended or there is nothing more to follow. `state` is a background
    task's state proxy."""
    async with state:
        token = state.router.session.client_token
    quiet, missing = 0, 0
    while True:
        item = await sub.get(timeout=QUIET_SECONDS)
        if item is not None:
            quiet = 0
            if not await on_change([item, *sub.drain()]):
                return
            continue
        missing = 0 if tab_connected(token) else missing + 1
        if missing >= 2:  # gone for two checks in a row, not a reconnecting blip
            return
        quiet += QUIET_SECONDS
        if quiet >= RECHECK_SECONDS:
            quiet = 0
            async with state:
                if not state._still_here():
                    return
