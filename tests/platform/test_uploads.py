"""Uploads are cut off while they stream: the server stops reading at the limit instead of
taking the whole body and measuring it afterwards."""

from __future__ import annotations

import io

import httpx
import pytest
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.api import create_api
from app.api.uploads import PageUploadLimit
from services.catalog.importer import MAX_BYTES as PRICE_LIST_BYTES
from services.errors import TooLarge
from services.uploads import CHUNK, PHOTO_BYTES, body_limit, read_upload
from tests.aio import run_async

MB = 2**20
BOUNDARY = "yantra-test-boundary"


class Sender:
    """A multipart body of one file of `size` bytes, made only as the server asks for it,
    counting what the server took."""

    def __init__(self, size: int, chunk: int = MB):
        self.size, self.chunk, self.sent = size, chunk, 0

    async def body(self):
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        self.sent += len(head)
        yield head
        left = self.size
        while left > 0:
            part = b"x" * min(self.chunk, left)
            left -= len(part)
            self.sent += len(part)
            yield part
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.sent += len(tail)
        yield tail


async def _post(app, path: str, sender: Sender, headers: dict) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://yantra.test") as http:
        return await http.post(
            path,
            content=sender.body(),
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **headers},
        )


def test_an_oversized_price_list_is_refused_after_reading_only_up_to_the_limit(auth):
    sender = Sender(size=64 * PRICE_LIST_BYTES)  # 1.25 GB if it were all read
    response = run_async(_post(create_api(), "/api/v1/skus/import", sender, auth("oem_admin")))
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "20 MB" in error["message"]
    assert sender.sent <= body_limit(PRICE_LIST_BYTES) + 2 * MB


def test_a_declared_length_over_the_limit_is_refused_before_any_byte_is_read(auth):
    sender = Sender(size=64 * PRICE_LIST_BYTES)
    headers = {**auth("oem_admin"), "Content-Length": str(64 * PRICE_LIST_BYTES + 200)}
    response = run_async(_post(create_api(), "/api/v1/skus/import", sender, headers))
    assert response.status_code == 413
    assert sender.sent == 0


def test_a_price_list_within_the_limit_still_goes_in(client, auth):
    response = client.post(
        "/api/v1/skus/import",
        headers=auth("oem_admin"),
        files={"file": ("prices.csv", b"code,name\n", "text/csv")},
    )
    assert response.status_code != 413


async def _form_reader(request: Request) -> JSONResponse:
    """Parses the whole form before it answers, as Reflex's upload endpoint does."""
    form = await request.form()
    size = len(await form["file"].read())
    await form.close()
    return JSONResponse({"size": size})


PAGE = PageUploadLimit(Starlette(routes=[Route("/_upload", _form_reader, methods=["POST"])]))
PHOTO_HANDLER = "reflex___state____state.state___tickets____ticket_state.post_comment"


def test_a_photo_upload_from_a_page_is_cut_off_at_the_photo_limit():
    sender = Sender(size=16 * PHOTO_BYTES)
    response = run_async(_post(PAGE, "/_upload", sender, {"reflex-event-handler": PHOTO_HANDLER}))
    assert response.status_code == 413
    assert sender.sent <= body_limit(PHOTO_BYTES) + 2 * MB
    small = Sender(size=100_000)
    response = run_async(_post(PAGE, "/_upload", small, {"reflex-event-handler": PHOTO_HANDLER}))
    assert response.status_code == 200 and response.json() == {"size": 100_000}


def test_a_page_handler_stops_reading_a_file_at_its_limit():
    upload = UploadFile(io.BytesIO(b"x" * (3 * MB)), filename="big.csv")
    with pytest.raises(TooLarge) as refused:
        run_async(read_upload(upload, MB, "price list"))
    assert "price list is larger than 1 MB" in refused.value.message
    assert upload.file.tell() <= MB + CHUNK
    upload = UploadFile(io.BytesIO(b"x" * MB), filename="ok.csv")
    assert len(run_async(read_upload(upload, MB, "price list"))) == MB
