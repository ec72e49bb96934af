"""One table of role groups: the pages open for the roles their buttons serve, and no
module keeps a role group of its own."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from services.actor import Actor, Role, TenantKind
from services.common import roles
from services.devices import bulk, registry
from services.dispatch import service as dispatch
from services.errors import Forbidden
from services.rfq import service as rfq
from services.tickets import service as tickets
from state.navigation import BY_ROUTE, PAGES

ROOT = Path(__file__).resolve().parents[2]

# Pages that exist to do one thing: everyone who can open one can use its buttons, since
# the page reads the same group the service checks.
ACTION_PAGES = {
    "/rfqs/new": rfq.BUYERS,
    "/dispatch": dispatch.DISPATCHERS,
    "/report": tickets.TICKET_OPENERS,
    "/devices/register": registry.REGISTRARS,
    "/devices/import": bulk.DEVICE_IMPORTERS,
    "/admin/organisations": roles.PLATFORM_ADMINS,
}


@pytest.mark.parametrize("route", sorted(ACTION_PAGES))
def test_whoever_opens_an_action_page_may_press_its_buttons(route):
    allowed = ACTION_PAGES[route]
    for role in BY_ROUTE[route].roles:
        actor = Actor(None, uuid.uuid4(), TenantKind.PLATFORM, frozenset({role}))
        actor.require(*allowed)  # raises Forbidden if the page promised too much


def test_a_role_outside_the_group_is_refused_by_the_service_check():
    technician = Actor(None, uuid.uuid4(), TenantKind.OEM, frozenset({Role.TECHNICIAN}))
    with pytest.raises(Forbidden):
        technician.require(*dispatch.DISPATCHERS)


def test_every_page_opens_for_some_role_and_every_role_has_a_home():
    assert all(page.roles for page in PAGES)
    assert all(role in BY_ROUTE["/"].roles for role in Role)


def test_the_groups_are_sets_of_roles():
    groups = {name: value for name, value in vars(roles).items() if name.isupper()}
    assert len(groups) >= 15
    for name, group in groups.items():
        assert isinstance(group, frozenset) and group and group <= frozenset(Role), name


# A second list of roles, as `(Role.A, Role.B` or `{Role.A, Role.B`, outside the table.
_GROUP = re.compile(r"[({\[]\s*Role\.\w+\s*,\s*Role\.")
# Which roles each kind of organisation may hold, and the demo accounts, are data.
_NOT_GROUPS = {"services/actor.py", "services/common/roles.py", "services/seed/demo.py"}


def test_no_module_keeps_a_role_group_of_its_own():
    found = []
    for folder in ("app", "pages", "state", "services", "workers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name not in _NOT_GROUPS and _GROUP.search(path.read_text()):
                found.append(name)
    assert found == []
