"""`jupyter-ext demo`: from a fresh install to JupyterLab on a real project, offline.

Creates (or reuses) the Ames demo project, starts the local forge with the
project as upstream `demo/ames-house-prices` and a signed-in demo user, then
runs JupyterLab on the starter notebook with submission going to that forge.
The forge stops when JupyterLab exits.
"""

from __future__ import annotations

import argparse

DEFAULT_DIR = "demo-project"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        default=DEFAULT_DIR,
        help=f"folder for the demo (project, forge data, settings); default ./{DEFAULT_DIR}",
    )
    parser.add_argument(
        "--reset", action="store_true", help="delete the demo folder first and start over"
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="don't open a web browser (print the URL)"
    )
    parser.add_argument(
        "--port", type=int, default=8888, help="JupyterLab's port (the next free one if taken)"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--prepare-only",
        action="store_true",
        help="create the project and settings, start nothing (Binder's postBuild)",
    )
    mode.add_argument(
        "--forge-only",
        action="store_true",
        help=(
            "start the forge in the background and write the Jupyter config that points the "
            "extension at it, then exit (Binder's start script; JupyterLab is started by Binder)"
        ),
    )
    mode.add_argument(
        "--github",
        action="store_true",
        help=(
            "configure submission to real GitHub instead of the local forge: sign-in with the "
            "OAuth app in $GITHUB_CLIENT_ID, pull requests to $JUPYTER_EXT_UPSTREAM; then exit"
        ),
    )


def run(args: argparse.Namespace) -> int:
    from .launch import launch_demo

    return launch_demo(
        args.dir,
        reset=args.reset,
        open_browser=not args.no_browser,
        port=args.port,
        prepare_only=args.prepare_only,
        forge_only=args.forge_only,
        github=args.github,
    )
