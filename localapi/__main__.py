"""`python -m localapi --port 8081 --token 123:abc [--no-limits]`: serve until interrupted.

Prints the base URL (one line, for scripts that start it with `--port 0`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from localapi.core import DEFAULT_TOKEN, Core, Options
from localapi.rules import Limits
from localapi.server import LocalBotApi


def parse_options(argv: list[str] | None = None) -> tuple[Options, str, int]:
    parser = argparse.ArgumentParser(prog="python -m localapi")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--username", default=Options.username)
    parser.add_argument("--no-limits", action="store_true")
    args = parser.parse_args(argv)
    options = Options(
        token=args.token, username=args.username, limits=Limits(enabled=not args.no_limits)
    )
    return options, args.host, args.port


async def serve(options: Options, host: str, port: int) -> None:
    api = LocalBotApi(Core(options))
    print(await api.start(host, port), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.stop()


def main(argv: list[str] | None = None) -> None:
    options, host, port = parse_options(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(options, host, port))


if __name__ == "__main__":
    main()
