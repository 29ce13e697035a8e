"""Miscellaneous transformers of `ballet.eng.misc`."""

import numpy as np
import pandas as pd
from scipy.special import boxcox1p
from scipy.stats import skew
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted

from ballet.eng.base import BaseTransformer, ConditionalTransformer, _identity

__all__ = (
    "BoxCoxTransformer",
    "ColumnSelector",
    "ComputedValueTransformer",
    "IdentityTransformer",
    "NamedFramer",
    "NullTransformer",
    "ValueReplacer",
)


class IdentityTransformer(FunctionTransformer):
    """Passes its input through unchanged."""

    def __init__(self):
        super().__init__(func=_identity, inverse_func=_identity, validate=False)


class _SkewAbove:
    def __init__(self, threshold):
        self.threshold = threshold

    def __call__(self, X):
        return np.abs(skew(X)) > self.threshold


class _BoxCox1p:
    def __init__(self, lmbda):
        self.lmbda = lmbda

    def __call__(self, X):
        return boxcox1p(X, self.lmbda)


class BoxCoxTransformer(ConditionalTransformer):
    """Box-Cox transform of 1+x for the columns whose |skew| exceeds `threshold` in training."""

    def __init__(self, threshold, lmbda=0.0):
        self.threshold = threshold
        self.lmbda = lmbda
        super().__init__(_SkewAbove(threshold), _BoxCox1p(lmbda))

    def get_params(self, deep=True):
        return {"threshold": self.threshold, "lmbda": self.lmbda}


class ValueReplacer(BaseTransformer):
    """Replace every occurrence of `value` (by equality) with `replacement`."""

    def __init__(self, value, replacement):
        self.value = value
        self.replacement = replacement

    def transform(self, X, **transform_kwargs):
        X = X.copy()
        mask = X == self.value
        if isinstance(X, (pd.Series, pd.DataFrame)):
            return X.mask(mask, self.replacement)
        X[mask] = self.replacement
        return X


class NamedFramer(BaseTransformer):
    """Turn a Series, 1-column frame or 1-D array into a one-column DataFrame named `name`."""

    def __init__(self, name):
        self.name = name

    def transform(self, X, **transform_kwargs):
        if isinstance(X, pd.Index):
            return X.to_series().to_frame(name=self.name)
        if isinstance(X, pd.Series):
            return X.to_frame(name=self.name)
        if isinstance(X, pd.DataFrame) and X.shape[1] == 1:
            return X.set_axis([self.name], axis=1)
        if isinstance(X, np.ndarray) and (X.ndim == 1 or (X.ndim == 2 and X.shape[1] == 1)):
            return pd.DataFrame(X.reshape(-1, 1), columns=[self.name])
        raise ValueError(
            f"Couldn't convert {type(X).__name__} {getattr(X, 'shape', '')} to a named 1-d frame."
        )


class NullTransformer(BaseTransformer):
    """Produces no columns (an n x 0 array)."""

    def transform(self, X, **transform_kwargs):
        return np.empty((np.size(X, 0), 0))


class ComputedValueTransformer(BaseTransformer):
    """Compute `func(X_train)` in fit; transform any input to that constant, same shape."""

    def __init__(self, func, pass_y=False):
        self.func = func
        self.pass_y = pass_y

    def fit(self, X, y=None, **fit_kwargs):
        self.value_ = self.func(X, y=y) if self.pass_y else self.func(X)
        self.dtype_ = np.asarray(self.value_).dtype
        return self

    def transform(self, X, **transform_kwargs):
        check_is_fitted(self, ["value_", "dtype_"])
        return np.full_like(np.asarray(X), self.value_, dtype=self.dtype_)


class ColumnSelector(BaseTransformer):
    """Select one or more columns of a DataFrame."""

    def __init__(self, cols):
        self.cols = cols

    def transform(self, X, **transform_kwargs):
        return X.loc[:, self.cols]
