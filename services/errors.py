"""The small family of domain errors. One place maps them to HTTP, one to UI toasts."""

from __future__ import annotations


class DomainError(Exception):
    """Base of all errors a user can act on."""

    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthorized(DomainError):
    code = "unauthorized"


class TooLarge(DomainError):
    """An upload over its limit, stopped while it streamed."""

    code = "too_large"


class Invalid(DomainError):
    """Bad input: `field` names what to fix."""

    code = "invalid"

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
