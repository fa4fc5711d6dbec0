"""`python -m bench [--only NAME ...] [--quick] [--full]`: run the benchmarks, print one table,
write bench/results.json. See bench/README.md for what each number means."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from bench import delivery, digest, importing, inbound, retention, tick, web
from bench.databases import Databases
from bench.generate import FOLLOW_UP, NATIONAL, Scale
from bench.results import RESULTS_FILE, Result, table, write

NAMES = (
    "inbound",
    "footprint",
    "latency",
    "tick",
    "delivery",
    "digest",
    "import",
    "retention",
    "web",
)
QUICK = Scale("quick", 12, 40, 3, 2)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=NAMES, default=list(NAMES))
    parser.add_argument("--quick", action="store_true", help="tiny sizes: does it all run?")
    parser.add_argument(
        "--full",
        action="store_true",
        help="the issue's full sizes: the national walk, 11,000 "
        "deliveries (about 30 minutes in all)",
    )
    parser.add_argument("--delivery-size", type=int, help="reminders to deliver")
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only")
    parser.add_argument("--out", type=Path, default=RESULTS_FILE, help="the JSON file to write")
    return parser.parse_args(argv)


async def run(options: argparse.Namespace) -> list[Result]:
    only = set(options.only)
    national = QUICK if options.quick else NATIONAL
    size = options.delivery_size or (
        delivery.QUICK_SIZE
        if options.quick
        else delivery.FULL_SIZE
        if options.full
        else delivery.DEFAULT_SIZE
    )
    results: list[Result] = []
    with Databases(use_postgresql=not (options.no_postgresql or options.quick)) as databases:
        if only & {"inbound", "footprint", "latency"}:
            found = await inbound.run(
                databases, national, quick=options.quick, open_loop="latency" in only
            )
            results += [r for r in found if r.name.split(".")[0] in only]
        if "tick" in only:
            walk = national if options.full or options.quick else FOLLOW_UP
            results += await tick.run(databases, national, walk=walk, quick=options.quick)
        if "delivery" in only:
            results += await delivery.run(databases, national, size=size)
        if "digest" in only:
            scales = [QUICK] if options.quick else [FOLLOW_UP, NATIONAL]
            results += await digest.run(databases, scales)
        if "web" in only:
            scales = [QUICK] if options.quick else [FOLLOW_UP, NATIONAL]
            results += await web.run(databases, scales)
        if "import" in only:
            results += await importing.run(databases, quick=options.quick)
        if "retention" in only:
            results += await retention.run(databases, quick=options.quick)
    return results


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    logging.basicConfig(level=logging.WARNING)
    results = asyncio.run(run(options))
    print(table(results))
    write(results, {k: str(v) for k, v in vars(options).items()}, options.out)


if __name__ == "__main__":
    main()
