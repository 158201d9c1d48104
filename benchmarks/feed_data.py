"""The feed benchmark's catalog: 1,000,000 approved products across 1,000 cooperatives, loaded with COPY in chunks.

The rows come from `catalog_data.CatalogGenerator` (the search benchmark's seeded generator). Cooperative 1 is the
big one (`big` products, 100,000 by default: the XLSX feed is measured on it, and it is the 100k point of the memory
comparison); the other cooperatives share the rest evenly. Products are shuffled across cooperatives, so a
cooperative's rows are spread over the table as they would be after years of listings.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from benchmarks.catalog_data import COLUMNS, CatalogGenerator

#: Tables with an `id` sequence to move past the loaded ids.
SEQUENCE_TABLES = (
    "cooperatives",
    "users",
    "seller_profiles",
    "memberships",
    "categories",
    "products",
    "product_revisions",
    "product_images",
)
#: Search rows are not made: feeds never read them, and their text is the slow part of generating.
FEED_TABLES = tuple(name for name in COLUMNS if name != "catalog_entries")


def plain_url(url: str) -> str:
    """A libpq URL (psycopg) from an SQLAlchemy one."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def cooperative_sizes(*, products: int, cooperatives: int, big: int) -> list[int]:
    """Products per cooperative (index 0 is cooperative 1): `big` for the first, the rest shared evenly."""
    if cooperatives == 1:
        return [products]
    big = min(big, products)
    share, extra = divmod(products - big, cooperatives - 1)
    return [big] + [share + (1 if index < extra else 0) for index in range(cooperatives - 1)]


def owners(sizes: list[int], seed: int) -> list[int]:
    """The cooperative id of each product id (1-based, index 0 unused), shuffled with a fixed seed."""
    order = [cooperative for cooperative, size in enumerate(sizes, start=1) for _ in range(size)]
    random.Random(seed).shuffle(order)
    return [0, *order]


def chunks(generator: CatalogGenerator, owner_of: list[int], size: int) -> Iterator[dict[str, list[tuple]]]:
    """The parties' rows first, then the rows of `size` products at a time."""
    yield generator.take_rows()
    makers = generator.makers_by_cooperative
    rng = generator.rng
    for product_id in range(1, len(owner_of)):
        generator.add_product(product_id, rng.choice(makers[owner_of[product_id]]))
        if product_id % size == 0:
            yield generator.take_rows()
    yield generator.take_rows()


def copy_rows(cursor, table: str, rows: list[tuple]) -> None:
    """COPY rows (tuples in `COLUMNS` order) into a table."""
    if not rows:
        return
    with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table].split())}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load(
    url: str,
    *,
    products: int,
    cooperatives: int,
    big: int,
    sellers_per_cooperative: int = 10,
    chunk: int = 50_000,
    seed: int = 7,
    progress=print,
) -> dict[str, float]:
    """Generate and COPY the catalog into the migrated database at `url`; returns seconds per step."""
    import psycopg

    timings = {"generate": 0.0, "copy": 0.0}
    with psycopg.connect(plain_url(url)) as connection:
        units = dict(connection.execute("SELECT name, id FROM units").fetchall())
        generator = CatalogGenerator(
            cooperatives=cooperatives,
            sellers_per_cooperative=sellers_per_cooperative,
            units=units,
            seed=seed,
            entries=False,
        )
        owner_of = owners(cooperative_sizes(products=products, cooperatives=cooperatives, big=big), seed)
        connection.execute("SET session_replication_role = replica")  # rows are consistent by construction
        with connection.cursor() as cursor:
            started = time.perf_counter()
            done = 0
            for rows in chunks(generator, owner_of, chunk):
                generated = time.perf_counter()
                timings["generate"] += generated - started
                for table in FEED_TABLES:
                    copy_rows(cursor, table, rows[table])
                started = time.perf_counter()
                timings["copy"] += started - generated
                done += len(rows["products"])
                if rows["products"]:
                    progress(f"  {done:,} products loaded", flush=True)
            for table in SEQUENCE_TABLES:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        connection.execute("SET session_replication_role = DEFAULT")
        connection.commit()
    started = time.perf_counter()
    with psycopg.connect(plain_url(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    timings["vacuum_analyze"] = time.perf_counter() - started
    return timings


def region_names(url: str) -> dict[str, str]:
    """Names of the region codes the regional prices use (the `nama_wilayah` column of the references)."""
    import psycopg

    from marketplace.reference.regions import get_region

    with psycopg.connect(plain_url(url)) as connection:
        codes = [row[0] for row in connection.execute("SELECT DISTINCT region_code FROM regional_prices")]
    names = {}
    for code in codes:
        region = get_region(code)
        names[code] = region.name if region else ""
    return names
