"""Where an export's time goes: the feed code run in this process on the loaded benchmark database.

    .venv/bin/python benchmarks/feed_profile.py                              # cooperative 1, every stage
    .venv/bin/python benchmarks/feed_profile.py --cooperative 0 --stages records csv   # all cooperatives
    .venv/bin/python benchmarks/feed_profile.py --stages xlsx --profile 25    # cProfile, top 25 functions

Stages, each timed alone on the same products: `records` (read `iter_records` to the end: queries and record
building), then `export_records` into each shape (`csv`, `datafeed`, `xlsx`: validation + writing, records
included). The difference between a shape and `records` is what validating and writing cost. No worker, no
broker, no feed row: this is for finding bottlenecks, `feed_export.py` is the benchmark.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")

from benchmarks.feed_export import BASE_URL, DEFAULT_URL  # noqa: E402
from benchmarks.feed_workers import status_kb  # noqa: E402

STAGES = ("records", "csv", "datafeed", "xlsx")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--cooperative", default="1", help="cooperative id, a range of ids (2-56: a part of the all-cooperatives "
        "feed) or 0 for all cooperatives"
    )  # fmt: skip
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile each stage, print top N")
    parser.add_argument("--batch-size", type=int, help="iter_records batch size (default: the module's)")
    return parser.parse_args()


def cooperative_ids(text: str) -> list[int] | None:
    """`1` → [1], `2-56` → [2, …, 56], `0` → None (all)."""
    first, _, last = text.partition("-")
    if not int(first):
        return None
    return list(range(int(first), int(last or first) + 1))


def run_stage(stage: str, args: argparse.Namespace, folder: Path) -> int:
    """Run one stage in an app context; returns the records gone through."""
    from marketplace.extensions import db
    from marketplace.feeds.export import export_records
    from marketplace.feeds.records import iter_records

    options = {"batch_size": args.batch_size} if args.batch_size else {}
    records = iter_records(
        cooperative_ids=cooperative_ids(args.cooperative),
        changed_since=None,
        until=datetime.now(UTC),
        include_withdrawn=False,
        **options,
    )
    try:
        if stage == "records":
            return sum(1 for _ in records)
        result = export_records(
            records,
            shape=stage,
            file_path=folder / f"profile.{stage}",
            report_path=folder / f"profile_{stage}_report.csv",
            base_name="profile",
            today=datetime.now(UTC).date(),
            duplicate_skus_by_cooperative={},
        )
        return result.processed
    finally:
        db.session.rollback()


def main() -> None:
    args = parse_args()
    from marketplace import create_app

    folder = Path(tempfile.mkdtemp(prefix="bench-feed-profile-"))
    app = create_app(
        "production",
        {"SQLALCHEMY_DATABASE_URI": args.database_url, "INSTANCE_PATH": folder, "PUBLIC_BASE_URL": BASE_URL},
    )
    with app.app_context():
        for stage in args.stages:
            profiler = cProfile.Profile() if args.profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            count = run_stage(stage, args, folder)
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
            print(
                f"{stage:>9}: {count:,} records in {seconds:.1f} s ({count / seconds:,.0f}/s); "
                f"this process's peak RSS so far {status_kb(os.getpid(), 'VmHWM') / 1024:.0f} MB",
                flush=True,
            )
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.profile)
                print(out.getvalue())
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
