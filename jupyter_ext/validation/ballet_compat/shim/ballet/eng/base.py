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

    `transformer` is cloned for each group (or, if it is a class or another callable,
    called with no arguments). handle_unknown / handle_error: "error" (raise) or "ignore"
    (pass the group's values through unchanged). Like Ballet's, but with the rows kept
    in their order and count: rows whose group key is missing (NaN, which groupby drops)
    count as an unknown group instead of silently vanishing from the output, and a
    transformer that returns a different number of columns than it was given (e.g.
    SimpleImputer dropping a column that is all missing in one group) is an error that
    says so.
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

    def _groups(self, X):
        """{group key: row positions}, keys as scalars for one grouping column."""
        grouper = X.groupby(**self.groupby_kwargs_)
        return {_group_key(key): np.asarray(pos) for key, pos in grouper.indices.items()}

    def _select(self, x_group):
        return x_group if self.column_selection is None else x_group[self.column_selection]

    def fit(self, X, y=None, **fit_kwargs):
        for option in ("handle_unknown", "handle_error"):
            if getattr(self, option) not in ("error", "ignore"):
                raise ValueError(f"Invalid value for {option}: {getattr(self, option)!r}")
        self.groupby_kwargs_ = dict(self.groupby_kwargs or {})
        X = X.to_frame() if isinstance(X, pd.Series) else X
        groups = self._groups(X)
        self.groups_ = set(groups)
        self.transformers_ = {}
        for key, positions in groups.items():
            transformer = self._new_transformer()
            x_group = self._select(X.iloc[positions])
            if y is not None:
                transformer.fit(x_group, _take_rows(y, positions))
            else:
                transformer.fit(x_group)
            self.transformers_[key] = transformer
        return self

    def transform(self, X, **transform_kwargs):
        check_is_fitted(self, ["groups_", "transformers_"])
        was_series = isinstance(X, pd.Series)
        X = X.to_frame() if was_series else X
        groups = self._groups(X)
        grouped = np.concatenate([np.arange(0)] + list(groups.values()))
        ungrouped = np.setdiff1d(np.arange(len(X)), grouped)  # missing keys: unknown
        pieces, order = [], []
        for key, positions in [*groups.items(), (None, ungrouped)]:
            if len(positions) == 0:
                continue
            x_group = self._select(X.iloc[positions])
            pieces.append(self._transform_group(key, x_group))
            order.append(positions)
        if not pieces:
            return self._select(X)
        result = pd.concat(pieces).iloc[np.argsort(np.concatenate(order), kind="stable")]
        if was_series and result.shape[1] == 1:
            return result.iloc[:, 0]
        return result

    def _transform_group(self, key, x_group):
        transformer = self.transformers_.get(key)
        if transformer is None:
            if self.handle_unknown == "ignore":
                return x_group
            what = "a missing group key" if key is None else f"the group {key!r}"
            raise ValueError(
                f"GroupwiseTransformer: {len(x_group)} rows have {what}, not seen in fit. "
                "Pass handle_unknown='ignore' to keep their values unchanged."
            )
        try:
            data = transformer.transform(x_group)
            if hasattr(data, "toarray"):
                data = data.toarray()
            shape = np.shape(data)
            if len(shape) == 1 and x_group.ndim == 2 and x_group.shape[1] == 1:
                data = np.reshape(data, (-1, 1))
            elif shape[1:] != x_group.shape[1:]:
                raise ValueError(
                    f"GroupwiseTransformer: for the group {key!r}, "
                    f"{type(transformer).__name__} returned {shape[1] if len(shape) > 1 else 1}"
                    f" column(s) for {x_group.shape[1]}; it must return one per column given "
                    "(SimpleImputer drops a column that is all missing within a group: use "
                    "SimpleImputer(keep_empty_features=True), or handle_error='ignore')."
                )
            if isinstance(x_group, pd.Series):
                return pd.Series(np.ravel(data), index=x_group.index, name=x_group.name)
            return pd.DataFrame(data, index=x_group.index, columns=x_group.columns)
        except Exception:
            if self.handle_error == "ignore":
                return x_group
            raise


def _group_key(key):
    return key[0] if isinstance(key, tuple) and len(key) == 1 else key


def _take_rows(y, positions):
    """The rows of y at these positions (pandas stays pandas: `iloc`, never labels)."""
    if isinstance(y, (pd.Series, pd.DataFrame)):
        return y.iloc[positions]
    return np.asarray(y)[positions]


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
