"""The demo service day: a dispatcher who opens the demo finds a real day's work across
four metros, planned and under way, and with the living demo it keeps moving."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import text

from services.geo.vocab import metro_of

METROS = {"Delhi NCR", "Mumbai", "Bengaluru", "Chennai"}


def _rows(sql: str, **params) -> list:
    from services.db import system_session

    with system_session() as db:
        return db.execute(text(sql), params).all()


def _open_tickets() -> list:
    return _rows("""
        SELECT t.id, t.priority, t.status, t.technician_id, t.response_due_at, t.responded_at,
               f.pincode, p.latitude
          FROM ticket t JOIN healthcare_facilities f ON f.id = t.facility_id
          LEFT JOIN indian_pincodes p ON p.pincode = f.pincode
         WHERE t.status NOT IN ('resolved', 'closed', 'cancelled')""")


def test_about_150_open_tickets_across_the_four_metros_on_real_pincodes(service_day):
    tickets = _open_tickets()
    assert service_day["opened"] == 151  # and the lab's analyzer
    assert 150 <= len(tickets) <= 170  # the day's and the small demo's
    assert all(t.latitude is not None for t in tickets), "every site is on a known pincode"
    by_metro = Counter(metro_of(t.pincode) for t in tickets)
    assert set(by_metro) >= METROS
    assert all(by_metro[m] >= 25 for m in METROS), by_metro


def test_every_stage_and_priority_is_on_the_board_with_some_already_breached(service_day):
    tickets = _open_tickets()
    statuses = Counter(t.status for t in tickets)
    for stage in ("open", "acknowledged", "assigned", "en_route", "on_site", "in_progress"):
        assert statuses[stage] > 0, f"no ticket {stage}: {statuses}"
    held = _rows("""
        SELECT e.note FROM ticket t JOIN ticket_event e ON e.ticket_id = t.id
         WHERE t.status = 'on_hold' AND e.to_status = 'on_hold'""")
    assert held and all("waiting for parts" in h.note for h in held)
    assert {t.priority for t in tickets} == {"P1", "P2", "P3", "P4"}
    unanswered_late = [
        t
        for t in tickets
        if t.responded_at is None and t.response_due_at < _rows("SELECT now()")[0][0]
    ]
    assert len(unanswered_late) >= 3


def test_todays_plan_is_accepted_and_the_technicians_are_on_their_routes(service_day):
    plans = _rows("""
        SELECT n.name, p.routes, p.summary FROM dispatch_plan p JOIN tenant n ON n.id = p.tenant_id
         WHERE p.status = 'accepted' AND p.params ? 'serviceDay'""")
    assert {p.name for p in plans} == {
        "Kaveri Biomedical Services (demo)",
        "Medivance Imaging (demo)",
    }
    assert service_day["assigned"] >= 40
    routes = [r for p in plans for r in p.routes if r["stops"]]
    assert len(routes) >= 10
    where = {
        str(r.id): r for r in _rows("SELECT id, latitude, longitude, last_fix_at FROM technician")
    }
    for route in routes:
        tech = where[route["technicianId"]]
        assert tech.latitude is not None and tech.last_fix_at is not None
    held_by = {str(t.id): str(t.technician_id) for t in _open_tickets()}
    first_stops = [r["stops"][0]["ticketId"] for r in routes]
    assert all(held_by.get(s) for s in first_stops)


def test_the_days_devices_are_under_the_hospitals_contracts(service_day):
    rows = _rows("""
        SELECT c.kind, c.status, count(*) AS devices FROM equipment e
          JOIN contract c ON c.id = e.contract_id
         WHERE e.serial_number LIKE 'SD-%' GROUP BY 1, 2""")
    assert {(r.kind, r.status) for r in rows} == {("cmc", "active"), ("amc", "active")}
    assert sum(r.devices for r in rows) == 200


def test_seeding_the_day_again_adds_nothing(service_day):
    from services.seed.day_plan import plan_service_day
    from services.seed.service_day import seed_service_day

    counts = "SELECT (SELECT count(*) FROM ticket), (SELECT count(*) FROM equipment), " \
        "(SELECT count(*) FROM dispatch_plan), (SELECT count(*) FROM healthcare_facilities)"  # fmt: skip
    before = _rows(counts)[0]
    assert seed_service_day() == 0
    assert plan_service_day() == 0
    assert _rows(counts)[0] == before


def _demo_actor(role):
    from services.actor import Actor, TenantKind
    from services.seed.demo import demo_email

    [row] = _rows(
        "SELECT u.id, u.tenant_id, t.kind, u.full_name FROM users u "
        "JOIN tenant t ON t.id = u.tenant_id WHERE u.email = :e",
        e=demo_email(role),
    )
    return Actor(row.id, row.tenant_id, TenantKind(row.kind), frozenset({role}), row.full_name)


def _home(role) -> dict:
    from services.db import tenant_session
    from services.overview.waiting import waiting_for

    actor = _demo_actor(role)
    with tenant_session(actor) as db:
        return {s.key: s for s in waiting_for(db, actor)}


def test_each_service_roles_home_lists_its_work_of_the_day(service_day):
    from services.actor import Role

    hospital = _home(Role.BUYER_ADMIN)["service"]
    assert hospital.total >= 150 and len(hospital.items) == 5
    first = hospital.items[0].link.removeprefix("/tickets/")
    [late] = _rows(
        "SELECT (responded_at IS NULL AND response_due_at < now()) "
        "OR resolution_due_at < now() FROM ticket WHERE id = :i",
        i=first,
    )
    assert late[0], "a ticket past its SLA deadline heads the hospital's list"
    for role in (Role.DISPATCHER, Role.OEM_SERVICE_MANAGER):
        home = _home(role)
        for key in ("urgent", "at-risk", "unassigned"):
            assert home[key].items, f"{role.value} has nothing in {key}"
    assert _home(Role.LAB_STAFF)["service"].items, "the lab follows its analyzer's ticket"
    [renewal] = _home(Role.OEM_SALES)["rfqs"].items
    assert "Renewal of" in renewal.title and renewal.link.startswith("/rfqs/")
    jobs = _home(Role.TECHNICIAN)["jobs"]
    assert jobs.total >= 1 and all(i.link.startswith("/tickets/") for i in jobs.items)


def test_todays_plan_is_current_when_the_demo_opens(service_day):
    from sqlmodel import select

    from services.actor import Role
    from services.db import tenant_session
    from services.dispatch.freshness import plan_changes
    from services.dispatch.models import DispatchPlan

    for role in (Role.DISPATCHER, Role.OEM_SERVICE_MANAGER):
        actor = _demo_actor(role)
        with tenant_session(actor) as db:
            plan = db.exec(
                select(DispatchPlan)
                .where(DispatchPlan.status == "accepted")
                .order_by(DispatchPlan.accepted_at.desc())
            ).first()
            changes = plan_changes(db, plan)
        assert not changes["stale"], changes


def test_one_live_tick_moves_technicians_and_opens_a_ticket(service_day):
    from services.seed.live_day import tick

    positions = "SELECT id, latitude, longitude FROM technician ORDER BY id"
    stages = "SELECT id, status FROM ticket ORDER BY id"
    before_at, before_stage = _rows(positions), dict(_rows(stages))
    done = tick(random.Random(7), new_ticket_chance=1.0, move_share=1.0)
    after_stage = dict(_rows(stages))
    assert done.moved >= 10 and done.opened == 1
    assert _rows(positions) != before_at, "someone's position moved"
    moved = [i for i in before_stage if after_stage[i] != before_stage[i]]
    assert len(moved) >= 5
    new = [i for i in after_stage if i not in before_stage]
    assert len(new) == 1 and after_stage[new[0]] == "open"
