"""Checkout benchmark: checkouts/s on PostgreSQL with concurrent buyers, through the real `checkout` service, beside
a bare reference measured in the same run.

    .venv/bin/python benchmarks/checkout.py                      # recreate bench_checkout, set up, measure
    .venv/bin/python benchmarks/checkout.py --duration 20 --buyers 16

Each buyer is a process with its own connection (a PPK of one work unit). Before each checkout it puts one unit of
its product back in its cart (one INSERT, counted in the time), then calls `checkout()` with a fresh idempotency key:
cart read with the products' live data, price snapshot, conditional stock update, order number, order and line
inserts, audit event, deadline, the "submitted" email queued after commit (Celery on Redis), cart emptied, one
commit. The reference is the bare SQL of one conditional stock update plus one order insert per transaction
(psycopg, the same processes). Two loads: distinct products (each buyer its own product in its own cooperative)
and one hot product that everybody buys (with limited stock, so it runs out: refusals must be clean
out-of-stock errors). Target: checkout ≥ 30 % of the reference on distinct products.
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

    from marketplace.accounts.models import Role
    from marketplace.extensions import db
    from tests.factories import CooperativeFactory, WorkUnitFactory, catalog_reference, listing, seller, user_with_role

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
        buyers = [user_with_role(Role.PPK, work_unit=work_unit) for _ in range(args.buyers)]
        ids = {
            "work_unit": work_unit.id,
            "buyers": [buyer.id for buyer in buyers],
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


# Workers ---------------------------------------------------------------------------------------------------------


def checkout_worker(app, ids: dict, slot: int, product_id: int, start: float, end: float, results) -> None:
    """One buyer: refill the cart, check out, until `end`; counts only what finished after `start`."""
    from sqlalchemy.dialects.postgresql import insert

    from marketplace.accounts.models import User
    from marketplace.extensions import db
    from marketplace.procurement.models import CartItem
    from marketplace.procurement.services.checkout import checkout
    from marketplace.procurement.services.stock import OutOfStock

    placed = refused = errors = 0
    samples: list[str] = []
    user_id = ids["buyers"][slot]
    refill = insert(CartItem).values(user_id=user_id, product_id=product_id, quantity=1).on_conflict_do_nothing()
    with app.app_context():
        db.engine.dispose(close=False)
        while (now := time.time()) < end:
            db.session.execute(refill)
            db.session.commit()
            try:
                checkout(
                    actor=db.session.get(User, user_id),
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
                outcome = "error"
                if len(samples) < 3:
                    samples.append(repr(error)[:200])
            if now >= start:
                placed += outcome == "placed"
                refused += outcome == "refused"
                errors += outcome == "error"
        db.session.remove()
    results.put({"placed": placed, "refused": refused, "errors": errors, "samples": samples})


def reference_worker(app, ids: dict, slot: int, product_id: int, start: float, end: float, results) -> None:
    """The bare SQL of a checkout: one conditional stock update and one order insert per transaction."""
    import psycopg

    url = plain_url(app.config["SQLALCHEMY_DATABASE_URI"])
    buyer, cooperative = ids["buyers"][slot], ids["cooperatives"][0]
    placed = refused = errors = 0
    samples: list[str] = []
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
                outcome = "error"
                if len(samples) < 3:
                    samples.append(repr(error)[:200])
            if now >= start:
                placed += outcome == "placed"
                refused += outcome == "refused"
                errors += outcome == "error"
    results.put({"placed": placed, "refused": refused, "errors": errors, "samples": samples})


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
    print(f"\nratio on distinct products (checkout / reference): {distinct:.0%}")
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
