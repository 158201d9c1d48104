"""The Kota Mojokerto demo seed: what it creates, that every identifier is valid, and its commands."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import delete, func, select

from marketplace.accounts.auth import verify_password
from marketplace.accounts.models import Role, SellerProfile, User
from marketplace.agencies.models import Agency
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.core import validators
from marketplace.demo import DEMO_PASSWORD, DemoDataExists, seed_demo
from marketplace.demo.identities import KBLI
from marketplace.reference.regions import child_regions, get_region
from tests.factories import UserFactory

KELURAHAN = sorted(village.name for district in child_regions("35.76") for village in child_regions(district.code))
LOGIN_PATTERNS = {
    Role.OPERATOR: r"operator@demo\.test",
    Role.COOP_MANAGER: r"pengurus\.(?P<kel>[a-z]+)@demo\.test",
    Role.SELLER: r"penjual\.(?P<kel>[a-z]+)\.(?P<n>[1-9]\d*)@demo\.test",
    Role.PP: r"pp\.(?P<unit>dinsos|dindik|setda)@demo\.test",
    Role.PPK: r"ppk\.(?P<unit>dinsos|dindik|setda)@demo\.test",
    Role.BENDAHARA: r"bendahara\.(?P<unit>dinsos|dindik|setda)@demo\.test",
}


@pytest.fixture
def seeded(db):
    return seed_demo(products=False)  # the products are tested in test_catalog_seed.py (a minute to seed)


def slug(name: str) -> str:
    return name.lower().replace(" ", "")


def test_kota_mojokerto_has_eighteen_kelurahan() -> None:
    assert len(KELURAHAN) == 18
    assert "Gununggedangan" in KELURAHAN


def test_one_cooperative_per_kelurahan_named_after_it(seeded, db) -> None:
    cooperatives = db.session.scalars(select(Cooperative).order_by(Cooperative.name)).all()
    assert seeded.cooperatives == 18
    assert [c.name for c in cooperatives] == [f"KKMP {name}" for name in KELURAHAN]
    for cooperative in cooperatives:
        region = get_region(cooperative.region_code)
        assert region is not None and region.level == 4
        assert cooperative.name == f"KKMP {region.name}"
        assert cooperative.region_code.startswith("35.76.")
        assert cooperative.code == f"kkmp-{slug(region.name)}"
        assert cooperative.bank_name and cooperative.bank_account_number and cooperative.datafeed_key
    assert 0 < sum(c.is_pkp for c in cooperatives) < 18  # some PKP, not all


def test_each_cooperative_has_a_manager_and_a_few_members_with_a_queue(seeded, db) -> None:
    for cooperative in db.session.scalars(select(Cooperative)):
        kel = cooperative.code.removeprefix("kkmp-")
        managers = db.session.scalars(select(User).where(User.cooperative_id == cooperative.id)).all()
        assert [m.email for m in managers] == [f"pengurus.{kel}@demo.test"]
        assert managers[0].roles == {Role.COOP_MANAGER}
        memberships = db.session.scalars(select(Membership).where(Membership.cooperative_id == cooperative.id)).all()
        statuses = Counter(m.status for m in memberships)
        assert 3 <= len(memberships) <= 6
        assert 1 <= statuses["pending"] <= 2
        assert statuses["active"] >= 1
        emails = sorted(m.user.email for m in memberships)
        assert emails == [f"penjual.{kel}.{n}@demo.test" for n in range(1, len(memberships) + 1)]
        for membership in memberships:
            if membership.status != "pending":
                assert membership.decided_by == managers[0] and membership.decided_at is not None
    suspended = db.session.scalars(select(Membership).where(Membership.status == "suspended")).all()
    assert len(suspended) == 1 and suspended[0].status_reason


def test_city_government_with_three_work_units_and_buyers(seeded, db) -> None:
    agency = db.session.scalars(select(Agency)).one()
    assert (agency.name, agency.kind, agency.region_code) == ("Pemerintah Kota Mojokerto", "pemda_kota", "35.76")
    units = {unit.short_code: unit for unit in agency.work_units}
    assert set(units) == {"dinsos", "dindik", "setda"}
    assert {unit.name for unit in units.values()} == {"Dinas Sosial", "Dinas Pendidikan", "Sekretariat Daerah"}
    for code, unit in units.items():
        assert unit.kode_satker.isdigit()
        validators.check_npwp(unit.npwp)
        buyers = db.session.scalars(select(User).where(User.work_unit_id == unit.id)).all()
        assert {(b.email, frozenset(b.roles)) for b in buyers} == {
            (f"pp.{code}@demo.test", frozenset({Role.PP})),
            (f"ppk.{code}@demo.test", frozenset({Role.PPK})),
            (f"bendahara.{code}@demo.test", frozenset({Role.BENDAHARA})),
        }
    assert len({unit.kode_satker for unit in units.values()}) == 3


def test_every_login_follows_the_pattern_and_the_demo_password_works(seeded, db) -> None:
    users = db.session.scalars(select(User)).all()
    assert seeded.users == len(users) == 1 + 18 + seeded.members + 9
    for user in users:
        (role,) = user.roles
        match = re.fullmatch(LOGIN_PATTERNS[role], user.email)
        assert match, user.email
        if "kel" in match.groupdict():
            assert match["kel"] in {slug(name) for name in KELURAHAN}
        assert user.is_active
    assert len({u.full_name for u in users}) == len(users)  # no namesakes
    assert len({u.password_hash for u in users}) == 1  # hashed once
    assert verify_password(users[0].password_hash, DEMO_PASSWORD)
    assert not verify_password(users[0].password_hash, "wrong-password")


def test_every_identifier_is_valid(seeded, db) -> None:
    profiles = db.session.scalars(select(SellerProfile)).all()
    assert len(profiles) == seeded.members
    for profile in profiles:
        assert validators.check_nib(profile.nib) == profile.nib
        assert validators.check_npwp(profile.npwp) == profile.npwp
        assert validators.check_nik(profile.nik) == profile.nik
        kecamatan = profile.region_code.rsplit(".", 1)[0]
        assert profile.nik.startswith(kecamatan.replace(".", ""))
        assert profile.nik[:6] in {"357601", "357602", "357603"}
        assert validators.check_region(profile.region_code, level=4) == profile.region_code
        assert get_region(profile.region_code).name in profile.address
        assert validators.check_kbli_list(profile.kbli_codes) == profile.kbli_codes
        assert set(profile.kbli_codes) <= set(KBLI)  # codes with their KBLI 2020 titles
        assert profile.skala_usaha in {"mikro", "kecil", "menengah"}
        assert profile.bank_name and profile.bank_account_number.isdigit()
        assert validators.check_phone(profile.user.phone) == profile.user.phone
    for cooperative in db.session.scalars(select(Cooperative)):
        validators.check_nib(cooperative.nib)
        validators.check_npwp(cooperative.npwp)
    identifiers = [p.nib for p in profiles] + [p.nik for p in profiles] + [p.npwp for p in profiles]
    assert len(identifiers) == len(set(identifiers))
    assert len({p.business_name for p in profiles}) == len(profiles)


def _snapshot(db) -> list[tuple]:
    profiles = db.session.scalars(select(SellerProfile).join(User).order_by(User.email)).all()
    return [(p.user.email, p.user.full_name, p.business_name, p.nib, p.npwp, p.nik, p.address) for p in profiles]


def test_seed_is_deterministic(seeded, db) -> None:
    first = _snapshot(db)
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    seed_demo(products=False)
    assert _snapshot(db) == first


def test_seed_refuses_a_database_with_users(db) -> None:
    UserFactory()
    with pytest.raises(DemoDataExists):
        seed_demo()
    assert db.session.scalar(select(func.count(Cooperative.id))) == 0


def test_seed_command_if_empty_skips_when_users_exist(app, db) -> None:
    UserFactory()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already has users" in result.output
    assert db.session.scalar(select(func.count(Cooperative.id))) == 0


def test_seed_command_loads_once_and_prints_logins(app, db) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "18 cooperatives" in result.output
    assert "operator@demo.test" in result.output and DEMO_PASSWORD in result.output
    users = db.session.scalar(select(func.count(User.id)))

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "already has users" in again.output
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code == 1 and "empty database" in refused.output
    assert db.session.scalar(select(func.count(User.id))) == users


def test_demo_logins_lists_some_in_full_and_the_pattern(seeded, app, db) -> None:
    output = app.test_cli_runner().invoke(args=["demo-logins"]).output
    assert f"password for every account: {DEMO_PASSWORD}" in output
    assert "operator@demo.test" in output
    for unit in ("dinsos", "dindik", "setda"):
        for role in ("pp", "ppk", "bendahara"):
            assert f"{role}.{unit}@demo.test" in output
    assert "pengurus.gununggedangan@demo.test" in output
    assert "penjual.gununggedangan.1@demo.test" in output
    assert "The other 15 cooperatives" in output
    assert "pengurus.<kelurahan>@demo.test" in output and "penjual.<kelurahan>.<n>@demo.test" in output
    assert "pengurus.balongsari@demo.test" not in output  # the rest only as a pattern
    assert "balongsari" in output and "penjual.meri.2@demo.test" in output  # suspended member named
    assert len(output.splitlines()) < 60


def test_demo_logins_without_demo_data_says_how_to_load_it(app, db) -> None:
    result = app.test_cli_runner().invoke(args=["demo-logins"])
    assert result.exit_code == 0
    assert "seed-demo" in result.output
