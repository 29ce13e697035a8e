"""Re-export names from a library that may not be installed."""

import importlib


def reexport(module_name: str, names: list[str], namespace: dict) -> list[str]:
    """Copy `names` that `module_name` has into `namespace`; return the ones found."""
    try:
        module = importlib.import_module(module_name)
    except Exception:  # noqa: BLE001 - missing or broken optional dependency
        return []
    found = []
    for name in names:
        if hasattr(module, name):
            namespace[name] = getattr(module, name)
            found.append(name)
    return found
