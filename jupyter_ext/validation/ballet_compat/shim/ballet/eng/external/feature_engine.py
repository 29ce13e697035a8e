"""feature_engine transformers, when that package is installed."""

import importlib

from ballet.eng.external._optional import reexport

__all__ = []
for _sub in ("imputation", "encoding", "discretisation", "outliers", "transformation", "creation"):
    try:
        _module = importlib.import_module(f"feature_engine.{_sub}")
    except Exception:  # noqa: BLE001 - feature_engine missing or changed
        continue
    __all__ += reexport(f"feature_engine.{_sub}", getattr(_module, "__all__", []), globals())
