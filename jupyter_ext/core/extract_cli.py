"""`jupyter-ext extract NOTEBOOK --cell ID_OR_INDEX`: print a cell's self-contained module.

The same code path as `POST extract` for a saved notebook (`read_notebook_cells`, then
`extract_cell`), so the CLI and the panel show the same module. Warnings go to stderr so
that stdout can be redirected into a file. Errors exit with status 2 (see cli.py).
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", metavar="NOTEBOOK", help="path of the .ipynb file")
    parser.add_argument(
        "--cell",
        required=True,
        metavar="ID_OR_INDEX",
        help="the cell's id, or its 0-based index in the notebook",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the API's JSON (module, dependencies, warnings) instead of the module",
    )
    parser.add_argument(
        "--no-format", action="store_true", help="don't run `ruff format` on the module"
    )


def run(args: argparse.Namespace) -> int:
    from ..errors import BadRequest, NotFound
    from .notebook import extract_cell, read_notebook_cells

    try:
        with open(args.notebook, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise NotFound(f"No notebook at {args.notebook}.") from None
    except IsADirectoryError:
        raise BadRequest(f"{args.notebook} is a directory, not a notebook.") from None
    except UnicodeDecodeError as err:
        raise BadRequest(f"{args.notebook} is not UTF-8 text: {err.reason}.") from None
    except OSError as err:
        raise BadRequest(f"Can't read {args.notebook}: {err.strerror or err}.") from None
    cells = read_notebook_cells(text, args.notebook)
    cell_id, cell_index = _cell_reference(cells, args.cell)
    extraction = extract_cell(
        cells,
        cell_id=cell_id,
        cell_index=cell_index,
        path=args.notebook,
        format=not args.no_format,
    )
    if args.json:
        print(json.dumps(extraction.to_json(), indent=2))
    else:
        sys.stdout.write(extraction.module)
        for warning in extraction.warnings:
            where = "" if warning.cell_index is None else f" cell {warning.cell_index}"
            where += "" if warning.line is None else f" line {warning.line}"
            print(f"warning[{warning.code}]{where}: {warning.message}", file=sys.stderr)
    return 0


def _cell_reference(cells, text: str) -> tuple[str | None, int | None]:
    """A cell id if one matches, else a 0-based index (ids may look like numbers)."""
    if any(cell.id == text for cell in cells):
        return text, None
    try:
        return None, int(text)
    except ValueError:
        return text, None
