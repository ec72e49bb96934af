"""Bearer tokens for API clients.

Local accounts get HS256 JWTs signed with the platform key. An OIDC provider
(Keycloak) plugs in as another verifier keyed by issuer: its RS256 tokens carry the
same claims (`tid`, `tkind`, `roles`), so routes and pages do not change.

Every token also names its account's token generation (`gen`); a token of an ended
generation (signed out, disabled, roles or password changed) is refused.
"""

from __future__ import annotations

import time
import uuid

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from services.actor import Actor, Role, TenantKind
from services.errors import Unauthorized
from services.identity.credentials import (
    account_state,
    check_current,
    check_current_async,
    forget,
)
from services.settings import get_settings

ISSUER = "yantra-local"


def _key() -> OctKey:
    return OctKey.import_key(get_settings().signing_key())


def issue_access_token(actor: Actor) -> tuple[str, int]:
    """A signed token for `actor` and its lifetime in seconds. Raises Unauthorized when
    the account is no longer active."""
    forget(actor.user_id)  # a fresh look: the token must carry the current generation
    state = account_state(actor)
    if not state.is_active:
        raise Unauthorized("Wrong e-mail or password")
    lifetime = get_settings().access_token_minutes * 60
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": str(actor.user_id),
        "tid": str(actor.tenant_id),
        "tkind": actor.tenant_kind.value,
        "roles": sorted(r.value for r in actor.roles),
        "name": actor.label,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "gen": state.generation,
    }
    return jwt.encode({"alg": "HS256"}, claims, _key()), lifetime


def read_access_token(token: str) -> tuple[Actor, int]:
    """The actor a token speaks for and its token generation, from the signature and
    claims alone. Raises Unauthorized if it is forged, altered or expired."""
    try:
        decoded = jwt.decode(token, _key(), algorithms=["HS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER}, exp={"essential": True}
        ).validate(decoded.claims)
        claims = decoded.claims
        actor = Actor(
            user_id=uuid.UUID(claims["sub"]),
            tenant_id=uuid.UUID(claims["tid"]),
            tenant_kind=TenantKind(claims["tkind"]),
            roles=frozenset(Role(r) for r in claims.get("roles", [])),
            label=str(claims.get("name", "")),
        )
        return actor, int(claims.get("gen", 0))
    except (JoseError, KeyError, ValueError, TypeError) as exc:
        raise Unauthorized("The access token is invalid or has expired") from exc


def verify_access_token(token: str) -> Actor:
    """The actor a token speaks for. Raises Unauthorized if it is forged, altered, expired
    or ended (signed out, account disabled)."""
    actor, generation = read_access_token(token)
    return check_current(actor, generation)


async def verify_access_token_async(token: str) -> Actor:
    """`verify_access_token` for async routes: the account is looked up off the event loop,
    and only when this process does not remember it."""
    actor, generation = read_access_token(token)
    return await check_current_async(actor, generation)
