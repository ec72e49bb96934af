"""Search that forgives: a word that matches nothing does not empty the result, the trade's
synonyms and figures find the same SKUs, specifications are facets where they matter, and
an empty result says what would help."""

from __future__ import annotations

from tests.catalog.conftest import add_sku, search


def _codes(page: dict) -> list[str]:
    return [i["code"] for i in page["items"]]


def _mri(client, oem, name: str, tesla: float, **fields) -> dict:
    return add_sku(
        client,
        oem.headers,
        name=name,
        category="MRI",
        imdrClass="C",
        listPricePaise=6_00_00_000_00,
        specs={"fieldStrengthT": tesla},
        **fields,
    )


def test_a_word_that_matches_nothing_does_not_empty_the_result(client, auth, oem):
    both = add_sku(client, oem.headers, name="Quorra 5 Portable Ultrasound")
    one = add_sku(client, oem.headers, name="Quorra 7 Ultrasound")
    buyer = auth("buyer_user")
    found = search(client, buyer, q="quorra portable xyzzyq", oemId=oem.id)
    assert _codes(found) == [both["code"], one["code"]], "more words met, higher"
    assert found["total"] == 2 and found["fullMatches"] == 0
    assert found["unmatchedWords"] == ["xyzzyq"]


def test_mri_1_5_tesla_in_any_spelling_finds_the_1_5_t_mris_first(client, auth, oem):
    strong = _mri(client, oem, "Tavrix 3T MR Scanner", 3)
    first = _mri(client, oem, "Tavrix 88 MRI System", 1.5)
    second = _mri(client, oem, "Tavrix 1.5T MRI System", 1.5)
    ct = add_sku(client, oem.headers, name="Tavrix 64 CT Scanner", category="CT", imdrClass="C")
    buyer = auth("buyer_user")
    wanted = {first["code"], second["code"]}
    for query in ("MRi 1.5 tesla", "mri 1.5T", "1.5 t MRI", "magnetic resonance 1.5 Tesla"):
        found = search(client, buyer, q=query, oemId=oem.id)
        assert set(_codes(found)[:2]) == wanted, query
        assert found["fullMatches"] == 2, query
        assert strong["code"] in _codes(found), "the other MRIs follow"
        assert ct["code"] not in _codes(found)
    card = next(i for i in found["items"] if i["code"] == first["code"])
    assert card["specLines"] == [
        {"key": "fieldStrengthT", "label": "Field strength", "value": "1.5 T"}
    ]


def test_synonyms_of_the_trade_find_the_same_skus(client, auth, oem):
    made = {
        "mri": _mri(client, oem, "Synora Magnetic Resonance Imaging System", 3),
        "ct": add_sku(client, oem.headers, name="Synora 128 CT", category="CT", imdrClass="C"),
        "ecg": add_sku(
            client, oem.headers, name="Synora 12-lead ECG", category="ECG machine", imdrClass="B"
        ),
        "vent": add_sku(
            client,
            oem.headers,
            name="Synora Life Support Ventilator",
            category="Ventilator",
            imdrClass="C",
        ),
        "blood": add_sku(
            client,
            oem.headers,
            name="Synora Haematology Analyser",
            category="Haematology analyzer",
        ),
        "usg": add_sku(client, oem.headers, name="Synora Ultrasound"),
        "xray": add_sku(client, oem.headers, name="Synora DR X-ray", category="X-ray"),
    }
    buyer = auth("buyer_user")
    for query, key in (
        ("synora mri", "mri"),
        ("synora magnetic resonance", "mri"),
        ("synora computed tomography", "ct"),
        ("synora CT", "ct"),
        ("synora EKG", "ecg"),
        ("synora electrocardiograph", "ecg"),
        ("synora ventilator", "vent"),
        ("synora life support", "vent"),
        ("synora hematology analyzer", "blood"),
        ("synora USG", "usg"),
        ("synora radiography", "xray"),
    ):
        found = search(client, buyer, q=query, oemId=oem.id)
        assert found["items"][0]["code"] == made[key]["code"], query
        assert found["fullMatches"] == 1, query


def test_field_strength_is_a_facet_of_mri_results_and_filters_them(client, auth, oem):
    codes = {
        tesla: _mri(client, oem, f"Facetix {n} MRI", tesla)["code"]
        for n, tesla in enumerate((1.5, 3, 0.35))
    }
    add_sku(client, oem.headers, name="Facetix Monitor", category="Patient monitor")
    buyer = auth("buyer_user")
    found = search(client, buyer, q="facetix mri", oemId=oem.id)
    strength = {f["key"]: f for f in found["specFacets"]}["fieldStrengthT"]
    assert strength["label"] == "Field strength"
    assert [(v["label"], v["count"]) for v in strength["values"]] == [
        ("0.35 T", 1),
        ("1.5 T", 1),
        ("3 T", 1),
    ]
    narrowed = search(client, buyer, q="facetix mri", oemId=oem.id, spec="fieldStrengthT:1.5")
    assert _codes(narrowed) == [codes[1.5]]
    counts = {v["value"]: v["count"] for v in narrowed["specFacets"][0]["values"]}
    assert counts == {"0.35": 1, "1.5": 1, "3": 1}, "its own facet still offers the others"
    browsing = search(client, buyer, category="MRI", oemId=oem.id, spec="fieldStrengthT:3")
    assert _codes(browsing) == [codes[3]]
    any_category = search(client, buyer, oemId=oem.id, spec="fieldStrengthT:3")
    assert _codes(any_category) == [codes[3]]
    assert {e["value"]: e["count"] for e in any_category["facets"]["category"]} == {"MRI": 1}
    monitors = search(client, buyer, q="facetix monitor", oemId=oem.id)
    assert "fieldStrengthT" not in {f["key"] for f in monitors["specFacets"]}


def test_slice_count_is_the_facet_of_ct_results(client, auth, oem):
    for slices in (64, 128, 128):
        add_sku(
            client,
            oem.headers,
            name=f"Slicora {slices}-slice CT",
            category="CT",
            imdrClass="C",
            specs={"slices": slices},
        )
    buyer = auth("buyer_user")
    found = search(client, buyer, q="slicora computed tomography", oemId=oem.id)
    facet = found["specFacets"][0]
    assert (facet["key"], [(v["label"], v["count"]) for v in facet["values"]]) == (
        "slices",
        [("64 slices", 1), ("128 slices", 2)],
    )
    assert search(client, buyer, q="slicora 128 slice", oemId=oem.id)["fullMatches"] == 2


def test_an_empty_result_keeps_the_facets_and_suggests(client, auth, oem):
    add_sku(client, oem.headers, name="Emptor Ventilator", category="Ventilator", imdrClass="C")
    buyer = auth("buyer_user")
    narrowed = search(client, buyer, q="emptor", oemId=oem.id, riskClass="D")
    assert narrowed["total"] == 0
    assert narrowed["suggestion"]["withoutFilters"] == 1
    assert {e["value"]: e["count"] for e in narrowed["facets"]["riskClass"]} == {"C": 1, "D": 0}
    typo = search(client, buyer, q="wentilatorx", oemId=oem.id)
    assert typo["suggestion"].get("didYouMean") == "ventilator"


def test_specifications_are_checked_against_the_category(client, oem):
    for body, field in (
        ({"category": "MRI", "specs": {"slices": 64}}, "specs.slices"),
        ({"category": "MRI", "specs": {"fieldStrengthT": 40}}, "specs.fieldStrengthT"),
        ({"category": "CT", "specs": {"slices": 64.5}}, "specs.slices"),
        ({"category": "CT", "specs": {"slices": "many"}}, "specs.slices"),
    ):
        response = client.post(
            "/api/v1/skus",
            json={"code": "SPEC-BAD", "name": "Bad", "imdrClass": "C", "listPricePaise": 1} | body,
            headers=oem.headers,
        )
        assert response.status_code == 400, body
        assert response.json()["error"]["field"] == field
    ok = add_sku(
        client, oem.headers, category="MRI", imdrClass="C", specs={"fieldStrengthT": "1.5T"}
    )
    assert ok["specs"] == {"fieldStrengthT": 1.5}
    both = add_sku(
        client,
        oem.headers,
        category="MRI",
        imdrClass="C",
        specs={"rfChannels": 32, "fieldStrengthT": 3},
    )
    assert [line["value"] for line in both["specLines"]] == ["3 T", "32 channels"]
    changed = client.patch(
        f"/api/v1/skus/{ok['id']}", json={"specs": {"fieldStrengthT": 3}}, headers=oem.headers
    )
    assert changed.json()["specLines"][0]["value"] == "3 T"


def test_the_price_list_import_takes_specifications(client, oem):
    rows = (
        "code,name,category,risk_class,list_price_inr,specs\n"
        "IMP-MR1,Importa 1.5T MRI,MRI,C,65000000,fieldStrengthT=1.5;rfChannels=32\n"
        'IMP-CT1,Importa CT,CT,C,32000000,"{""slices"": 128}"\n'
        "IMP-CT2,Importa CT Two,CT,C,32000000,fieldStrengthT=3\n"
    )
    response = client.post(
        "/api/v1/skus/import",
        files={"file": ("prices.csv", rows.encode(), "text/csv")},
        headers=oem.headers,
    )
    report = response.json()
    assert (report["created"], report["failed"]) == (2, 1)
    assert report["errors"][0]["line"] == 4
    assert report["errors"][0]["column"] == "specs.fieldStrengthT"
    mine = client.get("/api/v1/skus", params={"mine": True}, headers=oem.headers).json()["skus"]
    assert {s["code"]: s["specs"] for s in mine} == {
        "IMP-CT1": {"slices": 128},
        "IMP-MR1": {"fieldStrengthT": 1.5, "rfChannels": 32},
    }
