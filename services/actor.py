"""Who is acting: the user (or service account), their tenant and roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from services.errors import Forbidden


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    BUYER_ADMIN = "buyer_admin"
    BUYER_USER = "buyer_user"
    OEM_ADMIN = "oem_admin"
    OEM_SALES = "oem_sales"
    OEM_SERVICE_MANAGER = "oem_service_manager"
    DISPATCHER = "dispatcher"
    TECHNICIAN = "technician"
    LAB_STAFF = "lab_staff"


class TenantKind(StrEnum):
    HOSPITAL_CHAIN = "hospital_chain"
    LAB_CHAIN = "lab_chain"
    OEM = "oem"
    SERVICE_PARTNER = "service_partner"
    PLATFORM = "platform"


# The roles each kind of tenant may hold; a user's roles must fit their tenant.
ROLES_BY_TENANT_KIND: dict[TenantKind, frozenset[Role]] = {
    TenantKind.PLATFORM: frozenset({Role.PLATFORM_ADMIN}),
    TenantKind.HOSPITAL_CHAIN: frozenset({Role.BUYER_ADMIN, Role.BUYER_USER}),
    TenantKind.LAB_CHAIN: frozenset({Role.BUYER_ADMIN, Role.BUYER_USER, Role.LAB_STAFF}),
    TenantKind.OEM: frozenset(
        {Role.OEM_ADMIN, Role.OEM_SALES, Role.OEM_SERVICE_MANAGER, Role.DISPATCHER, Role.TECHNICIAN}
    ),
    TenantKind.SERVICE_PARTNER: frozenset(
        {Role.OEM_SERVICE_MANAGER, Role.DISPATCHER, Role.TECHNICIAN}
    ),
}

ROLE_LABELS: dict[Role, str] = {
    Role.PLATFORM_ADMIN: "Platform admin",
    Role.BUYER_ADMIN: "Procurement admin",
    Role.BUYER_USER: "Procurement",
    Role.OEM_ADMIN: "OEM admin",
    Role.OEM_SALES: "OEM sales",
    Role.OEM_SERVICE_MANAGER: "Service manager",
    Role.DISPATCHER: "Dispatcher",
    Role.TECHNICIAN: "Technician",
    Role.LAB_STAFF: "Lab staff",
}


@dataclass(frozen=True)
class Actor:
    """The caller of a service function. Services never read a global for this."""

    user_id: uuid.UUID | None
    tenant_id: uuid.UUID
    tenant_kind: TenantKind
    roles: frozenset[Role] = field(default_factory=frozenset)
    label: str = ""

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def require(self, *roles: Role) -> None:
        """Raise Forbidden unless the actor holds one of `roles`."""
        if not self.has_any(*roles):
            wanted = ", ".join(sorted(r.value for r in roles))
            raise Forbidden(f"This needs one of the roles: {wanted}")


def system_actor(tenant_id: uuid.UUID, tenant_kind: TenantKind, label: str = "system") -> Actor:
    """An actor for work the platform does by itself (seeding, workers)."""
    return Actor(user_id=None, tenant_id=tenant_id, tenant_kind=tenant_kind, label=label)
