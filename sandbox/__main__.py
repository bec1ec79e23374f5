"""``python -m sandbox``: run the sandbox Bot API server standalone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from sandbox.limits import FloodLimits
from sandbox.server import SandboxServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line options."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--no-limits", action="store_true", help="disable flood limits")
    parser.add_argument("--time-scale", type=float, default=1.0, help="shrink limit windows")
    parser.add_argument("--bot-username", default="chithi_bot")
    parser.add_argument("--token", default=None, help="register the bot with this token")
    parser.add_argument(
        "--allow-unstarted",
        action="store_true",
        help="let bots message users who never wrote to them",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start the server, print how to connect, and run until interrupted."""
    limits = FloodLimits(enabled=not args.no_limits, time_scale=args.time_scale)
    server = SandboxServer(
        limits, host=args.host, port=args.port, require_start=not args.allow_unstarted
    )
    await server.start()
    token = server.create_bot(username=args.bot_username, first_name="Chithi", token=args.token)
    user = server.create_user(first_name="Demo", username="demo_user", language_code="vi")
    print(f"Sandbox Bot API server: {server.url}")
    print(f"  base_url:      {server.base_url}")
    print(f"  base_file_url: {server.base_file_url}")
    print(f"  demo token:    {token}")
    print(f"  demo user id:  {user.id}")
    print(f"  control API:   POST {server.url}/_sandbox/send_text", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
