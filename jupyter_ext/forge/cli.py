"""`jupyter-ext forge`: serve the local GitHub-compatible forge.

    jupyter-ext forge --seed demo-project --owner demo --repo ames-house-prices \\
        --user alice:alice-token --port 8765

Top-level imports stay light: this module is imported to build `--help`.
"""

from __future__ import annotations

import argparse
import json
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default 127.0.0.1; /_forge admin is open)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument(
        "--data-dir",
        default=None,
        help="where repositories and state.json live "
        "(default: <jupyter data dir>/jupyter_ext/forge)",
    )
    parser.add_argument(
        "--seed",
        metavar="DIR",
        help="make OWNER/REPO upstream with DIR's files as its first commit",
    )
    parser.add_argument("--owner", default="demo", help="owner of the seeded repository")
    parser.add_argument("--repo", help="name of the seeded repository (default: DIR's name)")
    parser.add_argument(
        "--default-branch", default="main", help="default branch of the seeded repository"
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="LOGIN:TOKEN",
        help="a user and a token that authenticates as them (repeatable)",
    )
    parser.add_argument(
        "--collaborator",
        action="append",
        default=[],
        metavar="LOGIN",
        help="give LOGIN push access to the seeded repository (repeatable)",
    )
    parser.add_argument(
        "--client-id",
        action="append",
        default=[],
        metavar="ID",
        help="OAuth client ids accepted by the device flow (default: any)",
    )
    parser.add_argument(
        "--fork-delay",
        type=float,
        default=1.0,
        help="seconds until a new fork is usable (GitHub forks are async)",
    )
    parser.add_argument(
        "--device-interval", type=float, default=5, help="device-flow polling interval in seconds"
    )
    parser.add_argument(
        "--rate-limit", type=int, default=5000, help="API requests per hour per token"
    )
    parser.add_argument(
        "--ready-file",
        metavar="PATH",
        help="write {api_url, web_url, pid} as JSON here once listening",
    )


def default_data_dir() -> str:
    from jupyter_core.paths import jupyter_data_dir

    return os.path.join(jupyter_data_dir(), "jupyter_ext", "forge")


def run(args: argparse.Namespace) -> int:
    import asyncio

    from ..errors import BadRequest
    from .local import LocalForge

    forge = LocalForge(
        args.data_dir or default_data_dir(),
        fork_delay=args.fork_delay,
        device_interval=args.device_interval,
        client_ids=set(args.client_id) or None,
        rate_limit=args.rate_limit,
    )
    for spec in args.user:
        login, sep, token = spec.partition(":")
        if not sep or not login or not token:
            raise BadRequest(f"--user expects LOGIN:TOKEN, got {spec.split(':')[0]!r}...")
        forge.add_user(login, token=token)
    if args.seed:
        seed = os.path.abspath(args.seed)
        if not os.path.isdir(seed):
            raise BadRequest(f"--seed {args.seed}: not a directory")
        name = args.repo or os.path.basename(seed.rstrip("/"))
        full_name = f"{args.owner}/{name}"
        if full_name in forge.state.repos:
            print(f"{full_name} already exists in {forge.data_dir}; not re-seeding")
        else:
            forge.create_repo(
                args.owner,
                name,
                seed_dir=seed,
                default_branch=args.default_branch,
                collaborators={login: "push" for login in args.collaborator},
            )
            print(f"seeded {full_name} ({args.default_branch}) from {seed}")

    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets

    async def serve() -> None:
        sockets = bind_sockets(args.port, args.host)
        port = sockets[0].getsockname()[1]
        server = HTTPServer(forge.app())
        server.add_sockets(sockets)
        web_url = f"http://{args.host}:{port}"
        print(f"local forge: {web_url}  (API base_url {web_url}, or {web_url}/api/v3)")
        print(f"data: {forge.data_dir}")
        if args.ready_file:
            with open(args.ready_file + ".tmp", "w") as fh:
                json.dump({"api_url": web_url, "web_url": web_url, "pid": os.getpid()}, fh)
            os.replace(args.ready_file + ".tmp", args.ready_file)
        await asyncio.Event().wait()

    asyncio.run(serve())
    return 0
