"""`run_async(coro)`: asyncio.run on a thread of its own. The browser tests' Playwright
(sync API) keeps an event loop running on the main thread for the whole session, and
asyncio.run refuses to start inside a running loop."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def run_async(coro) -> Any:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
