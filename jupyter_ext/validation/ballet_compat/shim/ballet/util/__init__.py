"""The small utilities of `ballet.util` that feature code uses."""

import numpy as np

from ballet.util.log import logger

RANDOM_STATE = 1754


def asarray2d(a):
    """`a` as a 2-D array (a 1-D input becomes one column)."""
    arr = np.asarray(a)
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


def get_arr_desc(arr) -> str:
    """'<type> <shape>', for error messages."""
    return f"{type(arr).__name__} {getattr(arr, 'shape', '<no shape>')}"


def has_nans(obj) -> bool:
    return bool(np.any(np.isnan(obj)))


__all__ = ("RANDOM_STATE", "asarray2d", "get_arr_desc", "has_nans", "logger")
