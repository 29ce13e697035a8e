"""pandas < 3 behaviour that merged Ballet features rely on, restored in the validation worker.

Ballet projects ran on pandas 1, where `ser[0]` on a Series labelled by column names (a row
in `df.apply(f, axis=1)`, or `df.iloc[i]`) meant "the first value". pandas 2 deprecated that
positional fallback and pandas 3 removed it: the same code now raises `KeyError: 0`, so a
feature that Ballet accepted fails every check here. `enable()` puts the fallback back for
exactly the case pandas 3 rejects: an integer key (or list of integer keys), not found as a
label, on an index that is not numeric (pandas' own `_should_fallback_to_positional`). Any
key that works in pandas 3 behaves as in pandas 3.

Only the validation worker calls it (it runs contributors' code and nothing else that
depends on pandas raising there); the Jupyter server never imports pandas.
"""

from __future__ import annotations

_MARK = "_jupyter_ext_legacy_fallback"


def enable() -> bool:
    """Patch `pandas.Series.__getitem__`; returns True if it is (now) patched."""
    try:
        import pandas as pd
        from pandas.api.types import is_integer
    except ImportError:  # pragma: no cover - the worker always has pandas
        return False
    current = pd.Series.__getitem__
    if getattr(current, _MARK, False):
        return True

    def __getitem__(self, key):
        try:
            return current(self, key)
        except KeyError:
            if not _falls_back(self.index):
                raise
            n = len(self)
            if is_integer(key) and -n <= key < n:
                return self.iloc[key]
            if isinstance(key, list) and key and all(is_integer(k) and -n <= k < n for k in key):
                return self.iloc[key]
            raise

    setattr(__getitem__, _MARK, True)
    __getitem__._original = current  # type: ignore[attr-defined]
    __getitem__.__doc__ = current.__doc__
    pd.Series.__getitem__ = __getitem__
    return True


def disable() -> None:
    """Undo `enable()` (tests use it to leave pandas as they found it)."""
    import pandas as pd

    current = pd.Series.__getitem__
    if getattr(current, _MARK, False):
        pd.Series.__getitem__ = current._original


def _falls_back(index) -> bool:
    flag = getattr(index, "_should_fallback_to_positional", None)
    if flag is not None:
        return bool(flag)
    from pandas.api.types import is_numeric_dtype

    return not is_numeric_dtype(index.dtype)
