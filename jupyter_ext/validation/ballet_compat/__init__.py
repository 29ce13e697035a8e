"""A stand-in for the `ballet` package, for validating real Ballet feature modules.

Ballet 0.19.5 cannot be installed next to current pandas/scikit-learn, yet contributed
modules say `from ballet import Feature` and `from ballet.eng.external import SimpleImputer`.
`activate()` puts `shim/` (a small `ballet` package mapping those names onto our Feature
and onto scikit-learn) at the front of sys.path, but only when the real `ballet` can't be
imported. Only the validation worker calls it: the Jupyter server never sees these modules.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

SHIM_DIR = Path(__file__).resolve().parent / "shim"

_state: dict[str, str] = {}


def _drop_ballet_modules() -> None:
    for name in [m for m in sys.modules if m == "ballet" or m.startswith("ballet.")]:
        del sys.modules[name]


def real_ballet_importable() -> bool:
    """True if `import ballet` works without the shim (the real package, installed and usable)."""
    shim = str(SHIM_DIR)
    if shim in sys.path:
        return False
    try:
        module = importlib.import_module("ballet")
    except Exception:  # noqa: BLE001 - any failure means "not usable here"
        _drop_ballet_modules()
        return False
    return not getattr(module, "__jupyter_ext_compat__", False)


def activate() -> str:
    """Make `import ballet` work; returns "real" or "compat" (which one is in use)."""
    if "mode" in _state:
        return _state["mode"]
    if real_ballet_importable():
        _state["mode"] = "real"
    else:
        _drop_ballet_modules()
        sys.path.insert(0, str(SHIM_DIR))
        importlib.invalidate_caches()
        _state["mode"] = "compat"
    return _state["mode"]


def deactivate() -> None:
    """Undo `activate()` (tests use it to leave the interpreter as they found it)."""
    if _state.pop("mode", None) == "compat":
        while str(SHIM_DIR) in sys.path:
            sys.path.remove(str(SHIM_DIR))
        _drop_ballet_modules()
        importlib.invalidate_caches()
