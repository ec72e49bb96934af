"""The one guard of the UI's event handlers.

Every public method of a Reflex state can be called from any browser with any arguments,
so a handler that reads or changes data is wrapped in `guarded(route)`: before the handler
runs, the session is checked (a tab whose session ended is sent to sign in) and the caller
must hold a role of the page (else the page shows its 403 view), optionally also a role of
`roles` (else a toast says so). The handler then gets the acting user as its first
argument, and a domain error it raises becomes an error toast with the error's message.

Handlers that only change this tab's own form fields (a typed value, a ticked box) need no
guard: they read and write nothing else."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable

import reflex as rx

from services.actor import Role
from services.errors import DomainError


def _without_actor(handler: Callable, run: Callable) -> None:
    """Reflex reads a handler's signature for the arguments the browser sends: the actor
    is the guard's, never the browser's."""
    signature = inspect.signature(handler)
    params = list(signature.parameters.values())
    run.__signature__ = signature.replace(parameters=[params[0], *params[2:]])
    run.__annotations__ = {k: v for k, v in handler.__annotations__.items() if k != params[1].name}


def guarded(
    route: str, roles: Iterable[Role] | None = None, refused: str = "Your roles cannot do this"
) -> Callable[[Callable], Callable]:
    """Wrap an event handler `(self, actor, *args)` of a state built on AuthState."""
    needed = frozenset(roles) if roles is not None else None

    def wrap(handler: Callable) -> Callable:
        def admit(state):
            actor = state._allowed(route)
            if actor is None:  # signed out: to the sign-in page; a role short: the 403 view
                return None, None if state.forbidden else rx.redirect("/login")
            if needed is not None and not actor.roles & needed:
                return None, rx.toast.error(refused)
            return actor, None

        if inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def run(self, *args, **kwargs):
                actor, refusal = admit(self)
                if actor is None:
                    return refusal
                try:
                    return await handler(self, actor, *args, **kwargs)
                except DomainError as exc:
                    return rx.toast.error(exc.message)
        else:

            @functools.wraps(handler)
            def run(self, *args, **kwargs):
                actor, refusal = admit(self)
                if actor is None:
                    return refusal
                try:
                    return handler(self, actor, *args, **kwargs)
                except DomainError as exc:
                    return rx.toast.error(exc.message)

        _without_actor(handler, run)
        return run

    return wrap
