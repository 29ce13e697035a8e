"""Turning a feature's `transformer` into something that fits and transforms reliably.

Contributors write transformers in many shapes: an sklearn object, a plain function, a
list of these (a pipeline), a `(columns, transformer)` tuple, or None. And they rarely
know whether their code receives a DataFrame, a Series or an array. Ballet's answer,
kept here, is a robust wrapper that tries the input as given, then as a Series, a
DataFrame, an array and a 2-D array, and remembers the first that works, so
`SimpleImputer` on a single column name "just works".

Unlike Ballet, `fit_transform` is always `fit` then `transform` on the same wrapper (as
Ballet's pipeline effectively does), which lets the checks share fits.

numpy/pandas are imported inside functions: this module is part of the import-light core.
"""

from __future__ import annotations

from typing import Any

CONVERSION_ORDER = ("identity", "series", "dataframe", "array", "array2d")


class TransformerSpecError(ValueError):
    """The `transformer` can't be turned into a fit/transform object; says which part."""


def _convert(name: str, obj: Any) -> Any:
    import numpy as np
    import pandas as pd

    if name == "identity":
        return obj
    if name == "series":
        return pd.Series(obj)
    if name == "dataframe":
        return pd.DataFrame(obj)
    if name == "array":
        return np.asarray(obj)
    if name == "array2d":
        arr = np.asarray(obj)
        return arr.reshape(-1, 1) if arr.ndim == 1 else arr
    raise ValueError(name)


def _skippable(exc: BaseException) -> bool:
    """Errors that mean "wrong input shape/type, try the next conversion" (as Ballet)."""
    if isinstance(exc, (ValueError, TypeError)):
        return True
    # pandas-dev/pandas#35744: pd.Series(2-D) raises a bare Exception.
    return type(exc) is Exception and "Data must be 1-dimensional" in str(exc)


class IdentityTransformer:
    """Passes its input through (what `transformer=None` means)."""

    def fit(self, X, y=None, **kwargs):
        return self

    def transform(self, X, **kwargs):
        return X

    def fit_transform(self, X, y=None, **kwargs):
        return X

    def __repr__(self):
        return "IdentityTransformer()"


class CallableTransformer:
    """A plain function used as a transformer: no fit, `transform(X) = func(X)`."""

    def __init__(self, func):
        self.func = func

    def fit(self, X, y=None, **kwargs):
        return self

    def transform(self, X, **kwargs):
        return self.func(X)

    def fit_transform(self, X, y=None, **kwargs):
        return self.func(X)

    def __repr__(self):
        return f"CallableTransformer({getattr(self.func, '__name__', self.func)!r})"


class SubsetTransformer:
    """`(columns, transformer)` inside a pipeline: transform those columns, keep the others.

    The transformed columns come first (named `alias`, or after the input columns), the
    untouched columns follow, as Ballet's sklearn-pandas based version returns them.
    """

    def __init__(self, input, transformer, alias=None):
        self.input = input
        self.transformer = transformer
        self.alias = alias

    def _robust(self):
        if not hasattr(self, "_fitted"):
            self._fitted = make_robust(self.transformer)
        return self._fitted

    def fit(self, X, y=None, **kwargs):
        self._fitted = make_robust(self.transformer)
        self._fitted.fit(_select(X, self.input), y)
        return self

    def transform(self, X, **kwargs):
        import pandas as pd

        selected = self._robust().transform(_select(X, self.input))
        values = as_2d(selected)
        cols = _subset_names(self.input, self.alias, values.shape[1], selected)
        out = pd.DataFrame(values, index=getattr(X, "index", None), columns=cols)
        if isinstance(X, pd.DataFrame):
            chosen = [self.input] if isinstance(self.input, str) else list(self.input)
            rest = X.drop(columns=[c for c in chosen if c in X.columns])
            out = pd.concat([out, rest], axis=1)
        return out

    def fit_transform(self, X, y=None, **kwargs):
        return self.fit(X, y).transform(X)


def _subset_names(input, alias, q, selected) -> list[str]:
    if isinstance(alias, (list, tuple)) and len(alias) == q:
        return list(alias)
    base = alias or (input if isinstance(input, str) else "_".join(map(str, input)))
    if q == 1:
        return [base]
    columns = getattr(selected, "columns", None)
    if columns is not None and len(columns) == q:
        return [f"{base}_{c}" for c in columns]
    return [f"{base}_{i}" for i in range(q)]


def _select(X, input):
    if isinstance(input, str):
        return X[input]
    return X[list(input)]


class RobustTransformer:
    """Delegates to `transformer`, converting the input until the transformer accepts it.

    The first conversion that works (in CONVERSION_ORDER) is remembered and used for every
    later call, as Ballet's DelegatingRobustTransformer does. Errors other than
    ValueError/TypeError propagate at once: they are the feature's bugs, not shape issues.
    """

    def __init__(self, transformer):
        self.transformer = transformer
        self.conversion: str | None = None

    def fit(self, X, y=None, **kwargs):
        self._call("fit", X, y)
        return self

    def transform(self, X, **kwargs):
        return self._call("transform", X, None)

    def fit_transform(self, X, y=None, **kwargs):
        return self.fit(X, y).transform(X)

    def _call(self, method_name: str, X, y):
        method = getattr(self.transformer, method_name)
        if self.conversion is not None:
            return self._invoke(method, self.conversion, X, y)
        errors = []
        for name in CONVERSION_ORDER:
            try:
                result = self._invoke(method, name, X, y)
            except Exception as exc:  # noqa: BLE001 - filtered by _skippable
                if not _skippable(exc):
                    raise
                errors.append(exc)
                continue
            self.conversion = name
            return result
        # None worked: the first error is the one a person can learn from (input as given).
        raise errors[0]

    @staticmethod
    def _invoke(method, conversion, X, y):
        if y is None:
            return method(_convert(conversion, X))
        return method(_convert(conversion, X), _convert(conversion, y))

    def __repr__(self):
        return f"RobustTransformer({self.transformer!r})"


class TransformerPipeline:
    """A list of robust steps; each step fits on (and transforms) the previous one's output."""

    def __init__(self, steps):
        self.steps = list(steps)

    def fit(self, X, y=None, **kwargs):
        Xt = X
        for i, step in enumerate(self.steps):
            if i == len(self.steps) - 1:
                step.fit(Xt, y)
            else:
                Xt = step.fit(Xt, y).transform(Xt)
        return self

    def transform(self, X, **kwargs):
        Xt = X
        for step in self.steps:
            Xt = step.transform(Xt)
        return Xt

    def fit_transform(self, X, y=None, **kwargs):
        return self.fit(X, y).transform(X)

    def __repr__(self):
        return f"TransformerPipeline({self.steps!r})"


def desugar(transformer) -> Any:
    """None -> identity, function -> CallableTransformer, (cols, t) -> SubsetTransformer."""
    if transformer is None:
        return IdentityTransformer()
    if isinstance(transformer, tuple) and len(transformer) in (2, 3):
        return SubsetTransformer(*transformer)
    if isinstance(transformer, type):
        raise TransformerSpecError(
            f"The transformer is the class {transformer.__name__}, not an instance of it; "
            f"write {transformer.__name__}() with parentheses."
        )
    if _has_interface(transformer):
        return transformer
    if callable(transformer):
        return CallableTransformer(transformer)
    return transformer


def missing_methods(transformer) -> list[str]:
    """Which of fit/transform/fit_transform the (desugared) transformer lacks."""
    return [m for m in ("fit", "transform", "fit_transform") if not hasattr(transformer, m)]


def _has_interface(obj) -> bool:
    return not missing_methods(obj)


def make_robust(transformer):
    """A RobustTransformer, or a TransformerPipeline of them for a list."""
    if isinstance(transformer, list):
        if not transformer:
            return RobustTransformer(IdentityTransformer())
        return TransformerPipeline([make_robust(t) for t in transformer])
    step = desugar(transformer)
    missing = missing_methods(step)
    if missing:
        raise TransformerSpecError(
            f"{type(step).__name__} object is not a transformer: it has no "
            + ", ".join(missing)
            + " method"
            + ("s" if len(missing) > 1 else "")
        )
    return RobustTransformer(step)


def as_2d(result):
    """Any transformer output (Series, DataFrame, array, sparse matrix, list) as a 2-D array."""
    import numpy as np
    import pandas as pd

    if hasattr(result, "toarray") and callable(result.toarray):  # scipy.sparse
        result = result.toarray()
    if isinstance(result, pd.Series):
        return _frame_values(result.to_frame())
    if isinstance(result, pd.DataFrame):
        return _frame_values(result)
    arr = np.asarray(result)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim > 2:
        arr = arr.reshape(arr.shape[0], -1)
    return arr


def _frame_values(frame):
    import numpy as np

    try:
        # Nullable dtypes (Int64, boolean, Float64) carry pd.NA: map it to NaN.
        return frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        return frame.to_numpy()


def as_float(values):
    """The 2-D output as float64, or None when it holds values that are not numbers."""
    import numpy as np

    if values.dtype.kind in "fiub":
        return values.astype(np.float64, copy=False)
    try:
        return values.astype(np.float64)
    except (TypeError, ValueError):
        return None
