"""Bearer tokens for API clients.

Local accounts get HS256 JWTs signed with the platform key. An OIDC provider
(Keycloak) plugs in as another verifier keyed by issuer: its RS256 tokens carry the
same claims (`tid`, `tkind`, `roles`), so routes and pages do not change.
"""

from __future__ import annotations

import time
import uuid

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from services.actor import Actor, Role, TenantKind
from services.errors import Unauthorized
from services.settings import get_settings

ISSUER = "yantra-local"


def _key() -> OctKey:
    return OctKey.import_key(get_settings().signing_key())


def issue_access_token(actor: Actor) -> tuple[str, int]:
    """A signed token for `actor` and its lifetime in seconds."""
    lifetime = get_settings().access_token_minutes * 60
    now = int(time.time())
    claims = {
        "iss": ISSUER, "sub": str(actor.user_id), "tid": str(actor.tenant_id),
        "tkind": actor.tenant_kind.value, "roles": sorted(r.value for r in actor.roles),
        "name": actor.label, "iat": now, "exp": now + lifetime, "jti": uuid.uuid4().hex,
    }
    return jwt.encode({"alg": "HS256"}, claims, _key()), lifetime


def verify_access_token(token: str) -> Actor:
    """The actor a token speaks for. Raises Unauthorized if it is forged, altered or expired."""
    try:
        decoded = jwt.decode(token, _key(), algorithms=["HS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER}, exp={"essential": True}
        ).validate(decoded.claims)
        claims = decoded.claims
        return Actor(
            user_id=uuid.UUID(claims["sub"]),
            tenant_id=uuid.UUID(claims["tid"]),
            tenant_kind=TenantKind(claims["tkind"]),
            roles=frozenset(Role(r) for r in claims.get("roles", [])),
            label=str(claims.get("name", "")),
        )
    except (JoseError, KeyError, ValueError) as exc:
        raise Unauthorized("The access token is invalid or has expired") from exc
