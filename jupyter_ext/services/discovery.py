"""Discovery as a service: the project's existing features and its column coverage.

`GET features` asks the project's validation worker (the same one that validates, so the
data and the features' values are loaded once) for the view of validation/discovery.py.
Runs in the Jupyter server: no numpy/pandas here, only an asyncio wait on the worker.

As with a validation report, a worker that could not produce the view (the data can't be
loaded, a timeout, a crash) gives a 200 answer with `error` set and empty lists, so the
panel can say what happened; only a missing project is an error status (404).
"""

from __future__ import annotations

from ..validation.runner import WorkerFailure


class DiscoveryService:
    """Existing features and under-used columns of the project a request is about."""

    def __init__(self, *, validation) -> None:
        # The validation service knows which project a notebook belongs to and owns the
        # worker pool; discovery shares both.
        self.validation = validation

    async def features(self, notebook_path: str | None = None) -> dict:
        """The discovery view (docs/api.md, `GET features`) of the notebook's project."""
        root = self.validation.project_root(notebook_path or None)
        worker = self.validation.pool.get(root)
        try:
            return await worker.discover()
        except WorkerFailure as failure:
            return failed_view(failure)


def failed_view(failure: WorkerFailure) -> dict:
    """The answer when the worker gave no view: empty lists and what went wrong."""
    return {
        "features": [],
        "columns": [],
        "unexplored": [],
        "failed": [],
        "partial": False,
        "error": failure.to_json(),
    }
