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


class TooManyAttempts(DomainError):
    """Refused for now: too many failed sign-ins, or too many at once. `retry_after` is in
    seconds and the message says how long to wait."""

    code = "too_many_requests"

    def __init__(self, retry_after: int, message: str | None = None):
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            message or f"Too many failed sign-ins. Try again in {_wait_words(self.retry_after)}."
        )


def _wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = -(-minutes // 60)
    return f"{hours} hours"
