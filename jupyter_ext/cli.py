"""`jupyter-ext`: the command line, for contributors, maintainers and CI.

Each subcommand lives in the module that owns its feature and exposes
`add_arguments(parser)` and `run(args) -> int`. Modules are imported only when
their subcommand runs, so `jupyter-ext --help` stays instant.

Exit codes: 0 success / accepted, 1 rejected, 2 error.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "extract": (
        "jupyter_ext.core.extract_cli",
        "print the self-contained module of a notebook cell",
    ),
    "validate": (
        "jupyter_ext.validation.cli",
        "validate feature modules or a pull request (checks + acceptance), as CI does",
    ),
    "demo": (
        "jupyter_ext.demo.cli",
        "open JupyterLab on a demo project (Ames housing data, local forge; offline)",
    ),
    "init": (
        "jupyter_ext.scaffold.init",
        "make a folder a feature-engineering project, or check an existing Ballet project",
    ),
    "forge": (
        "jupyter_ext.forge.cli",
        "serve a local GitHub-compatible forge (offline demo and tests)",
    ),
    "discover": (
        "jupyter_ext.validation.discover_cli",
        "list the project's features and the columns they leave unexplored",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter-ext",
        description="Turn notebook cells into validated feature modules and pull requests.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        sub_parser.set_defaults(_module=module_name)
        importlib.import_module(module_name).add_arguments(sub_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # the CLI's one error boundary
        from .errors import JupyterExtError

        if isinstance(err, JupyterExtError):
            print(f"error: {err.message}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    raise SystemExit(main())
