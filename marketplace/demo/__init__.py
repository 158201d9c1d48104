"""Demo data for Kota Mojokerto: its 18 kelurahan cooperatives with members, the city government's work units with
buyers, and an operator. Every demo account signs in with the password `mojokerto-demo`.

The seed is deterministic (a seeded `random.Random`), written through the models in one transaction, and split by
concern: `identities` (NIB, NPWP, NIK, …), `people` (names, UMKM, accounts), `organisations` (cooperatives,
agency, work units), `logins` (the table `flask demo-logins` prints). Later steps (products, orders) add modules
and a call in `seed_demo()`: `catalog` lists the members' products through the catalog services, which commit
step by step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from sqlalchemy import func, select

from marketplace.accounts.auth import hash_password
from marketplace.accounts.models import Role, User
from marketplace.demo.catalog import seed_catalog
from marketplace.demo.feeds import seed_feeds
from marketplace.demo.history import seed_history
from marketplace.demo.identities import IdentityMaker
from marketplace.demo.orders import seed_orders
from marketplace.demo.organisations import add_city_government, add_cooperative, kelurahan_of_city, slug
from marketplace.demo.payments import seed_payments
from marketplace.demo.people import add_member, add_user, draw_person, plan_members, suspend
from marketplace.extensions import db

DEMO_PASSWORD = "mojokerto-demo"  # noqa: S105 - the published demo password
DEMO_DOMAIN = "demo.test"
OPERATOR_EMAIL = f"operator@{DEMO_DOMAIN}"
BUYER_ROLES = (Role.PP, Role.PPK, Role.BENDAHARA)
#: The member whose membership the seed suspends, so the manager pages show every status.
SUSPENDED_KELURAHAN, SUSPENDED_MEMBER = "meri", f"penjual.meri.2@{DEMO_DOMAIN}"
SEED = 3576


class DemoDataExists(RuntimeError):
    """The database already has users; the demo loads only into an empty one."""


@dataclass(frozen=True)
class DemoSummary:
    cooperatives: int
    members: int
    work_units: int
    users: int
    products: int = 0
    feeds: int = 0
    orders: int = 0
    payments: int = 0


def database_is_empty() -> bool:
    """Whether no user exists yet."""
    return db.session.scalar(select(User.id).limit(1)) is None


def seed_demo(*, products: bool = True) -> DemoSummary:
    """Load the Kota Mojokerto demo into an empty database: people and organisations in one transaction, then the
    members' products through the catalog services, each cooperative's first datafeed, a dozen orders through
    the procurement services, the orders completed earlier this year (`history`) and three more paid by transfer
    through the payments services (about a minute; `products=False` leaves products, feeds, orders and payments
    out)."""
    if not database_is_empty():
        raise DemoDataExists("the database already has users")
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not secrets
    ids = IdentityMaker(rng)
    password_hash = hash_password(DEMO_PASSWORD)  # scrypt is slow on purpose: hash once, reuse
    add_user(
        email=OPERATOR_EMAIL, person=draw_person(rng, ids), roles=[Role.OPERATOR], password_hash=password_hash,
        phone=ids.phone(),
    )  # fmt: skip
    members = seed_cooperatives(rng, ids, password_hash)
    units = seed_city_government(rng, ids, password_hash)
    db.session.flush()
    summary = DemoSummary(
        cooperatives=len(kelurahan_of_city()),
        members=members,
        work_units=len(units),
        users=db.session.scalar(select(func.count(User.id))),
    )
    db.session.commit()
    if not products:
        return summary
    products_seeded, feeds_built = seed_catalog(seed=SEED + 1), seed_feeds()
    orders_made = seed_orders() + seed_history()
    return replace(summary, products=products_seeded, feeds=feeds_built, orders=orders_made, payments=seed_payments())


def seed_cooperatives(rng: random.Random, ids: IdentityMaker, password_hash: str) -> int:
    """One KKMP per kelurahan with its pengurus and members; returns the number of members."""
    taken_names: set[str] = set()
    count = 0
    managers: dict[str, User] = {}
    members: dict[str, User] = {}
    for kelurahan, kecamatan in kelurahan_of_city():
        name = slug(kelurahan.name)
        cooperative = add_cooperative(rng, ids, kelurahan=kelurahan, kecamatan=kecamatan)
        group: set[str] = set()  # first names used in this cooperative
        manager = add_user(
            email=f"pengurus.{name}@{DEMO_DOMAIN}",
            person=draw_person(rng, ids, group=group),
            roles=[Role.COOP_MANAGER],
            password_hash=password_hash,
            phone=ids.phone(),
            managed_cooperative=cooperative,
        )
        managers[name] = manager
        plans = plan_members(
            rng, ids, slug=name, kelurahan=kelurahan, kecamatan=kecamatan, taken_names=taken_names, group=group
        )
        for plan in plans:
            members[plan.email] = add_member(
                plan, cooperative=cooperative, manager=manager, password_hash=password_hash, phone=ids.phone()
            )
        count += len(plans)
    suspend(members[SUSPENDED_MEMBER], manager=managers[SUSPENDED_KELURAHAN])
    return count


def seed_city_government(rng: random.Random, ids: IdentityMaker, password_hash: str) -> list:
    """Pemerintah Kota Mojokerto, its work units and a PP, a PPK and a bendahara in each."""
    _agency, units = add_city_government(ids)
    for unit in units:
        group: set[str] = set()
        for role in BUYER_ROLES:
            add_user(
                email=f"{role}.{unit.short_code}@{DEMO_DOMAIN}",
                person=draw_person(rng, ids, group=group),
                roles=[role],
                password_hash=password_hash,
                phone=ids.phone(),
                work_unit=unit,
            )
    return units


__all__ = [
    "DEMO_PASSWORD",
    "OPERATOR_EMAIL",
    "DemoDataExists",
    "DemoSummary",
    "database_is_empty",
    "seed_demo",
]
