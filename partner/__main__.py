"""`python -m partner`: serve the mentor pool subgraph, or print its SDL.

python -m partner --port 4001 --db var/partner.sqlite3 [--hub http://127.0.0.1:8000/graphql]
python -m partner --print-schema [--out FILE]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import httpx
import uvicorn

from partner.app import create_app
from partner.schema import sdl
from partner.seed import link_from_hub, seed
from partner.store import Store

logger = logging.getLogger("partner")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m partner", description="멘토 풀 서브그래프 / mentor pool subgraph"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4001)
    parser.add_argument(
        "--db", type=Path, default=Path("var/partner.sqlite3"), help="SQLite file (created and seeded)"
    )
    parser.add_argument("--hub", help="the hub's /graphql: link mentors to the sessions its feed announces")
    parser.add_argument("--print-schema", action="store_true", help="print the subgraph SDL and exit")
    parser.add_argument("--out", type=Path, help="with --print-schema: write the SDL to this file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    if args.print_schema:
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(sdl(), encoding="utf-8")
        else:
            sys.stdout.write(sdl())
        return 0

    store = Store(args.db)
    added = seed(store)
    logger.info("멘토 %d명 추가 / %d mentors added to %s", added, added, args.db)
    if args.hub:
        try:
            linked = link_from_hub(store, args.hub)
        except (httpx.HTTPError, ValueError, RuntimeError) as exc:
            # The pool still serves its own data; sessions stay as they were.
            logger.warning(
                "허브에서 세션을 연결하지 못했습니다 / could not link sessions from the hub: %s", exc
            )
        else:
            logger.info("세션 %d건 연결 / %d sessions linked from %s", linked, linked, args.hub)
    uvicorn.run(create_app(store), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
