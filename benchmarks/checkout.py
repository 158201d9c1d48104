"""Checkout benchmark: checkouts/s on PostgreSQL with concurrent buyers, through the real `checkout` service, beside
a bare reference measured in the same run.

    .venv/bin/python benchmarks/checkout.py                      # recreate bench_checkout, set up, measure
    .venv/bin/python benchmarks/checkout.py --duration 20 --buyers 16

Each buyer is a process with its own connection that acts for PPKS_PER_BUYER PPKs of one work unit, each with one
unit of the buyer's product in the cart (the process refills every cart in one statement when they are all checked
out, counted in the time). Per checkout it loads the PPK as a request does (user and roles, one query), then calls
the `place_orders` service with a fresh idempotency key: key claimed, cart read with the products' live data and
regional prices, price snapshot, order number, then stock taken (never below zero), search rows, order and line
inserts, audit event and cart emptied (pipelined on PostgreSQL), the "submitted" email task queued after the one
commit (Celery on Redis). The reference is the bare SQL of one conditional stock update plus one order insert per
transaction (psycopg, the same processes). Two loads: distinct products (each buyer its own product in its own
cooperative) and one hot product that everybody buys (with limited stock, so it runs out: refusals must be clean
out-of-stock errors). Target: checkout ≥ 30 % of the reference on distinct products.

A third run, "same statements, bare SQL", sends the checkout's own statements from psycopg without application code
(pipelined the same way, no email task): the ceiling for any client that does the work a checkout must do, and the
yardstick for the application's own cost.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_checkout"
REGION = "35.76.02.1001"
TARGET = 0.30
#: PPKs each buyer process checks out for in turn (their carts are refilled together).
PPKS_PER_BUYER = 400
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/11"))
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each measurement")
    parser.add_argument("--hot-stock", type=int, default=500, help="units of the hot product (it should run out)")
    return parser.parse_args()


def plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def recreate_database(url: str) -> None:
    import psycopg

    base, name = plain_url(url).rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def make_app(args: argparse.Namespace, instance: Path):
    from marketplace import create_app

    overrides = {
        "SQLALCHEMY_DATABASE_URI": args.database_url,
        "CELERY_BROKER_URL": args.broker,
        "INSTANCE_PATH": instance,
        "PUBLIC_BASE_URL": "http://bench.local",
        "SERVER_NAME": None,
    }
    return create_app("production", overrides)


def set_up(app, args: argparse.Namespace) -> dict:
    """Migrate, then make the buyers, a product per buyer (each in its own cooperative) and the hot product."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from marketplace.accounts.models import Role, User, UserRole
    from marketplace.extensions import db
    from tests.factories import CooperativeFactory, WorkUnitFactory, catalog_reference, listing, seller

    with app.app_context():
        upgrade()
        reference = catalog_reference()
        work_unit = WorkUnitFactory(name="Dinas Sosial", region_code="35.76")
        products = []
        for index in range(args.buyers + 2):
            cooperative = CooperativeFactory(name=f"Koperasi Bench {index}", is_pkp=True)
            maker = seller(cooperative)
            products.append(
                listing(maker, reference, sku=f"BENCH-{index}", price=72500, ppn_percent=11, stock=100_000_000)
            )
        people = [
            {"email": f"ppk-{index}@bench.local", "full_name": f"PPK {index}", "work_unit_id": work_unit.id}
            for index in range(args.buyers * PPKS_PER_BUYER)
        ]
        user_ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), people))
        db.session.execute(insert(UserRole), [{"user_id": user_id, "role": Role.PPK} for user_id in user_ids])
        ids = {
            "work_unit": work_unit.id,
            "buyers": [user_ids[slot * PPKS_PER_BUYER : (slot + 1) * PPKS_PER_BUYER] for slot in range(args.buyers)],
            "distinct": [product.id for product in products[: args.buyers]],
            "hot": products[args.buyers].id,
            "hot_reference": products[args.buyers + 1].id,
            "cooperatives": [product.cooperative_id for product in products],
        }
        db.session.commit()
        db.engine.dispose()
    return ids


def set_stock(app, product_id: int, stock: int) -> None:
    from sqlalchemy import update

    from marketplace.catalog.models import Product
    from marketplace.extensions import db

    with app.app_context():
        db.session.execute(update(Product).where(Product.id == product_id).values(stock=stock))
        db.session.commit()
        db.engine.dispose()


class Tally:
    """What one buyer's attempts came to: placed, refused (out of stock) or errors, counted once the measured
    window has started, with the first few errors."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.counts = {"placed": 0, "refused": 0, "errors": 0}
        self.samples: list[str] = []

    def sample(self, error: Exception) -> None:
        if len(self.samples) < 3:
            self.samples.append(repr(error)[:200])

    def count(self, outcome: str, moment: float) -> None:
        if moment >= self.start:
            self.counts[outcome] += 1

    def report(self) -> dict:
        return {**self.counts, "samples": self.samples}


# Workers ---------------------------------------------------------------------------------------------------------


def checkout_worker(app, ids: dict, slot: int, product_id: int, start: float, end: float, results) -> None:
    """One buyer: check out for its PPKs in turn (refilling their carts when all are empty), until `end`; counts
    only what finished after `start`."""
    from sqlalchemy.dialects.postgresql import insert

    from marketplace.accounts.auth import load_user_with_roles
    from marketplace.extensions import db
    from marketplace.procurement.models import CartItem
    from marketplace.procurement.services.checkout import place_orders
    from marketplace.procurement.services.stock import OutOfStock

    tally = Tally(start)
    ppks = ids["buyers"][slot]
    refill = insert(CartItem).on_conflict_do_nothing()
    carts = [{"user_id": user_id, "product_id": product_id, "quantity": 1} for user_id in ppks]
    with app.app_context():
        db.engine.dispose(close=False)
        turn = 0
        while (now := time.time()) < end:
            if turn % len(ppks) == 0:
                db.session.execute(refill, carts)
                db.session.commit()
            try:
                place_orders(
                    actor=load_user_with_roles(ppks[turn % len(ppks)]),
                    key=uuid.uuid4().hex,
                    work_unit_id=ids["work_unit"],
                    kode_rup="51234567",
                    rup_name="Paket uji beban",
                    funding_source="APBD",
                    budget_account="5.1.02.01.01.0024",
                    delivery_address="Jl. Pahlawan No. 1, Mojokerto",
                    delivery_region_code=REGION,
                    requested_arrival=date.today() + timedelta(days=7),
                )
                outcome = "placed"
            except OutOfStock:
                outcome = "refused"
            except Exception as error:
                db.session.rollback()
                outcome = "errors"
                tally.sample(error)
            turn += 1
            tally.count(outcome, now)
        db.session.remove()
    results.put(tally.report())


def reference_worker(app, ids: dict, slot: int, product_id: int, start: float, end: float, results) -> None:
    """The bare SQL of a checkout: one conditional stock update and one order insert per transaction."""
    import psycopg

    url = plain_url(app.config["SQLALCHEMY_DATABASE_URI"])
    buyer, cooperative = ids["buyers"][slot][0], ids["cooperatives"][0]
    tally = Tally(start)
    arrival = date.today() + timedelta(days=7)
    with psycopg.connect(url) as connection:
        sequence = 0
        while (now := time.time()) < end:
            sequence += 1
            try:
                with connection.transaction():
                    row = connection.execute(
                        "UPDATE products SET stock = stock - 1 WHERE id = %s AND stock >= 1 RETURNING stock",
                        (product_id,),
                    ).fetchone()
                    if row is None:
                        raise LookupError
                    connection.execute(
                        "INSERT INTO orders (number, status, cooperative_id, work_unit_id, placed_by_id, ppk_id,"
                        " kode_rup, rup_name, funding_source, budget_account, delivery_address, delivery_region_code,"
                        " requested_arrival, subtotal, shipping_total, ppn_total, total, created_at, updated_at)"
                        " VALUES (%s, 'WAITING_SELLER_CONFIRMATION', %s, %s, %s, %s, '51234567', 'Paket uji beban',"
                        " 'APBD', '5.1.02.01.01.0024', 'Jl. Pahlawan No. 1', %s, %s, 72500, 0, 7975, 80475, now(),"
                        " now())",
                        (f"REF-{slot}-{sequence}-{uuid.uuid4().hex[:8]}", cooperative, ids["work_unit"], buyer, buyer,
                         REGION, arrival),
                    )  # fmt: skip
                outcome = "placed"
            except LookupError:
                outcome = "refused"
            except Exception as error:
                outcome = "errors"
                tally.sample(error)
            tally.count(outcome, now)
    results.put(tally.report())


#: The checkout's statements in bare SQL (psycopg, no application code): what any client doing the same work pays.
SAME_WORK_READS = (
    "SELECT u.id, u.email, u.locale, u.is_enabled, u.work_unit_id, r.role FROM users u"
    " LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.id = %(user)s",
)
SAME_WORK_CART = (
    "SELECT c.product_id, c.quantity, p.cooperative_id, p.seller_id, p.sku, p.status, r.id, r.name, r.kbki_code,"
    " u.name, r.ppn_percent, r.tkdn_x100 + r.bmp_x100, r.is_domestic, r.min_order, r.national_price, r.price,"
    " r.shipping_cost, rp.region_code, rp.price, rp.shipping_cost FROM cart_items c JOIN products p ON p.id ="
    " c.product_id LEFT JOIN product_revisions r ON r.id = p.live_revision_id LEFT JOIN units u ON u.id = r.unit_id"
    " LEFT JOIN regional_prices rp ON rp.revision_id = r.id AND rp.region_code IN ('35', '35.76')"
    " WHERE c.user_id = %(user)s ORDER BY c.product_id"
)
SAME_WORK_WRITES = (
    "UPDATE products SET stock = stock - 1, feed_changed_at = now() WHERE id = %(product)s",
    "UPDATE catalog_entries SET stock = (SELECT stock FROM products WHERE id = catalog_entries.product_id)"
    " WHERE product_id IN (%(product)s)",
    "INSERT INTO orders (number, status, checkout_id, cooperative_id, work_unit_id, placed_by_id, ppk_id, kode_rup,"
    " rup_name, funding_source, budget_account, delivery_address, delivery_region_code, requested_arrival, subtotal,"
    " shipping_total, ppn_total, total, waiting_for, action_due_at, created_at, updated_at) VALUES (%(number)s,"
    " 'WAITING_SELLER_CONFIRMATION', %(checkout)s, %(cooperative)s, %(work_unit)s, %(user)s, %(user)s, '51234567',"
    " 'Paket uji beban', 'APBD', '5.1.02.01.01.0024', 'Jl. Pahlawan No. 1', %(region)s, %(arrival)s, 72500, 0, 7975,"
    " 80475, 'provider', now() + interval '3 days', now(), now())",
    "INSERT INTO order_lines (order_id, product_id, revision_id, seller_id, sku, name, kbki_code, unit_name, quantity,"
    " unit_price, ppn_percent, unit_shipping, subtotal, ppn_amount, shipping, total, tkdn_bmp, is_domestic,"
    " quantity_shipped, quantity_received) SELECT id, %(product)s, %(revision)s, %(user)s, 'SKU', 'Beras',"
    " '2316110001', 'kg', 1, 72500, 11, 0, 72500, 7975, 0, 80475, 0, true, 0, 0 FROM orders"
    " WHERE checkout_id = %(checkout)s AND cooperative_id = %(cooperative)s",
    "INSERT INTO audit_events (created_at, actor_id, action, subject_type, subject_id, after) SELECT now(), %(user)s,"
    " 'order.submit', 'order', id, '{}' FROM orders WHERE checkout_id = %(checkout)s AND cooperative_id ="
    " %(cooperative)s",
    "DELETE FROM cart_items WHERE user_id = %(user)s AND product_id IN (%(product)s)",
)


def same_work_worker(app, ids: dict, slot: int, product_id: int, start: float, end: float, results) -> None:
    """The checkout's statements in bare SQL, pipelined as the service sends them (no emails): the floor for any
    Python client doing the work a checkout must do."""
    import psycopg

    url = plain_url(app.config["SQLALCHEMY_DATABASE_URI"])
    ppks = ids["buyers"][slot]
    cooperative = ids["cooperatives"][ids["distinct"].index(product_id)] if product_id in ids["distinct"] else None
    tally = Tally(start)
    arrival = date.today() + timedelta(days=7)
    with psycopg.connect(url) as connection:
        revision = connection.execute("SELECT live_revision_id FROM products WHERE id = %s", (product_id,)).fetchone()[
            0
        ]
        connection.commit()
        turn = 0
        while (now := time.time()) < end:
            if turn % len(ppks) == 0:
                with connection.transaction(), connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO cart_items (user_id, product_id, quantity, created_at, updated_at)"
                        " VALUES (%s, %s, 1, now(), now()) ON CONFLICT DO NOTHING",
                        [(user_id, product_id) for user_id in ppks],
                    )
            values = {
                "user": ppks[turn % len(ppks)],
                "product": product_id,
                "revision": revision,
                "region": REGION,
                "arrival": arrival,
                "year": arrival.year,
                "work_unit": ids["work_unit"],
                "cooperative": cooperative,
            }
            try:
                with connection.transaction():
                    for statement in SAME_WORK_READS:
                        connection.execute(statement, values).fetchall()
                    values["checkout"] = connection.execute(
                        "INSERT INTO checkouts (user_id, key, created_at) VALUES (%(user)s, %(key)s, now())"
                        " ON CONFLICT DO NOTHING RETURNING id",
                        {**values, "key": uuid.uuid4().hex},
                    ).fetchone()[0]
                    connection.execute(SAME_WORK_CART, values).fetchall()
                    last = connection.execute(
                        "INSERT INTO number_sequences (cooperative_id, prefix, year, last_value) VALUES"
                        " (%(cooperative)s, 'SP', %(year)s, 1) ON CONFLICT (cooperative_id, prefix, year) DO UPDATE SET"
                        " last_value = number_sequences.last_value + 1 RETURNING last_value",
                        values,
                    ).fetchone()[0]
                    values["number"] = f"SP-{arrival.year}-{last:05d}"
                    with connection.pipeline():
                        for statement in SAME_WORK_WRITES:
                            connection.execute(statement, values)
                    connection.execute(
                        "SELECT id FROM orders WHERE checkout_id = %(checkout)s ORDER BY id", values
                    ).fetchall()
                outcome = "placed"
            except psycopg.errors.CheckViolation:
                outcome = "refused"
            except Exception as error:
                outcome = "errors"
                tally.sample(error)
            turn += 1
            tally.count(outcome, now)
    results.put(tally.report())


def measure(name: str, worker, app, ids: dict, products: list[int], args: argparse.Namespace) -> dict:
    """Run one process per buyer for warmup + duration seconds; sum what finished in the measured window."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = time.time() + 1.0 + args.warmup
    end = start + args.duration
    processes = [
        context.Process(target=worker, args=(app, ids, slot, products[slot], start, end, results))
        for slot in range(args.buyers)
    ]
    cpu_before = os.times()
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=args.warmup + args.duration + 120) for _ in processes]
    for process in processes:
        process.join()
    cpu_after = os.times()
    total = {key: sum(outcome[key] for outcome in outcomes) for key in ("placed", "refused", "errors")}
    total["samples"] = [sample for outcome in outcomes for sample in outcome["samples"]][:3]
    total["per_second"] = total["placed"] / args.duration
    total["attempts_per_second"] = (total["placed"] + total["refused"]) / args.duration
    total["cpu_s"] = (cpu_after.children_user + cpu_after.children_system) - (
        cpu_before.children_user + cpu_before.children_system
    )
    print(f"  {name}: {total['placed']} placed, {total['refused']} refused, {total['errors']} errors", flush=True)
    return total


def report(results: dict[str, dict], args: argparse.Namespace) -> None:
    print(f"\n{args.buyers} concurrent buyers (processes, one connection each), {args.duration:.0f} s per measurement;"
          f" {os.cpu_count()} cores")  # fmt: skip
    print(f"{'':>22} {'placed':>8} {'refused':>8} {'errors':>7} {'orders/s':>9} {'tries/s':>8} {'client CPU s':>12}")
    for name, run in results.items():
        print(
            f"{name:>22} {run['placed']:>8,} {run['refused']:>8,} {run['errors']:>7,} {run['per_second']:>9,.0f}"
            f" {run['attempts_per_second']:>8,.0f} {run['cpu_s']:>12.1f}"
        )
    distinct = results["checkout distinct"]["per_second"] / max(results["reference distinct"]["per_second"], 1e-9)
    hot_ratio = results["checkout hot"]["attempts_per_second"] / max(
        results["reference hot"]["attempts_per_second"], 1e-9
    )
    hot = results["checkout hot"]
    same_work = results["same work, bare SQL"]["per_second"] / max(results["reference distinct"]["per_second"], 1e-9)
    service = results["checkout distinct"]["per_second"] / max(results["same work, bare SQL"]["per_second"], 1e-9)
    print(f"\nratio on distinct products (checkout / reference): {distinct:.0%}")
    print(
        f"the checkout's statements in bare SQL / reference: {same_work:.0%} (the ceiling for a client doing that work)"
    )
    print(f"checkout / the same statements in bare SQL: {service:.0%} (the cost of the application code)")
    print(f"ratio on the hot product (attempts, placed or refused): {hot_ratio:.0%}")
    for run_name, run in results.items():
        for sample in run["samples"]:
            print(f"  {run_name} error: {sample}")
    print()
    print(f"  {'PASS' if distinct >= TARGET else 'FAIL'}  checkout ≥ {TARGET:.0%} of the reference on distinct"
          f" products: {distinct:.0%}")  # fmt: skip
    clean = hot["errors"] == 0 and hot["refused"] > 0
    print(f"  {'PASS' if clean else 'FAIL'}  hot product: only clean out-of-stock refusals"
          f" ({hot['refused']:,} refused, {hot['errors']} other errors)")  # fmt: skip
    print(f"  {'PASS' if all(run['errors'] == 0 for run in results.values()) else 'FAIL'}  no errors in any run")


def main() -> None:
    args = parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-checkout-"))
    os.environ["DATABASE_URL"] = args.database_url
    recreate_database(args.database_url)
    app = make_app(args, instance)
    ids = set_up(app, args)
    results: dict[str, dict] = {}
    distinct = ids["distinct"]
    results["reference distinct"] = measure("reference, distinct products", reference_worker, app, ids, distinct, args)
    results["checkout distinct"] = measure("checkout, distinct products", checkout_worker, app, ids, distinct, args)
    results["same work, bare SQL"] = measure("same statements, bare SQL", same_work_worker, app, ids, distinct, args)
    set_stock(app, ids["hot_reference"], args.hot_stock)
    results["reference hot"] = measure(
        "reference, hot product", reference_worker, app, ids, [ids["hot_reference"]] * args.buyers, args
    )
    set_stock(app, ids["hot"], args.hot_stock)
    results["checkout hot"] = measure(
        "checkout, hot product", checkout_worker, app, ids, [ids["hot"]] * args.buyers, args
    )
    report(results, args)


if __name__ == "__main__":
    main()
