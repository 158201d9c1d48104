"""Search benchmark: 100,000 products in PostgreSQL, served by gunicorn, measured beside a bare reference route.

    .venv/bin/python benchmarks/catalog_search.py                 # create bench_catalog, load, serve, measure
    .venv/bin/python benchmarks/catalog_search.py --skip-load     # measure again on the loaded database

Steps: (re)create the database, run the migrations, bulk-load cooperatives, UMKM makers and products with COPY
(categories, KBKI codes, users and profiles, products, revisions, regional prices, images, catalog entries with the
same `search_text` that `refresh_entry` writes; `search_terms` counted in SQL from the same lexemes), VACUUM ANALYZE,
then serve the app with gunicorn (2 workers, gthread) and drive it on loopback with wrk (or a Python thread client
when wrk is missing): first a bare reference route (one indexed query for 24 rows, a minimal template; registered only
in this script's app), then search result pages with mixed queries and filters (48 pages: texts, some misspelt,
crossed with filters and sorts, and filter-only pages). Prints requests/s and p50/p95/p99 latency of both and their
ratio, and the CPU the app and PostgreSQL used per request (on a machine shared with other jobs, that compares the
two pages better than requests/s). Each configuration of `--cache-seconds` is a separate run of the server
(`CATALOG_SEARCH_CACHE_SECONDS`, 0 = every search goes to the database). Targets: search ≥ 50 % of the reference's
throughput, p95 < 100 ms at 16 connections.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_catalog"
REFERENCE_PATH = "/_bench/reference"
REFERENCE_TEMPLATE = """<!doctype html><html><head><title>Reference</title></head><body><ul>
{% for entry in entries %}
<li><a href="/katalog/produk/{{ entry.product_id }}">{{ entry.name }}</a> {{ entry.price }}</li>
{% endfor %}</ul></body></html>"""
TEXTS = [
    "beras", "beras premium", "minyak goreng", "minyak goreng 2 l", "gula pasir", "gula aren", "telur ayam kampung",
    "tepung terigu", "batik tulis", "batik tulis surya majapahit", "kerupuk udang", "keripik tempe pedas",
    "sepatu kulit", "sepatu pantofel hitam", "nasi kotak rapat", "snack box", "kopi bubuk robusta", "jamu kunyit",
    "madu hutan", "air mineral", "sabun cuci piring", "kertas hvs a4", "map snelhecter", "kursi kayu jati",
    "meja rapat", "tas anyaman pandan", "bawang merah", "daging sapi", "tempe", "sambal bawang", "onde-onde",
    "kemeja batik", "berass", "minyk goreng", "kerupk udang", "sepatuu kulit", "pandam wangi", "rendang",
]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--cooperatives", type=int, default=200)
    parser.add_argument("--sellers-per-cooperative", type=int, default=10)
    parser.add_argument("--skip-load", action="store_true", help="reuse the loaded database")
    parser.add_argument("--load-only", action="store_true", help="load and stop")
    parser.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unmeasured load before each measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--pg-parallel",
        action="store_true",
        help="let PostgreSQL run parallel queries for the web app (off by default: on 2 cores, helper processes "
        "for one search slow every other request down)",
    )
    parser.add_argument(
        "--cache-seconds",
        type=float,
        nargs="+",
        default=[0, 30],
        help="CATALOG_SEARCH_CACHE_SECONDS of each measured run (0 = no result cache)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args()


# The app gunicorn serves -----------------------------------------------------------------------------------------


def bench_app():
    """The marketplace app plus the reference route (only here, never in the product)."""
    from flask import render_template
    from jinja2 import ChoiceLoader, DictLoader
    from sqlalchemy import select

    from marketplace import create_app
    from marketplace.catalog.models import CatalogEntry
    from marketplace.extensions import db

    app = create_app("production")
    app.config["CATALOG_SEARCH_CACHE_SECONDS"] = float(os.environ.get("BENCH_CACHE_SECONDS", "0"))
    app.jinja_loader = ChoiceLoader([DictLoader({"bench/reference.html": REFERENCE_TEMPLATE}), app.jinja_loader])

    def reference():
        statement = select(CatalogEntry).order_by(CatalogEntry.published_at.desc()).limit(24)
        return render_template("bench/reference.html", entries=db.session.scalars(statement).all())

    app.add_url_rule(REFERENCE_PATH, "bench_reference", reference)
    return app


# Loading ---------------------------------------------------------------------------------------------------------


def plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def recreate_database(url: str) -> None:
    import psycopg

    base, name = plain_url(url).rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    from marketplace import create_app

    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance})
    with app.app_context():
        upgrade()


def load(args: argparse.Namespace) -> dict[str, float]:
    """Generate the catalog and COPY it in; returns the time each step took."""
    import psycopg

    from benchmarks.catalog_data import COLUMNS, ENTRY_WORDS, generate
    from marketplace.catalog.search.index import SEARCH_VECTOR_SQL

    timings: dict[str, float] = {}
    started = time.perf_counter()
    with psycopg.connect(plain_url(args.database_url)) as connection:
        units = dict(connection.execute("SELECT name, id FROM units").fetchall())
        catalog = generate(
            products=args.products,
            cooperatives=args.cooperatives,
            sellers_per_cooperative=args.sellers_per_cooperative,
            units=units,
        )
        timings["generate"] = time.perf_counter() - started
        started = time.perf_counter()
        connection.execute("SET session_replication_role = replica")  # rows are consistent by construction
        # The full-text index is built once after the copy (much faster than row by row), from its own definition.
        fulltext = connection.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_catalog_entries_search_vector'"
        ).fetchone()[0]
        connection.execute("DROP INDEX ix_catalog_entries_search_vector")
        with connection.cursor() as cursor:
            # Entries go through a staging table, to be inserted with their search vector made from their words.
            cursor.execute("CREATE TEMP TABLE entries_staging (LIKE catalog_entries)")
            cursor.execute(
                "CREATE TEMP TABLE entry_words (product_id bigint PRIMARY KEY, name text, brand text, rest text)"
            )
            copies = [*((table, table, columns) for table, columns in COLUMNS.items() if table != "catalog_entries")]
            copies += [
                ("entries_staging", "catalog_entries", COLUMNS["catalog_entries"]),
                ("entry_words", "entry_words", ENTRY_WORDS),
            ]
            for target, source, columns in copies:
                with cursor.copy(f"COPY {target} ({', '.join(columns.split())}) FROM STDIN") as copy:
                    for row in catalog.entry_words if source == "entry_words" else catalog.rows[source]:
                        copy.write_row(row)
            names = COLUMNS["catalog_entries"].split()
            vector = SEARCH_VECTOR_SQL.format(name="w.name", brand="w.brand", rest="w.rest")
            cursor.execute(
                f"INSERT INTO catalog_entries ({', '.join(names)}, search_vector) "
                f"SELECT {', '.join(f's.{name}' for name in names)}, {vector} "
                "FROM entries_staging s JOIN entry_words w ON w.product_id = s.product_id ORDER BY s.product_id"
            )
            for table in (
                "cooperatives",
                "users",
                "seller_profiles",
                "memberships",
                "categories",
                "products",
                "product_revisions",
                "product_images",
            ):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cursor.execute(fulltext)
            # What refresh_entry counts in Python: each stem once per entry (Python stems = `indonesian` lexemes).
            cursor.execute(
                "INSERT INTO search_terms (term, entries) SELECT lexeme, count(*) FROM catalog_entries, "
                "unnest(search_vector) WHERE length(lexeme) <= 60 GROUP BY lexeme"
            )
        connection.execute("SET session_replication_role = DEFAULT")
        connection.commit()
    timings["copy"] = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(plain_url(args.database_url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    timings["vacuum_analyze"] = time.perf_counter() - started
    return timings


# The query mix ---------------------------------------------------------------------------------------------------


def search_paths(url: str) -> list[str]:
    """Mixed search result pages: texts (some misspelt) crossed with filters and sorts, and filter-only pages."""
    import psycopg

    with psycopg.connect(plain_url(url)) as connection:
        top = [row[0] for row in connection.execute("SELECT id FROM categories WHERE level = 1 ORDER BY id")]
        leaves = [row[0] for row in connection.execute("SELECT id FROM categories WHERE level = 3 ORDER BY id")]
        cooperatives = [row[0] for row in connection.execute("SELECT id FROM cooperatives ORDER BY id LIMIT 20")]
    filters = [
        {}, {"wilayah": "35.76"}, {"urut": "price_asc"}, {"kategori": top[0]}, {"pdn": "y", "tkdn": "y"},
        {"harga_max": 100_000}, {"skala": "kecil"}, {"urut": "newest", "page": 2}, {"wilayah": "35.16",
        "urut": "price_desc"}, {"asal": "35.16"}, {"urut": "tkdn_desc"}, {"harga_min": 50_000, "harga_max": 500_000},
    ]  # fmt: skip
    paths = [f"/katalog?{urlencode({'q': text, **filters[i % len(filters)]})}" for i, text in enumerate(TEXTS)]
    browse = [
        {}, {"kategori": leaves[0]}, {"kategori": top[1], "urut": "price_asc"}, {"wilayah": "35.76"},
        {"pdn": "y", "tkdn": "y", "urut": "tkdn_desc"}, {"koperasi": cooperatives[3]}, {"page": 3},
        {"skala": "menengah", "wilayah": "35.76", "urut": "newest"}, {"harga_max": 50_000, "urut": "price_desc"},
        {"kategori": leaves[5], "wilayah": "35.16"},
    ]  # fmt: skip
    paths += ["/katalog" + (f"?{urlencode(args)}" if args else "") for args in browse]
    return paths


# Serving and measuring -------------------------------------------------------------------------------------------


@contextmanager
def serve(args: argparse.Namespace, instance: Path, cache_seconds: float):
    env = {
        **os.environ,
        "BENCH_CACHE_SECONDS": str(cache_seconds),
        "MARKETPLACE_ENV": "production",
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": "benchmark-only-secret",
        "INSTANCE_PATH": str(instance),
        "SESSION_COOKIE_SECURE": "0",
        "PYTHONPATH": str(ROOT),
    }
    if not args.pg_parallel:  # a per-connection setting, as `ALTER ROLE web SET …` would make it in production
        env["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c max_parallel_workers_per_gather=0".strip()
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--threads", str(args.threads),
        "--worker-class", "gthread", "--bind", f"127.0.0.1:{args.port}", "--chdir", str(ROOT),
        "--log-level", "warning", "--error-logfile", str(instance / "gunicorn.log"), "--backlog", "256",
        "benchmarks.catalog_search:bench_app()",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start; see {instance / 'gunicorn.log'}") from None
                time.sleep(0.3)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def serving_pids(server_pid: int, database_url: str) -> tuple[set[int], set[int]]:
    """gunicorn's master and workers; PostgreSQL's backends for the benchmark database."""
    import psycopg

    app = {server_pid}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server_pid:
                app.add(int(stat.parent.name))
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    name = plain_url(database_url).rsplit("/", 1)[1]
    with psycopg.connect(plain_url(database_url)) as connection:
        query = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        database = {row[0] for row in connection.execute(query, (name,))}
    return app, database


def measure_with_cpu(measure, base: str, mix: list[str], args: argparse.Namespace, server_pid: int) -> dict:
    """Measure, and add the CPU the app and its database used per request: on a shared machine (other jobs
    running), CPU per request compares two pages better than requests/s."""
    app, database = serving_pids(server_pid, args.database_url)
    before = {pid: cpu_seconds(pid) for pid in app | database}
    result = measure(base, mix, args.duration, args.connections)
    more_app, more_database = serving_pids(server_pid, args.database_url)
    requests = max(result["requests"], 1)
    for key, pids in (("app_cpu_ms", app | more_app), ("db_cpu_ms", database | more_database)):
        result[key] = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in pids) * 1000 / requests
    result["cpu_ms_per_request"] = result["app_cpu_ms"] + result["db_cpu_ms"]
    return result


def check(base: str, paths: list[str]) -> list[tuple[str, int, int]]:
    """Fetch every page once: all must answer 200; returns (path, results, ms)."""
    seen = []
    for path in paths:
        started = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=30) as response:
            body = response.read().decode()
            assert response.status == 200, (path, response.status)
        elapsed = int((time.perf_counter() - started) * 1000)
        total = re.search(r'data-total="(\d+)"', body)
        seen.append((path, int(total.group(1)) if total else -1, elapsed))
    return seen


WRK_SCRIPT = """
local paths = {%s}
local counter = 0
function setup(thread) thread:set("offset", counter); counter = counter + 11 end
function init(args) index = tonumber(offset) or 0 end
function request() index = index + 1; return wrk.format("GET", paths[(index %% #paths) + 1]) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests": %%d, "seconds": %%f, "errors": %%d, "non_2xx": %%d, '
    .. '"p50_ms": %%f, "p95_ms": %%f, "p99_ms": %%f}\\n', summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def measure_wrk(base: str, paths: list[str], seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(path) for path in paths))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name, base]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    result = json.loads(output.split("RESULT ", 1)[1])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def measure_python(base: str, paths: list[str], seconds: int, connections: int) -> dict:
    """A keep-alive thread client (uses the same CPUs as the server: figures are pessimistic)."""
    import http.client

    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def run(offset: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        index = offset
        while time.monotonic() < deadline:
            index += 1
            started = time.perf_counter()
            connection.request("GET", paths[index % len(paths)])
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                errors[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i * 11,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000

    return {
        "requests": len(latencies), "seconds": elapsed, "errors": 0, "non_2xx": errors[0],
        "p50_ms": percentile(50), "p95_ms": percentile(95), "p99_ms": percentile(99),
        "rps": len(latencies) / elapsed,
    }  # fmt: skip


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {"cpu": cpu, "cores": str(os.cpu_count()), "python": platform.python_version(), "os": platform.platform()}


def main() -> None:
    args = parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
    os.environ.setdefault("PUBLIC_BASE_URL", "http://bench.local")
    os.environ["DATABASE_URL"] = args.database_url
    if args.skip_load:
        migrate(args.database_url, instance)  # bring a loaded database up to the current schema
    else:
        started = time.perf_counter()
        recreate_database(args.database_url)
        migrate(args.database_url, instance)
        timings = load(args)
        print(
            f"loaded {args.products:,} products in {time.perf_counter() - started:.1f} s "
            f"({', '.join(f'{k} {v:.1f} s' for k, v in timings.items())})"
        )
    if args.load_only:
        return
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "python")
    measure = measure_wrk if client == "wrk" else measure_python
    paths = search_paths(args.database_url)
    runs = []
    for cache_seconds in args.cache_seconds:
        with serve(args, instance, cache_seconds) as (base, server_pid):
            if not runs:
                for path, total, elapsed in check(base, paths):
                    print(f"  {total:>6} results {elapsed:>5} ms  {path}")
            results = {}
            for name, mix in (("reference", [REFERENCE_PATH]), ("search", paths)):
                measure(base, mix, args.warmup, args.connections)
                results[name] = measure_with_cpu(measure, base, mix, args, server_pid)
        reference, search = results["reference"], results["search"]
        runs.append(
            {
                "cache_seconds": cache_seconds,
                **results,
                "ratio": search["rps"] / reference["rps"],
                "cpu_ratio": reference["cpu_ms_per_request"] / search["cpu_ms_per_request"],
                "load_average": os.getloadavg(),
            }
        )
    about = machine()
    print(
        f"\nclient: {client}, {args.connections} connections, {args.duration} s each; gunicorn {args.workers} "
        f"workers × {args.threads} threads; {about['cores']} cores ({about['cpu']}); {args.products:,} products; "
        f"PostgreSQL parallel query {'on' if args.pg_parallel else 'off'}"
    )
    for run in runs:
        print(f"CATALOG_SEARCH_CACHE_SECONDS={run['cache_seconds']:g}")
        for name in ("reference", "search"):
            figures = run[name]
            print(
                f"  {name:>9}: {figures['rps']:8.1f} req/s   p50 {figures['p50_ms']:6.1f} ms   "
                f"p95 {figures['p95_ms']:6.1f} ms   p99 {figures['p99_ms']:6.1f} ms   "
                f"CPU/request {figures['app_cpu_ms']:5.2f} ms app + {figures['db_cpu_ms']:5.2f} ms db   "
                f"errors {figures['errors'] + figures['non_2xx']}"
            )
        print(
            f"      ratio: search / reference throughput = {run['ratio']:.0%} (target ≥ 50%); "
            f"search p95 {run['search']['p95_ms']:.1f} ms (target < 100 ms)\n"
            f"      CPU per request (app + database), reference / search = {run['cpu_ratio']:.0%}; "
            f"load average after the run {run['load_average'][0]:.1f}"
        )
    if args.json:
        report = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": about,
            "client": client,
            "connections": args.connections,
            "duration_s": args.duration,
            "workers": args.workers,
            "threads": args.threads,
            "products": args.products,
            "pg_parallel": args.pg_parallel,
            "runs": runs,
        }
        args.json.write_text(json.dumps(report, indent=2))
    shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
