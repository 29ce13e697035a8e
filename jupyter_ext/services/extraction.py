"""Extraction as a service: a cell reference (docs/api.md) -> the cell's module.

`validate` and `submit` start by extracting the same cell, so they call
`ExtractionService.extract` too; `parse_cell_reference` and `Extraction.to_json` are the
shared pieces.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BadRequest, NotFound

if TYPE_CHECKING:
    from ..core.notebook import Cell, Extraction

# The extraction core is imported on first use, not when the server starts: every
# `jupyter server` start pays for what is imported here (see benchmarks/bench_extract.py).


@dataclass(frozen=True)
class CellReference:
    """Which cell to extract, from which notebook content.

    `cells` is the notebook as the browser has it (possibly unsaved); when it is None the
    saved notebook at `path` is read through the Jupyter contents manager.
    """

    cell_id: str | None = None
    cell_index: int | None = None
    path: str | None = None
    cells: tuple[Cell, ...] | None = None
    # The notebook's kernel language as the browser has it (its metadata), when sent.
    language: str | None = None


def parse_cell_reference(body: Any) -> CellReference:
    """Check a request body's cell reference; BadRequest says what is wrong with it.

    Keys other than the reference's (`source`, `force`, ...) are left to the caller.
    """
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    path = body.get("path")
    if path is not None and (not isinstance(path, str) or not path.strip()):
        raise BadRequest(
            "`path` must be a non-empty string: the notebook's path relative to the Jupyter root."
        )
    cell_id = body.get("cell_id")
    if cell_id is not None and (not isinstance(cell_id, str) or not cell_id):
        raise BadRequest("`cell_id` must be a non-empty string.")
    cell_index = body.get("cell_index")
    if cell_index is not None and (
        isinstance(cell_index, bool) or not isinstance(cell_index, int) or cell_index < 0
    ):
        raise BadRequest("`cell_index` must be a whole number, 0 or more.")
    if cell_id is None and cell_index is None:
        raise BadRequest("Say which cell to extract: give `cell_id` or `cell_index`.")
    language = body.get("language")
    if language is not None and not isinstance(language, str):
        raise BadRequest('`language` must be a string such as "python".')
    language = (language or "").strip() or None
    raw_cells = body.get("cells")
    if raw_cells is None:
        if path is None:
            raise BadRequest(
                "Give either `cells` (the notebook's content) or `path` (a saved notebook)."
            )
        return CellReference(cell_id, cell_index, path, None, language)
    if not isinstance(raw_cells, list):
        raise BadRequest("`cells` must be a list of cells.")
    cells = tuple(_cell_from_json(raw, i) for i, raw in enumerate(raw_cells))
    return CellReference(cell_id, cell_index, path, cells, language)


def _cell_from_json(raw: Any, index: int) -> Cell:
    from ..core.notebook import Cell

    if not isinstance(raw, dict):
        raise BadRequest(f"cells[{index}] must be an object with `cell_type` and `source`.")
    cell_type = raw.get("cell_type")
    if not isinstance(cell_type, str) or not cell_type:
        raise BadRequest(f'cells[{index}].cell_type must be a string such as "code".')
    source = raw.get("source", "")
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        source = "".join(source)  # nbformat's multi-line form
    if not isinstance(source, str):
        raise BadRequest(f"cells[{index}].source must be a string or a list of strings.")
    cell_id = raw.get("id")
    if cell_id is not None and not isinstance(cell_id, str):
        raise BadRequest(f"cells[{index}].id must be a string.")
    return Cell(id=cell_id, cell_type=cell_type, source=source)


class ExtractionService:
    """Extracts a cell's self-contained module from browser content or a saved notebook."""

    def __init__(self, contents_manager: Any, *, format_modules: bool = True) -> None:
        self.contents_manager = contents_manager
        self.format_modules = format_modules

    async def extract(self, body: dict[str, Any] | CellReference) -> Extraction:
        """The module of the referenced cell (see docs/api.md, `POST extract`).

        Parsing, slicing and the ruff subprocess run in a worker thread so that a large
        notebook never stalls the server's event loop.
        """
        reference = body if isinstance(body, CellReference) else parse_cell_reference(body)
        if reference.cells is not None:
            return await asyncio.to_thread(self._extract, reference, reference.cells)
        assert reference.path is not None
        text = await self._read(reference.path)
        return await asyncio.to_thread(self._extract, reference, text)

    def _extract(self, reference: CellReference, content: str | Sequence[Cell]) -> Extraction:
        from ..core.notebook import extract_cell, read_notebook_cells, require_python

        require_python(reference.language, reference.path or "The notebook")
        if isinstance(content, str):
            content = read_notebook_cells(content, reference.path)
        return extract_cell(
            content,
            cell_id=reference.cell_id,
            cell_index=reference.cell_index,
            path=reference.path,
            format=self.format_modules,
        )

    async def _read(self, path: str) -> str:
        """The saved notebook's text, read the way Jupyter reads it (root, hidden files)."""
        try:
            model = self.contents_manager.get(path, content=True, type="file", format="text")
            if inspect.isawaitable(model):
                model = await model
        except Exception as err:
            # The contents manager speaks tornado HTTPError; turn it into our own errors.
            status = getattr(err, "status_code", None)
            reason = getattr(err, "log_message", None) or str(err)
            if status == 404:
                raise NotFound(
                    f"No notebook at {path!r} (paths are relative to the Jupyter root)."
                ) from None
            if status is not None and 400 <= status < 500:
                raise BadRequest(f"Can't read {path!r}: {reason}") from None
            raise
        content = model.get("content")
        if not isinstance(content, str):
            raise BadRequest(f"Can't read {path!r} as text.")
        return content
