"""The demo catalog: the same seed gives the same realistic SKUs, all of which pass the
checks an OEM's own SKUs pass."""

from __future__ import annotations

import random
import uuid

from sqlalchemy import text

from services.catalog import rules
from services.catalog.demo import demo_catalog, demo_sku, seed_demo_catalog
from services.catalog.specs import CATEGORY_SPECS, check_specs
from services.catalog.vocab import CATEGORY_RISK
from services.db import system_session


def test_the_same_seed_gives_the_same_catalog():
    oems = [(uuid.uuid4(), "AAA"), (uuid.uuid4(), "BBB")]
    first = list(demo_catalog(oems, 200, seed=3))
    assert first == list(demo_catalog(oems, 200, seed=3))
    assert first != list(demo_catalog(oems, 200, seed=4))
    codes = [(tenant, sku["code"]) for tenant, sku in first]
    assert len(set(codes)) == 200, "codes are unique within each OEM"


def test_demo_skus_pass_the_catalog_checks():
    rng = random.Random(1)
    for number in range(1, 500):
        sku = demo_sku(rng, "DMO", number)
        assert rules.check_code(sku["code"]) == sku["code"]
        assert rules.check_category(sku["category"]) == sku["category"]
        assert sku["imdr_class"] == CATEGORY_RISK[sku["category"]]
        assert rules.check_gst_rate(sku["gst_rate"]) in (5, 12, 18)
        assert 1_000_00 <= sku["list_price_paise"] <= 12_00_00_000_00
        assert rules.check_datasheet_url(sku["datasheet_url"]) == sku["datasheet_url"]
        assert rules.check_attrs(sku["attrs"]) == sku["attrs"]
        assert check_specs(sku["category"], sku["specs"]) == sku["specs"]
        wanted = CATEGORY_SPECS.get(sku["category"], ())
        assert set(sku["specs"]) == set(wanted), "every relevant SKU states its figures"


def test_every_demo_mri_states_its_field_strength_in_its_specs_and_its_name():
    with system_session() as db:
        mris = db.execute(
            text(
                "SELECT s.name, s.specs FROM sku s JOIN tenant t ON t.id = s.tenant_id "
                "WHERE t.name LIKE '%(demo)' AND s.category = 'MRI'"
            )
        ).all()
    assert len(mris) > 3
    for name, specs in mris:
        tesla = specs["fieldStrengthT"]
        assert f"{tesla:g}T" in name, name
    assert sum(1 for _n, specs in mris if specs["fieldStrengthT"] == 1.5) >= 2


def _demo_oem_skus() -> int:
    with system_session() as db:
        return db.execute(
            text(
                "SELECT count(*) FROM sku s JOIN tenant t ON t.id = s.tenant_id "
                "WHERE t.kind = 'oem' AND t.name LIKE '%(demo)'"
            )
        ).scalar_one()


def test_seeding_the_demo_catalog_twice_adds_nothing_the_second_time():
    before = _demo_oem_skus()  # `prepare` seeded the first 300 already
    assert seed_demo_catalog(300) == 0
    assert seed_demo_catalog(340) == 40
    assert _demo_oem_skus() == before + 40
    assert seed_demo_catalog(340) == 0
    assert _demo_oem_skus() == before + 40
