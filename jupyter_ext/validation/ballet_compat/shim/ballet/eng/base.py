"""Base classes and general-purpose transformers of `ballet.eng`."""

import numpy as np
import pandas as pd
import sklearn.base
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted

from jupyter_ext.core.transformer import SubsetTransformer

__all__ = (
    "BaseTransformer",
    "ConditionalTransformer",
    "GroupedFunctionTransformer",
    "GroupwiseTransformer",
    "NoFitMixin",
    "SimpleFunctionTransformer",
    "SubsetTransformer",
)


def _identity(x):
    return x


class NoFitMixin:
    """For transformations that learn nothing: `fit` returns self."""

    def fit(self, X, y=None, **fit_kwargs):
        return self


class BaseTransformer(NoFitMixin, TransformerMixin, BaseEstimator):
    """Base class for new transformers: implement `transform` (and `fit` if it learns)."""


class SimpleFunctionTransformer(FunctionTransformer):
    """Apply `func(X, **func_kwargs)` at transform time."""

    def __init__(self, func, func_kwargs=None):
        self.func = func
        self.func_kwargs = func_kwargs or {}
        super().__init__(func=func, kw_args=self.func_kwargs)


class GroupedFunctionTransformer(FunctionTransformer):
    """Apply `func` to each group of `X.groupby(**groupby_kwargs)` (or to all of X)."""

    def __init__(self, func, func_kwargs=None, groupby_kwargs=None):
        self.func = func
        self.func_kwargs = func_kwargs or {}
        self.groupby_kwargs = groupby_kwargs or {}
        super().__init__(func=func, kw_args=self.func_kwargs)

    def transform(self, X, **transform_kwargs):
        apply = super().transform
        if self.groupby_kwargs:
            return X.groupby(**self.groupby_kwargs, group_keys=False).apply(apply)
        return X.pipe(apply)


class GroupwiseTransformer(BaseTransformer):
    """Fit a separate copy of `transformer` on each group seen in training.

    handle_unknown / handle_error: "error" (raise) or "ignore" (pass the group through).
    """

    def __init__(
        self,
        transformer,
        groupby_kwargs=None,
        column_selection=None,
        handle_unknown="error",
        handle_error="error",
    ):
        self.transformer = transformer
        self.groupby_kwargs = groupby_kwargs
        self.column_selection = column_selection
        self.handle_unknown = handle_unknown
        self.handle_error = handle_error

    def _new_transformer(self):
        if isinstance(self.transformer, type) or (
            callable(self.transformer) and not hasattr(self.transformer, "fit")
        ):
            return self.transformer()
        return sklearn.base.clone(self.transformer)

    def fit(self, X, y=None, **fit_kwargs):
        for option in ("handle_unknown", "handle_error"):
            if getattr(self, option) not in ("error", "ignore"):
                raise ValueError(f"Invalid value for {option}: {getattr(self, option)!r}")
        self.groupby_kwargs_ = self.groupby_kwargs or {}
        grouper = X.groupby(**self.groupby_kwargs_)
        self.groups_ = set(grouper.groups.keys())
        self.transformers_ = {}
        for key, x_group in grouper:
            key = key[0] if isinstance(key, tuple) and len(key) == 1 else key
            transformer = self._new_transformer()
            if self.column_selection is not None:
                x_group = x_group[self.column_selection]
            if y is not None:
                y_group = np.asarray(y)[grouper.indices[key]]
                transformer.fit(x_group, y_group)
            else:
                transformer.fit(x_group)
            self.transformers_[key] = transformer
        return self

    def transform(self, X, **transform_kwargs):
        check_is_fitted(self, ["groups_", "transformers_"])
        pieces = []
        for key, x_group in X.groupby(**self.groupby_kwargs_):
            key = key[0] if isinstance(key, tuple) and len(key) == 1 else key
            if self.column_selection is not None:
                x_group = x_group[self.column_selection]
            transformer = self.transformers_.get(key)
            if transformer is None:
                if self.handle_unknown == "error":
                    raise ValueError(f"Unknown group: {key!r}")
                pieces.append(x_group)
                continue
            try:
                data = transformer.transform(x_group)
                pieces.append(pd.DataFrame(data, index=x_group.index, columns=x_group.columns))
            except Exception:
                if self.handle_error == "error":
                    raise
                pieces.append(x_group)
        return pd.concat(pieces).loc[X.index]


class ConditionalTransformer(BaseTransformer):
    """Transform the columns that satisfy `condition` at fit time; the others differently.

    `condition(X)` gives a bool (or one bool per column); satisfied columns get
    `satisfy_transform`, the rest `unsatisfy_transform` (identity by default).
    """

    def __init__(self, condition, satisfy_transform, unsatisfy_transform=None):
        self.condition = condition
        self.satisfy_transform = satisfy_transform
        self.unsatisfy_transform = unsatisfy_transform

    def _unsatisfy(self):
        return self.unsatisfy_transform or _identity

    def fit(self, X, y=None, **fit_kwargs):
        self.satisfied_columns_ = np.asarray(self.condition(X))
        self.unsatisfied_columns_ = np.logical_not(self.satisfied_columns_)
        return self

    def transform(self, X, **transform_kwargs):
        check_is_fitted(self, ["satisfied_columns_", "unsatisfied_columns_"])
        satisfied = self.satisfied_columns_
        unsatisfy = self._unsatisfy()
        if isinstance(X, pd.DataFrame):
            X = X.copy()
            mask = np.broadcast_to(satisfied, (X.shape[1],))
            if mask.any():
                cols = X.columns[mask]
                X[cols] = self.satisfy_transform(X[cols])
            if (~mask).any():
                cols = X.columns[~mask]
                X[cols] = unsatisfy(X[cols])
            return X
        if np.ndim(X) == 1:
            return self.satisfy_transform(X) if bool(np.all(satisfied)) else unsatisfy(X)
        if isinstance(X, np.ndarray):
            X = X.astype(float, copy=True)
            mask = np.broadcast_to(satisfied, (X.shape[1],))
            if mask.any():
                X[:, mask] = self.satisfy_transform(X[:, mask])
            if (~mask).any():
                X[:, ~mask] = unsatisfy(X[:, ~mask])
            return X
        if not bool(np.any(satisfied)):
            return unsatisfy(X)
        raise TypeError(f"Couldn't apply transformer on features in {type(X).__name__}.")
