"""Searching the audit trail: what each admin sees, the filters' words, India's dates."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.actor import Role, TenantKind
from services.audit.search import AuditFilter, search, to_csv
from services.common.clock import today_ist
from services.db import tenant_session
from services.errors import Invalid
from services.identity import admin as accounts
from tests.factories import make_org, platform_admin


def _invite(org) -> None:
    with tenant_session(org.actor) as db:
        accounts.invite_user(
            db,
            org.actor,
            org.tenant.id,
            f"p.{uuid.uuid4().hex[:6]}@test.yantra.in",
            "P",
            ["buyer_user"],
        )


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"organisation": "acme"}, "organisation"),
        ({"user": "42"}, "user"),
        ({"since": "01/12/2026"}, "from"),
        ({"until": "yesterday"}, "to"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "to"),
    ],
)
def test_a_bad_filter_names_its_field(fields, field):
    with pytest.raises(Invalid) as refused:
        AuditFilter.parse(**fields)
    assert refused.value.field == field


def test_all_and_empty_mean_any():
    assert AuditFilter.parse("all", "all", "all", "", "") == AuditFilter()
    assert AuditFilter.parse("", "", "", "", "") == AuditFilter()


def test_the_platform_sees_every_organisation_and_filters_by_one():
    first = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    second = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    _invite(first)
    _invite(second)
    admin = platform_admin()
    today = today_ist()
    with tenant_session(admin) as db:
        rows, total = search(
            db, AuditFilter(tenant_id=first.tenant.id, action="user.invite", since=today), 10
        )
        csv = to_csv(db, AuditFilter(tenant_id=second.tenant.id), {second.tenant.id: "Second"})
    assert total == 1 and rows[0].tenant_id == first.tenant.id
    assert csv.count("\n") >= 3 and "Second" in csv
    with tenant_session(first.actor) as db:
        _rows, theirs = search(db, AuditFilter(tenant_id=second.tenant.id))
        _rows, mine = search(db, AuditFilter(action="user.invite"))
    assert (theirs, mine) == (0, 1)


def test_dates_are_india_dates():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    _invite(org)
    today = today_ist()
    with tenant_session(org.actor) as db:
        _r, on_the_day = search(db, AuditFilter(action="user.invite", since=today, until=today))
        _r, before = search(db, AuditFilter(action="user.invite", until=date(2020, 1, 1)))
    assert (on_the_day, before) == (1, 0)
