"""Database engines and sessions.

Two connections exist: the owner (migrations, seeding, the outbox relay and audit
verification) and the application role, which owns no table and is bound by
row-level security. Every application transaction carries its tenant in
`app.tenant_id`, set with `set_config(..., true)` (the same as `SET LOCAL`), so a
pooled connection never leaks one tenant's context into the next transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from services.actor import Actor
from services.errors import Invalid
from services.settings import get_settings


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def owner_url() -> str:
    url = get_settings().database_url
    if not url:
        raise Invalid("DATABASE_URL", "is not set; `make run` starts an embedded PostgreSQL")
    return _sqlalchemy_url(url)


def app_url() -> str:
    """The application role's URL: APP_DATABASE_URL, or DATABASE_URL with the app role."""
    settings = get_settings()
    if settings.app_database_url:
        return _sqlalchemy_url(settings.app_database_url)
    url = make_url(owner_url()).set(
        username=settings.app_db_role,
        password=settings.app_db_password.get_secret_value(),
    )
    return url.render_as_string(hide_password=False)


@lru_cache(maxsize=8)
def _engine(url: str, pool_size: int) -> Engine:
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=10)


def app_engine() -> Engine:
    return _engine(app_url(), 5)


def owner_engine() -> Engine:
    return _engine(owner_url(), 2)


def reset_engines() -> None:
    """Forget cached engines (after settings change, in tests and forked workers)."""
    _engine.cache_clear()


@event.listens_for(Session, "after_begin")
def _bind_tenant(session: Session, transaction, connection) -> None:
    tenant_id = session.info.get("tenant_id")
    if tenant_id:
        # The user too: session rows and identity functions check who is asking.
        actor = session.info.get("actor")
        user_id = str(actor.user_id) if actor is not None and actor.user_id else ""
        connection.exec_driver_sql(
            "SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)",
            (str(tenant_id), user_id),
        )


@contextmanager
def tenant_session(actor: Actor) -> Iterator[Session]:
    """A session (one unit of work) as the application role, scoped to the actor's tenant.

    Commits when the block ends, rolls back on any error.
    """
    session = Session(app_engine(), expire_on_commit=False)
    session.info["tenant_id"] = str(actor.tenant_id)
    session.info["actor"] = actor
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def public_session() -> Iterator[Session]:
    """A read session as the application role with no tenant: reference data only."""
    session = Session(app_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def system_session() -> Iterator[Session]:
    """A session as the owner, for migrations' companions: seeding, relay, verification."""
    session = Session(owner_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
