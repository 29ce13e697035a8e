"""`ballet.feature.Feature` is jupyter-ext's Feature (same constructor signature)."""

from jupyter_ext.core.feature import Feature

__all__ = ("Feature",)
