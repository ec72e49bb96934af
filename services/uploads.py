"""Uploads: read with a size limit while they stream, and photos recognised by content.

Every upload (ticket photos, catalog, directory and device imports) is read through
`read_upload` or `read_file`, which stop at the first chunk past the limit instead of
reading the whole file and measuring it afterwards. The web layer also caps the request
body itself (`body_limit`), so an oversized request is cut off before it is spooled.
"""

from __future__ import annotations

import io
from typing import BinaryIO, Protocol

from services.errors import Invalid, TooLarge

CHUNK = 64 * 1024
# Room for the multipart framing (boundaries, part headers, small fields) around a file.
MULTIPART_SLACK = 64 * 1024
PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class AsyncReadable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


def body_limit(file_limit: int) -> int:
    """The most a request carrying one file of at most `file_limit` bytes may send."""
    return file_limit + MULTIPART_SLACK


def megabytes(limit: int) -> str:
    return f"{limit / 2**20:g} MB"


class SizeLimit:
    """A running total of what was read; raises TooLarge as soon as it passes `limit`."""

    def __init__(self, limit: int, what: str):
        self.limit, self.what, self.total = limit, what, 0
        self._parts: list[bytes] = []

    def take(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self.limit:
            raise TooLarge(
                f"The {self.what} is larger than {megabytes(self.limit)}; "
                "send a smaller one or split it"
            )
        self._parts.append(chunk)

    def data(self) -> bytes:
        return b"".join(self._parts)


async def read_upload(upload: AsyncReadable, limit: int, what: str = "file") -> bytes:
    """The bytes of an uploaded file (anything with an async `read(size)`, such as a
    Reflex or Starlette UploadFile), read in chunks. Raises TooLarge at the first chunk
    past `limit`, having read at most one chunk more than the limit."""
    seen = SizeLimit(limit, what)
    while chunk := await upload.read(CHUNK):
        seen.take(chunk)
    return seen.data()


def read_file(stream: BinaryIO, limit: int, what: str = "file") -> bytes:
    """`read_upload` for a file object read synchronously (a worker thread's route)."""
    seen = SizeLimit(limit, what)
    while chunk := stream.read(CHUNK):
        seen.take(chunk)
    return seen.data()


def photo_type(data: bytes) -> str:
    """The content type of a photo, judged by its content (never its name or the type the
    browser declared). Raises Invalid("photo") unless it is a whole JPEG, PNG or WebP image."""
    from PIL import Image, UnidentifiedImageError

    refusal = Invalid(
        "photo", "is not a JPEG, PNG or WebP image (its content was checked, not its name)"
    )
    if not data:
        raise refusal
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise refusal from exc
    if kind not in PHOTO_TYPES:
        raise refusal
    return PHOTO_TYPES[kind]
