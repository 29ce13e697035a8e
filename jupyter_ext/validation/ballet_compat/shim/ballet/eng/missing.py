"""Missing-value transformers of `ballet.eng.missing`."""

import pandas as pd

from ballet.eng.base import BaseTransformer, GroupedFunctionTransformer

__all__ = ("LagImputer", "NullFiller", "NullIndicator")


def _ffill(x):
    return x.ffill()


class LagImputer(GroupedFunctionTransformer):
    """Fill missing values with the previous value in the same group."""

    def __init__(self, groupby_kwargs=None):
        super().__init__(_ffill, groupby_kwargs=groupby_kwargs)

    def get_params(self, deep=True):
        return {"groupby_kwargs": self.groupby_kwargs}


class NullFiller(BaseTransformer):
    """Replace values for which `isnull(value)` holds (default: missing) with `replacement`."""

    def __init__(self, replacement=0.0, isnull=pd.isnull):
        self.replacement = replacement
        self.isnull = isnull

    def transform(self, X, **transform_kwargs):
        mask = self.isnull(X)
        if isinstance(X, (pd.Series, pd.DataFrame)):
            return X.mask(mask, self.replacement)
        X = X.copy()
        X[mask] = self.replacement
        return X


class NullIndicator(BaseTransformer):
    """1 where the value is missing, else 0."""

    def transform(self, X, **transform_kwargs):
        return pd.isnull(X).astype(int)
