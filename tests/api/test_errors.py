"""An unexpected failure answers 500 in the common error shape, without internals."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.api import create_api


def test_unexpected_error_is_a_plain_500_with_request_id():
    api = create_api()

    @api.get("/api/v1/boom-for-test")
    def boom():
        raise RuntimeError("password=hunter2 at /srv/secret/path.py line 42")

    client = TestClient(api, raise_server_exceptions=False)
    response = client.get("/api/v1/boom-for-test")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal"
    assert error["requestId"] == response.headers["x-request-id"]
    assert "hunter2" not in response.text and "secret" not in response.text
    assert "Traceback" not in response.text
