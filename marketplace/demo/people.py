"""Demo people: names, UMKM businesses and the user accounts of members, managers, buyers and the operator."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from marketplace.accounts.models import Role, SellerProfile, SkalaUsaha, User, UserRole
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.core.timeutil import utcnow
from marketplace.demo.identities import IdentityMaker
from marketplace.extensions import db

MALE_NAMES = (
    "Agus", "Ahmad", "Arif", "Bambang", "Budi", "Dwi", "Eko", "Hadi", "Heru", "Imam", "Joko", "Muhammad", "Rudi",
    "Slamet", "Sugeng", "Teguh", "Wahyu", "Yusuf",
)  # fmt: skip
FEMALE_NAMES = (
    "Anik", "Dewi", "Dian", "Endang", "Fitri", "Indah", "Kartini", "Lilik", "Nur", "Ratna", "Rina", "Siti", "Sri",
    "Tri", "Umi", "Yuli",
)  # fmt: skip
MALE_FAMILY_NAMES = (
    "Santoso", "Prasetyo", "Susilo", "Hariyanto", "Wibowo", "Purnomo", "Widodo", "Hartono", "Sutrisno", "Fauzi",
    "Nugroho", "Cahyono", "Rahman", "Hidayat", "Setiawan",
)  # fmt: skip
FEMALE_FAMILY_NAMES = (
    "Wahyuni", "Lestari", "Handayani", "Suryani", "Astuti", "Rahmawati", "Kusumawati", "Mardiyah", "Hasanah",
    "Susilowati", "Wulandari", "Puspitasari",
)  # fmt: skip
STREETS = (
    "Jl. Mojopahit", "Jl. Gajah Mada", "Jl. Hayam Wuruk", "Jl. Benteng Pancasila", "Jl. Bhayangkara", "Jl. Pahlawan",
    "Jl. Kartini", "Jl. Empunala", "Jl. Raden Wijaya", "Jl. Brawijaya", "Jl. Taman Siswa", "Jl. Kenanga",
    "Jl. Melati", "Gg. Masjid", "Jl. Cempaka", "Jl. Semeru",
)  # fmt: skip


@dataclass(frozen=True)
class Business:
    """A kind of UMKM: how its name is made, its KBLI codes and its usual scale."""

    names: tuple[str, ...]
    kbli: tuple[str, ...]
    scales: tuple[str, ...] = (SkalaUsaha.MIKRO, SkalaUsaha.MIKRO, SkalaUsaha.KECIL)


#: `{word}`, `{title} {first}` (Bu/Pak and the owner's first name) and `{kelurahan}` are filled in per member.
BUSINESSES = (
    Business(("UD Beras {word}", "Toko Beras {word}"), ("46311",), (SkalaUsaha.KECIL, SkalaUsaha.MIKRO)),
    Business(("Batik Tulis Majapahit {kelurahan}", "Batik Cap {word}"), ("13134", "14111")),
    Business(("Roti & Kue {title} {first}", "Onde-Onde {word}"), ("10710",)),
    Business(("Keripik Tempe {word}", "Kerupuk Rambak {kelurahan}"), ("10793",)),
    Business(("Sepatu Kulit {word}", "Sandal {word}"), ("15201",), (SkalaUsaha.KECIL, SkalaUsaha.MENENGAH)),
    Business(("Konveksi Seragam {word}",), ("14111",), (SkalaUsaha.KECIL, SkalaUsaha.MIKRO)),
    Business(("Catering {title} {first}", "Nasi Kotak Dapur {kelurahan}"), ("56210",)),
    Business(("Percetakan {word}",), ("18111",), (SkalaUsaha.KECIL,)),
    Business(("Kopi Bubuk {word}",), ("10761",)),
    Business(("Toko Sembako {word}",), ("47112", "46311")),
)
WORDS = (
    "Sumber Rejeki", "Tani Makmur", "Sri Rejeki", "Barokah", "Sido Mulyo", "Makmur Jaya", "Surya Majapahit",
    "Sekar Jagad", "Trowulan", "Brawijaya", "Sinar Jaya", "Putra Mandiri", "Karya Mandiri", "Sinar Grafika",
    "Lancar Jaya", "Berkah Abadi", "Tiga Putri", "Wilwatikta",
)  # fmt: skip
SUSPENSION_REASON = "Sertifikat PIRT kedaluwarsa; keanggotaan dibekukan sampai sertifikat baru diserahkan."


@dataclass(frozen=True)
class Person:
    full_name: str
    female: bool
    birth_date: date


@dataclass(frozen=True)
class MemberPlan:
    """Everything about one demo seller, decided before anything is written."""

    email: str
    person: Person
    status: str
    applied_days_ago: int
    profile: dict


def draw_person(rng: random.Random, ids: IdentityMaker, *, group: set[str] | None = None) -> Person:
    """A Javanese name, unique in the seed, with a gender and a birth date; no two people of a `group` (the first
    names used so far) share a first name."""
    group = set() if group is None else group
    while True:
        female = rng.random() < 0.5
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        family = rng.choice(FEMALE_FAMILY_NAMES if female else MALE_FAMILY_NAMES)
        if first not in group and ids.claim(f"{first} {family}"):
            break
    group.add(first)
    return Person(f"{first} {family}", female, ids.birth_date())


def draw_address(rng: random.Random, kelurahan: str, kecamatan: str) -> str:
    """A street address in the kelurahan (street, number, RT/RW, kelurahan, kecamatan)."""
    street, number = rng.choice(STREETS), rng.randrange(1, 120)
    rt, rw = rng.randrange(1, 8), rng.randrange(1, 5)
    return f"{street} No. {number}, RT {rt:03d}/RW {rw:03d}, Kel. {kelurahan}, Kec. {kecamatan}, Kota Mojokerto"


def draw_business_name(rng: random.Random, business: Business, person: Person, kelurahan: str, taken: set) -> str:
    """A business name not used yet in this seed."""
    first = person.full_name.split()[0]
    for _ in range(50):
        title = "Bu" if person.female else "Pak"
        name = rng.choice(business.names).format(word=rng.choice(WORDS), title=title, first=first, kelurahan=kelurahan)
        if name not in taken:
            taken.add(name)
            return name
    name = f"{name} {person.full_name}"
    taken.add(name)
    return name


def plan_members(
    rng: random.Random, ids: IdentityMaker, *, slug: str, kelurahan, kecamatan, taken_names: set, group: set[str]
) -> list[MemberPlan]:
    """Four or five sellers of one kelurahan: the first ones active, the last one or two waiting for approval."""
    count = rng.randint(4, 5)
    pending = rng.randint(1, 2)
    plans = []
    for n in range(1, count + 1):
        person = draw_person(rng, ids, group=group)
        business = rng.choice(BUSINESSES)
        bank_name, account = ids.bank_account()
        status = "pending" if n > count - pending else "active"
        profile = {
            "business_name": draw_business_name(rng, business, person, kelurahan.name, taken_names),
            "nib": ids.nib(),
            "npwp": ids.npwp("orang"),
            "nik": ids.nik(kecamatan_code=kecamatan.code, birth_date=person.birth_date, female=person.female),
            "skala_usaha": str(rng.choice(business.scales)),
            "kbli_codes": list(business.kbli),
            "address": draw_address(rng, kelurahan.name, kecamatan.name),
            "region_code": kelurahan.code,
            "bank_name": bank_name,
            "bank_account_number": account,
            "bank_account_name": person.full_name,
        }
        days_ago = rng.randint(1, 6) if status == "pending" else rng.randint(20, 200)
        plans.append(MemberPlan(f"penjual.{slug}.{n}@demo.test", person, status, days_ago, profile))
    return plans


def add_user(*, email: str, person: Person, roles: list[Role], password_hash: str, phone: str, **fields) -> User:
    """A user signing in with the demo password (its hash), added to the session."""
    user = User(
        email=email, full_name=person.full_name, password_hash=password_hash, phone=phone, locale="id", **fields
    )
    user.role_rows = [UserRole(role=str(role)) for role in roles]
    db.session.add(user)
    return user


def add_member(plan: MemberPlan, *, cooperative: Cooperative, manager: User, password_hash: str, phone: str) -> User:
    """A seller with profile and membership; active members were approved by the cooperative's manager."""
    applied = utcnow() - timedelta(days=plan.applied_days_ago)
    user = add_user(email=plan.email, person=plan.person, roles=[Role.SELLER], password_hash=password_hash, phone=phone)
    user.created_at = applied
    user.seller_profile = SellerProfile(**plan.profile, created_at=applied)
    membership = Membership(user=user, cooperative=cooperative, status=plan.status, created_at=applied)
    if plan.status != "pending":
        membership.decided_at = applied + timedelta(days=2)
        membership.decided_by = manager
    db.session.add(membership)
    return user


def suspend(user: User, *, manager: User) -> None:
    """Mark a member's membership suspended with the demo reason."""
    user.membership.status = "suspended"
    user.membership.status_reason = SUSPENSION_REASON
    user.membership.decided_at = utcnow() - timedelta(days=3)
    user.membership.decided_by = manager
