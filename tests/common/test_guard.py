"""The one guard of the UI's event handlers: nothing runs for a stranger or a role the
page does not serve, the handler gets the acting user, a domain error becomes a toast, and
the browser is never asked for the actor."""

from __future__ import annotations

import inspect
import uuid

from services.actor import Actor, Role, TenantKind
from services.errors import Conflict
from state.guard import guarded

BUYER = Actor(uuid.uuid4(), uuid.uuid4(), TenantKind.HOSPITAL_CHAIN, frozenset({Role.BUYER_USER}))


class Tab:
    """A page state as the guard sees it: who the session is, and what the handler did."""

    def __init__(self, actor: Actor | None, forbidden: bool = False):
        self.actor, self.forbidden, self.done, self.routes = actor, forbidden, [], []

    def _allowed(self, route: str) -> Actor | None:
        self.routes.append(route)
        return None if self.forbidden else self.actor

    @guarded("/rfqs")
    def save(self, actor: Actor, form: dict):
        self.done.append((actor, form))

    @guarded("/rfqs", roles={Role.BUYER_ADMIN}, refused="Only a procurement admin awards")
    def award(self, actor: Actor):
        self.done.append(actor)

    @guarded("/rfqs")
    def fail(self, actor: Actor):
        self.done.append(actor)
        raise Conflict("The RFQ is closed")

    @guarded("/rfqs")
    async def upload(self, actor: Actor, files: list):
        self.done.append(files)


def test_nothing_runs_for_a_caller_without_a_session_or_a_role_of_the_page():
    signed_out = Tab(None)
    assert signed_out.save({"x": "1"}) is not None  # off to the sign-in page
    assert signed_out.done == [] and signed_out.routes == ["/rfqs"]
    short_of_a_role = Tab(BUYER, forbidden=True)
    assert short_of_a_role.save({"x": "1"}) is None  # the page shows its 403 view
    assert short_of_a_role.done == []


def test_the_handler_gets_the_acting_user_and_the_browsers_arguments():
    tab = Tab(BUYER)
    tab.save({"x": "1"})
    assert tab.done == [(BUYER, {"x": "1"})]


def test_a_role_the_action_needs_is_checked_before_it_runs():
    tab = Tab(BUYER)
    assert tab.award() is not None  # the toast saying why not
    assert tab.done == []


def test_a_domain_error_becomes_a_toast():
    tab = Tab(BUYER)
    assert tab.fail() is not None
    assert tab.done == [BUYER]


def _finish(coroutine):
    """Run a handler that awaits nothing, whatever event loop the test process holds."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the handler waited for something")


def test_async_handlers_are_guarded_too():
    assert _finish(Tab(BUYER, forbidden=True).upload(["f"])) is None
    tab = Tab(BUYER)
    _finish(tab.upload(["f"]))
    assert tab.done == [["f"]]


def test_the_browser_is_never_asked_for_the_actor():
    assert list(inspect.signature(Tab.save).parameters) == ["self", "form"]
    assert "actor" not in Tab.save.__annotations__
    assert inspect.iscoroutinefunction(Tab.upload)
