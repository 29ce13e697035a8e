"""Validation as a service: a cell reference (or module source) -> the report of docs/api.md.

Extracts first (through the extraction service), then asks the project's worker
subprocess to run the checks and the accepter. Runs in the Jupyter server: it imports
no numpy/pandas/sklearn, and every wait is an asyncio wait on the worker's pipes.

A feature that fails is a report with `passed: false`; a worker that could not give a
verdict (timeout, crash, memory, a broken project) is a report with `error` set. Only
bad requests and a missing project raise (4xx).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from ..core.project import ProjectError, find_project_root, load_project, source_hash
from ..errors import BadRequest, NotFound
from ..validation.runner import WorkerFailure, WorkerOptions, WorkerPool

log = logging.getLogger(__name__)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1e3, 1)


class ValidationService:
    """Validates features of the project at (or above) `project_dir` in worker subprocesses.

    `root_dir` is the Jupyter root: a notebook path in a request is resolved against it, so a
    notebook inside another project folder is validated against that project.
    """

    def __init__(
        self,
        *,
        project_dir: str | Path,
        extraction: Any = None,
        options: WorkerOptions | None = None,
        root_dir: str | Path | None = None,
    ) -> None:
        self.project_dir = Path(project_dir) if project_dir else None
        self.root_dir = Path(root_dir).resolve() if root_dir else None
        self.extraction = extraction
        self.pool = WorkerPool(options or WorkerOptions())
        self._warming: dict[Path, asyncio.Task] = {}

    # -- the project -----------------------------------------------------------------------

    def project_root(self, notebook_path: str | None = None) -> Path:
        """The project a request is about: the notebook's, else the configured one."""
        if notebook_path and self.root_dir is not None:
            candidate = (self.root_dir / notebook_path).resolve()
            if candidate == self.root_dir or self.root_dir in candidate.parents:
                found = find_project_root(candidate.parent)
                if found is not None and (
                    found == self.root_dir
                    or self.root_dir in found.parents
                    or (self.project_dir is not None and found == self._configured_root())
                ):
                    return found
        root = self._configured_root()
        if root is None:
            where = self.project_dir or "the server's folder"
            raise NotFound(
                f"No ballet.yml found in {where} or the folders above it, so there is no "
                "project to validate against. Open a project folder, or set "
                "c.JupyterExt.project_dir to the folder holding ballet.yml."
            )
        return root

    def _configured_root(self) -> Path | None:
        return find_project_root(self.project_dir) if self.project_dir else None

    def project_summary(self) -> dict | None:
        """For `GET info`: name, problem type, contrib path, feature count; None if no project."""
        root = self._configured_root()
        if root is None:
            return None
        try:
            return load_project(root).summary()
        except ProjectError as err:
            return {"error": err.message}

    # -- requests ------------------------------------------------------------------------

    async def validate(self, body: dict[str, Any], *, file_path: str | None = None) -> dict:
        """The validation report for the request's cell (or `source`).

        file_path: where the feature would live in the project (relative to its root); that
        file, if it exists, is left out of the existing features (a resubmission).
        """
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        file_path = file_path or body.get("file_path")
        if file_path is not None and (not isinstance(file_path, str) or not file_path.strip()):
            raise BadRequest("`file_path` must be the feature's path relative to the project.")
        if file_path is not None and _escapes(file_path):
            raise BadRequest(
                f"`file_path` {file_path!r} must stay inside the project: a relative path "
                "without '..', such as src/<package>/features/contrib/user_<login>/feature_x.py."
            )

        extraction_json = None
        if body.get("source") is not None:
            source = body["source"]
            if not isinstance(source, str) or not source.strip():
                raise BadRequest("`source` must be the feature module's code (a non-empty string).")
        else:
            if self.extraction is None:
                raise BadRequest("Give `source`: cell extraction is not available here.")
            start = time.perf_counter()
            extraction = await self.extraction.extract(body)
            timings["extract"] = _ms(start)
            source = extraction.module
            extraction_json = extraction.to_json()

        root = self.project_root(body.get("path") if isinstance(body.get("path"), str) else None)
        worker = self.pool.get(root)
        filename = file_path or (
            f"<cell {body.get('cell_id') or body.get('cell_index')}>"
            if body.get("source") is None
            else "<feature>"
        )
        payload: dict[str, Any] = {"source": source, "filename": filename}
        if file_path:
            payload["path"] = file_path
        start = time.perf_counter()
        try:
            report = await worker.request("validate", **payload)
        except WorkerFailure as failure:
            report = _failed_report(source, failure)
        timings["worker"] = _ms(start)

        report.setdefault("timings_ms", {})
        report["timings_ms"] = {**timings, **report["timings_ms"], "total": _ms(t0)}
        report["extraction"] = extraction_json
        return report

    async def prune(self) -> dict:
        """Existing features that the others make redundant (for CI on the default branch)."""
        worker = self.pool.get(self.project_root())
        return await worker.request("prune")

    async def warm(self) -> dict:
        """Start the worker and compute existing features now, so the first validate is fast."""
        worker = self.pool.get(self.project_root())
        return await worker.request("warm")

    def schedule_warm(self) -> asyncio.Task | None:
        """Warm the configured project's worker in the background, once per project.

        Called when the frontend first says hello (`GET info`): the worker imports its
        libraries, loads the data and computes the existing features' values while the
        contributor is still reading the notebook, so the first Validate does not pay
        those seconds. A failure here is only logged; Validate reports it properly.
        """
        root = self._configured_root()
        if root is None:
            return None
        if root not in self._warming:
            self._warming[root] = asyncio.get_running_loop().create_task(self._warm_quietly(root))
        return self._warming[root]

    async def _warm_quietly(self, root: Path) -> None:
        try:
            result = await self.pool.get(root).request("warm")
            log.info("jupyter-ext: worker for %s warm in %s ms", root, result.get("ms"))
        except Exception as err:  # reported again, with advice, by the next validate
            log.warning("jupyter-ext: warming the worker for %s failed: %s", root, err)

    async def stop(self) -> None:
        for task in self._warming.values():
            task.cancel()
        await self.pool.stop_all()


def _escapes(path: str) -> bool:
    """True for an absolute path (`/x`, `C:x`), one with a `..` part, or one with a NUL."""
    normal = path.replace("\\", "/")
    return normal.startswith("/") or ".." in normal.split("/") or "\x00" in path or ":" in path


def _failed_report(source: str, failure: WorkerFailure) -> dict:
    return {
        "passed": False,
        "feature": {"source_hash": source_hash(source)},
        "checks": [],
        "acceptance": None,
        "timings_ms": {},
        "data": None,
        "error": failure.to_json(),
    }
