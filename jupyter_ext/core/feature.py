"""The feature contract (Ballet-compatible) and loading a feature from module source.

A feature module defines, at module level, `input` (a column name or list of names),
`transformer` (an sklearn-style object, a function, a list of these, or None), `name`,
and optionally `description` and `output`; or it binds one `Feature(...)` object, as
real Ballet modules do (`feature = Feature(input, transformer, name=...)`).

`Feature` keeps the transformer as written; `as_feature_engineering_pipeline()` builds
the robust, runnable form (see core/transformer.py). numpy/pandas are only imported
when a pipeline runs, so `from jupyter_ext import Feature` stays cheap.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .transformer import as_2d, make_robust


def slugify(text: str) -> str:
    """`Log lot area (sq ft)` -> `log_lot_area_sq_ft` (names of outputs and files)."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", str(text)).strip("_").lower()
    return slug or "feature"


class Feature:
    """A feature definition: a learned map from raw columns to feature values.

    Same signature as `ballet.Feature`, so `from ballet import Feature` modules and
    `from jupyter_ext import Feature` modules are interchangeable.

    Args:
        input: the column name, or list of column names, the transformer receives.
        transformer: an object with fit/transform, a function, a list of these
            (applied in order), a `(columns, transformer)` tuple inside a list, or None.
        name: a human-readable name; the output defaults to its slug.
        description: what the feature means, for reviewers and consumers.
        output: the name, or list of names, of the columns it produces.
        source: the module the feature came from (set when collected).
        options: free-form options (kept for Ballet compatibility).
    """

    def __init__(
        self,
        input,
        transformer,
        name: str | None = None,
        description: str | None = None,
        output=None,
        source: str | None = None,
        options: dict | None = None,
    ):
        self.input = input
        self.transformer = transformer
        self.name = name
        self.description = description
        self.output = output if output else (slugify(name) if name else None)
        self.source = source
        self.options = options or {}

    def __repr__(self):
        return (
            f"Feature(input={self.input!r}, transformer={self.transformer!r}, "
            f"name={self.name!r}, output={self.output!r})"
        )

    @property
    def author(self) -> str | None:
        """The contributor, from a `...user_<login>.feature_<slug>` source module name."""
        if self.source:
            parts = self.source.split(".")
            if len(parts) >= 2 and parts[-2].startswith("user_"):
                return parts[-2][len("user_") :]
        return None

    def input_columns(self) -> list[str]:
        if isinstance(self.input, str):
            return [self.input]
        try:
            return [str(c) for c in self.input]
        except TypeError:
            return []

    def as_feature_engineering_pipeline(self) -> FeaturePipeline:
        """A fresh, unfitted pipeline: select `input`, apply the robust transformer."""
        return FeaturePipeline(self)

    pipeline = as_feature_engineering_pipeline


class FeaturePipeline:
    """Selects the feature's input columns from the entities frame and runs its transformer.

    `transform` returns a 2-D numpy array (rows x feature columns); `columns_hint` keeps
    the output's column labels when the transformer returned a DataFrame, for naming.
    """

    def __init__(self, feature: Feature):
        self.feature = feature
        self.input = feature.input if isinstance(feature.input, str) else list(feature.input)
        self.transformer = make_robust(_own_copy(feature.transformer))
        self.columns_hint: list | None = None

    def _select(self, X):
        return classic_text_dtypes(X[self.input])

    def fit(self, X, y=None):
        self.transformer.fit(self._select(X), y)
        return self

    def transform(self, X):
        result = self.transformer.transform(self._select(X))
        columns = getattr(result, "columns", None)
        self.columns_hint = list(columns) if columns is not None else None
        return as_2d(result)

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)


def classic_text_dtypes(selected):
    """Text columns as `object` dtype, as every pandas before 3 gave them to features.

    pandas 3 reads text as its `str` dtype, which refuses non-text values: the Ballet-era
    idiom `df[df.isnull()] = 0` or `ser[mask] = -1` on a text column raises TypeError
    there, and `select_dtypes("object")` no longer finds text. Feature code was written
    against object columns (NaN for missing), so that is what it gets. Numeric columns
    are untouched; only the selected columns are converted.
    """
    import pandas as pd

    if isinstance(selected, pd.Series):
        return selected.astype(object) if isinstance(selected.dtype, pd.StringDtype) else selected
    if isinstance(selected, pd.DataFrame):
        text = [i for i, dtype in enumerate(selected.dtypes) if isinstance(dtype, pd.StringDtype)]
        if text:
            selected = selected.copy(deep=False)  # by position: column names may repeat
            for i in text:
                selected.isetitem(i, selected.iloc[:, i].astype(object))
    return selected


def _own_copy(transformer):
    """A private copy, so two pipelines of one feature never refit each other's state.

    (Ballet's pipelines share the feature's transformer object; that only works because
    its checks never interleave fits.) Objects that can't be deep-copied are shared.
    """
    import copy

    try:
        return copy.deepcopy(transformer)
    except Exception:  # noqa: BLE001 - CanDeepcopyCheck reports it
        return transformer


def output_names(feature: Feature, n_columns: int, columns_hint: list | None = None) -> list[str]:
    """Names of the feature's output columns, following `output` (or the name's slug)."""
    output = feature.output
    if isinstance(output, (list, tuple)) and len(output) == n_columns:
        return [str(o) for o in output]
    if isinstance(output, str) and output:
        base = output
    elif feature.name:
        base = slugify(feature.name)
    else:
        base = slugify("_".join(feature.input_columns()) or "feature")
    if n_columns == 1:
        return [base]
    for labels in (columns_hint, feature.input_columns()):
        # Name columns after the output frame's labels, else after the input columns
        # when they map one to one (a scaler over three columns), else by position.
        if labels is not None and len(labels) == n_columns:
            slugs = [slugify(c) for c in labels]
            if len(set(slugs)) == n_columns and not all(str(c).isdigit() for c in labels):
                return [f"{base}_{s}" for s in slugs]
    return [f"{base}_{i}" for i in range(n_columns)]


# -- loading a feature from module source ---------------------------------------------------


class FeatureLoadError(Exception):
    """The module could not be run, or defines no (or several) features.

    `kind` is one of: syntax, undefined-name, import, exception, no-feature, many-features.
    """

    def __init__(self, kind: str, message: str, *, line: int | None = None, name: str = ""):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line
        self.name = name


@dataclass
class LoadedFeature:
    feature: Feature
    module: types.ModuleType
    how: str  # "object" (a Feature(...) binding) or "module" (module-level variables)


_MODULE_PREFIX = "_jupyter_ext_feature_"


def load_feature_from_source(
    source: str,
    *,
    module_name: str | None = None,
    filename: str | None = None,
    default_name: str | None = None,
) -> LoadedFeature:
    """Run `source` in a fresh module namespace and collect its one feature.

    Nothing from the caller's namespace (or a notebook's) is visible: a feature that
    relies on notebook state fails here with an undefined-name error, as it would in CI.
    The module is registered in sys.modules under a private name while it lives, so
    dataclasses, pickling by reference and `typing` work inside it.
    """
    filename = filename or "<feature>"
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as err:
        raise FeatureLoadError(
            "syntax",
            f"Syntax error on line {err.lineno}: {err.msg}",
            line=err.lineno,
        ) from None

    import hashlib

    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    private = _MODULE_PREFIX + digest
    module = types.ModuleType(private)
    module.__file__ = filename
    sys.modules[private] = module
    try:
        exec(code, module.__dict__)  # noqa: S102 - user code, only ever in the worker
    except NameError as err:
        name = getattr(err, "name", None) or _name_from_message(str(err))
        raise FeatureLoadError(
            "undefined-name",
            f"NameError: {err}",
            line=_user_line(err, filename),
            name=name or "",
        ) from None
    except ImportError as err:
        raise FeatureLoadError(
            "import",
            f"{type(err).__name__}: {err}",
            line=_user_line(err, filename),
            name=getattr(err, "name", None) or "",
        ) from None
    except MemoryError:
        raise
    except Exception as err:
        raise FeatureLoadError(
            "exception",
            f"{type(err).__name__}: {err}",
            line=_user_line(err, filename),
        ) from None
    feature, how = collect_feature(module.__dict__, default_name=default_name)
    if not feature.source:
        feature.source = module_name or private
    return LoadedFeature(feature=feature, module=module, how=how)


def collect_feature(namespace: dict, *, default_name: str | None = None) -> tuple[Feature, str]:
    """The module's one Feature object, or one built from its module-level variables."""
    found = [
        (key, value)
        for key, value in namespace.items()
        if not key.startswith("__") and _is_feature_object(value)
    ]
    # The same object bound twice (feature = f = Feature(...)) is one feature.
    unique = list({id(v): (k, v) for k, v in found}.values())
    if len(unique) > 1:
        names = ", ".join(k for k, _ in unique)
        raise FeatureLoadError(
            "many-features",
            f"The module defines {len(unique)} Feature objects ({names}); "
            "a feature module must define exactly one.",
        )
    if unique:
        feature = _as_our_feature(unique[0][1])
        how = "object"
    elif "input" in namespace and "transformer" in namespace:
        feature = Feature(
            namespace["input"],
            namespace["transformer"],
            name=_str_or_none(namespace.get("name")),
            description=_str_or_none(namespace.get("description")),
            output=namespace.get("output"),
        )
        how = "module"
    else:
        missing = [k for k in ("input", "transformer") if k not in namespace]
        raise FeatureLoadError(
            "no-feature",
            "No feature found: the module defines neither a Feature(...) object nor "
            + " and ".join(f"`{m}`" for m in missing)
            + " at module level.",
        )
    # Module-level name/description fill what the Feature(...) call left out.
    if not feature.name:
        feature.name = _str_or_none(namespace.get("name")) or default_name
        if not feature.output and feature.name:
            feature.output = slugify(feature.name)
    if not feature.description:
        feature.description = _str_or_none(namespace.get("description"))
    return feature, how


def _is_feature_object(value: Any) -> bool:
    if isinstance(value, Feature):
        return True
    # A real ballet.Feature (when Ballet itself is installed in the worker's environment).
    cls = type(value)
    return (
        cls.__name__ == "Feature"
        and not isinstance(value, type)
        and hasattr(value, "input")
        and hasattr(value, "transformer")
    )


def _as_our_feature(value: Any) -> Feature:
    if isinstance(value, Feature):
        return value
    return Feature(
        value.input,
        value.transformer,
        name=getattr(value, "name", None),
        description=getattr(value, "description", None),
        output=getattr(value, "output", None),
        source=getattr(value, "source", None),
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _name_from_message(message: str) -> str | None:
    match = re.search(r"name '([^']+)' is not defined", message)
    return match.group(1) if match else None


def _user_line(err: BaseException, filename: str) -> int | None:
    """The deepest traceback line that is in the feature's own code."""
    line = None
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def default_name_for_path(path: str | Path) -> str | None:
    """`.../feature_lot_area.py` -> `lot_area` (the name Ballet would show)."""
    stem = Path(path).stem
    return stem[len("feature_") :] if stem.startswith("feature_") else None
