"""Buyers search the catalog: typos forgiven, codes first, facets that add up, and
pages that walk every match exactly once."""

from __future__ import annotations

from sqlalchemy import text

from services.catalog.models import PRICE_BANDS, price_band
from services.db import system_session
from tests.catalog.conftest import add_sku, search, unique_code


def _counts(facet: list[dict]) -> dict[str, int]:
    return {entry["value"]: entry["count"] for entry in facet}


def test_misspelt_words_still_find_the_device(client, auth, oem):
    vent = add_sku(
        client, oem.headers, name="Zorvex 300 ICU Ventilator", category="Ventilator", imdrClass="C"
    )
    scan = add_sku(client, oem.headers, name="Zorvex 9 Colour Doppler Ultrasound")
    blood = add_sku(
        client,
        oem.headers,
        name="Zorvex 5-part Haematology Analyzer",
        category="Haematology analyzer",
    )
    buyer = auth("buyer_user")
    for query, wanted in (
        ("ventilater", vent),
        ("ultrasond", scan),
        ("hematology", blood),
        ("haematology analyser", blood),
        ("zorvex ventilater icu", vent),
    ):
        found = search(client, buyer, q=query, oemId=oem.id)
        assert found["items"][0]["code"] == wanted["code"], query
        assert found["fullMatches"] == 1, query


def test_words_match_as_prefixes_and_the_exact_code_comes_first(client, auth, oem):
    target = add_sku(
        client,
        oem.headers,
        code=unique_code("ZQ"),
        name="Quillon 4 Syringe Pump",
        category="Syringe pump",
        imdrClass="C",
    )
    add_sku(
        client,
        oem.headers,
        name=f"Quillon {target['code']} adapter kit",
        category="Infusion pump",
        imdrClass="C",
    )
    buyer = auth("buyer_user")
    prefixes = search(client, buyer, q="quill syri", oemId=oem.id)
    assert prefixes["fullMatches"] == 1
    assert prefixes["items"][0]["code"] == target["code"]
    found = search(client, buyer, q=target["code"].lower())
    assert found["items"][0]["code"] == target["code"]
    assert found["total"] >= 2, "the kit naming the code matches too, after it"


def test_facets_count_the_filtered_matches(client, auth, oem):
    for name, category, risk, rupees in (
        ("Facetra Ultrasound A", "Ultrasound", "B", 80_000),
        ("Facetra Ultrasound B", "Ultrasound", "B", 12_00_000),
        ("Facetra Ultrasound C", "Ultrasound", "B", 40_00_000),
        ("Facetra Ventilator A", "Ventilator", "C", 9_00_000),
        ("Facetra Ventilator B", "Ventilator", "C", 15_00_000),
        ("Facetra MRI", "MRI", "C", 6_00_00_000),
    ):
        add_sku(
            client,
            oem.headers,
            name=name,
            category=category,
            imdrClass=risk,
            listPricePaise=rupees * 100,
        )
    buyer = auth("buyer_user")
    everything = search(client, buyer, q="facetra", oemId=oem.id)
    assert everything["total"] == 6
    assert _counts(everything["facets"]["category"]) == {"Ultrasound": 3, "Ventilator": 2, "MRI": 1}
    assert _counts(everything["facets"]["priceBand"]) == {
        "under_1l": 1,
        "1l_10l": 1,
        "10l_1cr": 3,
        "over_1cr": 1,
    }

    class_c = search(client, buyer, q="facetra", oemId=oem.id, riskClass="C")
    assert class_c["total"] == 3
    assert {i["category"] for i in class_c["items"]} == {"Ventilator", "MRI"}
    # Other facets count within class C; the risk facet itself still offers class B.
    assert _counts(class_c["facets"]["category"]) == {"Ventilator": 2, "MRI": 1}
    assert _counts(class_c["facets"]["priceBand"]) == {"1l_10l": 1, "10l_1cr": 1, "over_1cr": 1}
    assert _counts(class_c["facets"]["riskClass"]) == {"B": 3, "C": 3}
    assert _counts(class_c["facets"]["oem"]) == {oem.id: 3}

    narrow = search(
        client, buyer, q="facetra", oemId=oem.id, riskClass="C", priceBand=["10l_1cr", "over_1cr"]
    )
    assert sorted(i["name"] for i in narrow["items"]) == ["Facetra MRI", "Facetra Ventilator B"]


def test_browsing_facets_follow_price_changes_and_withdrawals(client, auth, oem):
    """Without a query the counts come from totals the database keeps; they must move
    with every change."""
    first = add_sku(
        client,
        oem.headers,
        name="Browsa Monitor",
        category="Patient monitor",
        listPricePaise=50_000_00,
    )
    add_sku(
        client,
        oem.headers,
        name="Browsa Monitor Plus",
        category="Patient monitor",
        listPricePaise=60_000_00,
    )
    buyer = auth("buyer_user")
    before = search(client, buyer, oemId=oem.id)
    assert before["total"] == 2
    assert _counts(before["facets"]["priceBand"]) == {"under_1l": 2}
    patched = client.patch(
        f"/api/v1/skus/{first['id']}", json={"listPricePaise": 2_50_000_00}, headers=oem.headers
    )
    assert patched.status_code == 200, patched.text
    moved = search(client, buyer, oemId=oem.id)
    assert _counts(moved["facets"]["priceBand"]) == {"under_1l": 1, "1l_10l": 1}
    assert client.delete(f"/api/v1/skus/{first['id']}", headers=oem.headers).status_code == 200
    after = search(client, buyer, oemId=oem.id)
    assert after["total"] == 1
    assert _counts(after["facets"]["priceBand"]) == {"under_1l": 1}
    assert search(client, buyer, q="browsa", oemId=oem.id)["total"] == 1


def _walk(client, headers, **params) -> tuple[list[str], int, int]:
    """Every page of a search, following the cursors: (codes in order, total, pages)."""
    codes, after, pages = [], None, 0
    while True:
        page = search(client, headers, first=7, **params, **({"after": after} if after else {}))
        codes += [i["code"] for i in page["items"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            return codes, page["total"], pages
        after = page["pageInfo"]["endCursor"]


def test_cursors_walk_every_match_exactly_once(client, auth, oem):
    made = {
        add_sku(
            client,
            oem.headers,
            name=f"Pagina {n % 4} Infusion Pump",
            category="Infusion pump",
            imdrClass="C",
        )["code"]
        for n in range(23)
    }
    buyer = auth("buyer_user")
    for params in (
        {"oemId": oem.id},
        {"q": "pagina infusion", "oemId": oem.id},
        {"q": "pagina", "riskClass": "C", "oemId": oem.id},
    ):
        codes, total, pages = _walk(client, buyer, **params)
        assert (sorted(codes), total, pages) == (sorted(made), 23, 4), params


def test_bad_search_parameters_are_refused_naming_the_parameter(client, auth, oem):
    add_sku(client, oem.headers, name="Cursora Pump")
    add_sku(client, oem.headers, name="Cursora Pump Two")
    buyer = auth("buyer_user")
    page = search(client, buyer, q="cursora", first=1)
    assert page["pageInfo"]["hasNextPage"]
    cases = [
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"first": "ten"}, "first"),
        ({"riskClass": "E"}, "riskClass"),
        ({"priceBand": "cheap"}, "priceBand"),
        ({"oemId": "acme"}, "oemId"),
        ({"after": "not-a-cursor"}, "after"),
        ({"q": "other words", "after": page["pageInfo"]["endCursor"]}, "after"),
        ({"q": "x" * 201}, "q"),
    ]
    for params, field in cases:
        response = client.get("/api/v1/skus/search", params=params, headers=buyer)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["error"]["field"] == field, params


def test_search_needs_a_signed_in_caller(client):
    assert client.get("/api/v1/skus/search", params={"q": "mri"}).status_code == 401


def test_the_database_draws_the_price_bands_where_the_facets_say():
    edges = sorted(
        {
            edge + step
            for _k, _l, low, high in PRICE_BANDS
            for edge in (low, high)
            if edge is not None
            for step in (-1, 0, 1)
            if edge + step >= 0
        }
    )
    with system_session() as db:
        drawn = dict(
            db.execute(
                text("SELECT p, sku_price_band(p) FROM unnest(CAST(:p AS bigint[])) AS p"),
                {"p": edges},
            ).all()
        )
    assert drawn == {paise: price_band(paise) for paise in edges}
