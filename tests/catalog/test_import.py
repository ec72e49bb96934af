"""OEMs import price lists: bad rows reported with line, column and reason, good rows
in, and importing again updates instead of duplicating."""

from __future__ import annotations

from tests.catalog.conftest import search

HEADER = (
    "code,name,category,risk_class,list_price_inr,gst_rate,description,datasheet_url,attributes"
)


def _price_list(price: str = "12,50,000") -> bytes:
    rows = [
        HEADER,
        f'IMP-US1,Importa 1 Ultrasound,Ultrasound,B,"{price}",12,Portable,'
        "https://example.in/us1.pdf,probes=3;portable=true",
        'IMP-VT2,Importa 2 ICU Ventilator,ventilator,c,890000.50,12,"Adult, paediatric",,'
        '"{""mode"": ""invasive""}"',
        "IMP-BAD3,Importa 3 Monitor,Patient monitor,E,45000,12,,,",
        "IMP-BAD4,Importa 4 Monitor,Patient monitor,B,forty,12,,,",
        "IMP-BAD5,Importa 5 Monitor,Patient monitor,B,45000,7,,,",
        "IMP-BAD6,Importa 6 Monitor,Patient monitor,B,45000,12,,ftp://x,",
        "IMP-BAD7,Importa 7 Monitor,Patient monitor,B,45000,12,,,probes",
        ",Importa 8 Monitor,Patient monitor,B,45000,12,,,",
        "IMP-US1,Importa 1 again,Ultrasound,B,1,12,,,",
        "IMP-PM9,Importa 9 Patient Monitor,Patient monitor,B,45000,,,,",
    ]
    return ("\n".join(rows) + "\n").encode()


def _upload(client, headers, content: bytes):
    return client.post(
        "/api/v1/skus/import", headers=headers, files={"file": ("prices.csv", content, "text/csv")}
    )


def test_bad_rows_are_reported_and_good_rows_go_in(client, auth, oem):
    response = _upload(client, oem.headers, _price_list())
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["updated"], report["failed"]) == (10, 3, 0, 7)
    problems = {(e["line"], e["column"]) for e in report["errors"]}
    assert problems == {
        (4, "risk_class"),
        (5, "list_price_inr"),
        (6, "gst_rate"),
        (7, "datasheet_url"),
        (8, "attributes"),
        (9, "code"),
        (10, "code"),
    }
    assert all(e["reason"] for e in report["errors"])

    found = search(client, auth("buyer_user"), q="importa", oemId=oem.id, first=10)["items"]
    by_code = {i["code"]: i for i in found}
    assert sorted(by_code) == ["IMP-PM9", "IMP-US1", "IMP-VT2"]
    assert (by_code["IMP-US1"]["listPricePaise"], by_code["IMP-US1"]["attrs"]) == (
        12_50_000_00,
        {"probes": 3, "portable": True},
    )
    assert (
        by_code["IMP-VT2"]["category"],
        by_code["IMP-VT2"]["imdrClass"],
        by_code["IMP-VT2"]["listPricePaise"],
        by_code["IMP-VT2"]["attrs"],
    ) == ("Ventilator", "C", 8_90_000_50, {"mode": "invasive"})
    assert by_code["IMP-PM9"]["gstRate"] == "12.00", "GST defaults to 12 per cent"


def test_importing_again_updates_and_never_duplicates(client, auth, oem):
    assert _upload(client, oem.headers, _price_list()).json()["created"] == 3
    same = _upload(client, oem.headers, _price_list()).json()
    assert (same["created"], same["updated"], same["unchanged"]) == (0, 0, 3)
    cheaper = _upload(client, oem.headers, _price_list(price="11,00,000")).json()
    assert (cheaper["created"], cheaper["updated"], cheaper["unchanged"]) == (0, 1, 2)
    found = search(client, auth("buyer_user"), q="importa", oemId=oem.id, first=10)
    assert found["total"] == 3
    prices = {i["code"]: i["listPricePaise"] for i in found["items"]}
    assert prices["IMP-US1"] == 11_00_000_00


def test_a_file_that_cannot_be_read_is_refused_as_a_whole(client, oem):
    for content, needle in (
        (b"code,name,price\nA,B,1\n", "risk_class"),
        (HEADER.encode() + b",colour\n", "colour"),
        ("\ufeffcode,name\n".encode("utf-16"), "UTF-8"),
        (b"", "empty"),
    ):
        response = _upload(client, oem.headers, content)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["field"] == "file" and needle in error["message"], error
