"""A feature-engineering project: its `ballet.yml`, its layout and how to load its data.

Ballet reads `ballet.yml` through Dynaconf; we read the same keys as plain YAML so a
project made for Ballet works unchanged. Everything here is pure: pyyaml is imported
lazily, pandas only inside the data-loading functions (which run in the validation
worker, never in the Jupyter server).

Config errors name the file and the key, because the person fixing them is a
maintainer looking at `ballet.yml`, not at our code.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_FILENAME = "ballet.yml"

DEFAULT_ACCEPTER = "ballet.validation.feature_acceptance.validator.GFSSFAccepter"
DEFAULT_PRUNER = "ballet.validation.feature_pruning.validator.GFSSFPruner"
PROBLEM_TYPES = ("classification", "regression")


class ProjectError(Exception):
    """The project's config or data can't be used; `message` says where and why."""

    def __init__(self, message: str, *, kind: str = "project"):
        super().__init__(message)
        self.message = message
        # "project" for ballet.yml problems, "data" for data that can't be loaded.
        self.kind = kind


@dataclass(frozen=True)
class TableSpec:
    name: str
    path: str
    read_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DataSpec:
    """Where the training data comes from: tables in a split folder, or a loader function."""

    splits: dict[str, str]
    entities_table: str
    targets_table: str
    tables: tuple[TableSpec, ...]
    loader: str | None = None  # "module:function" returning (X_df, y_df)
    target_encoder: str | None = None  # "module:function" returning a transformer


@dataclass(frozen=True)
class Project:
    root: Path
    config_path: Path
    name: str
    slug: str
    package: str
    problem_type: str
    scorer: str | None
    classification_type: str | None
    contrib_module_name: str
    contrib_module_path: str  # relative to root, posix separators
    accepter: Any  # Ballet spec: class path str or {name, params}
    pruner: Any
    split: str
    data: DataSpec
    raw: dict = field(repr=False, default_factory=dict)

    @property
    def contrib_dir(self) -> Path:
        return self.root / self.contrib_module_path

    def feature_files(self) -> list[Path]:
        """Contributed feature modules: `<contrib>/user_<login>/feature_<slug>.py`, sorted."""
        contrib = self.contrib_dir
        if not contrib.is_dir():
            return []
        return sorted(
            p
            for p in contrib.glob("user_*/feature_*.py")
            if p.is_file() and not p.name.startswith(".")
        )

    def relative(self, path: Path | str) -> str:
        """`path` relative to the project root, with forward slashes."""
        path = Path(path)
        if not path.is_absolute():
            path = self.root / path
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def module_name_for(self, path: Path | str) -> str:
        """Dotted module name Ballet would give a contributed file (used as feature `source`)."""
        rel = Path(self.relative(path))
        contrib = Path(self.contrib_module_path)
        try:
            inner = rel.relative_to(contrib)
        except ValueError:
            return rel.with_suffix("").as_posix().replace("/", ".")
        return ".".join([self.contrib_module_name, *inner.with_suffix("").parts])

    def summary(self) -> dict:
        """What the frontend may show about the project (no paths outside it, no secrets)."""
        return {
            "name": self.name,
            "slug": self.slug,
            "package": self.package,
            "problem_type": self.problem_type,
            "scorer": self.scorer,
            "contrib_module_name": self.contrib_module_name,
            "contrib_path": self.contrib_module_path,
            "feature_count": len(self.feature_files()),
            "accepter": _spec_name(self.accepter),
            "split": self.split,
        }


def _spec_name(spec: Any) -> str | None:
    if isinstance(spec, dict):
        spec = spec.get("name")
    return spec.rsplit(".", 1)[-1] if isinstance(spec, str) else None


def find_project_root(start: Path | str) -> Path | None:
    """The nearest folder at or above `start` holding a `ballet.yml`, or None."""
    path = Path(start).expanduser()
    try:
        path = path.resolve()
    except OSError:
        return None
    if path.is_file():
        path = path.parent
    for candidate in (path, *path.parents):
        if (candidate / CONFIG_FILENAME).is_file():
            return candidate
    return None


def load_project(path: Path | str) -> Project:
    """Read the project containing `path` (a folder at or below the one with ballet.yml)."""
    root = find_project_root(path)
    if root is None:
        raise ProjectError(
            f"No {CONFIG_FILENAME} found in {path} or any folder above it. "
            f"A project needs a {CONFIG_FILENAME} at its root (the Ballet project layout)."
        )
    config_path = root / CONFIG_FILENAME
    try:
        text = config_path.read_text(encoding="utf-8")
    except OSError as err:
        raise ProjectError(f"Cannot read {config_path}: {err.strerror or err}") from None
    return parse_project(text, root=root, config_path=config_path)


def parse_project(text: str, *, root: Path, config_path: Path | None = None) -> Project:
    """Build a Project from the text of a ballet.yml (errors name the file and key)."""
    import yaml

    config_path = config_path or root / CONFIG_FILENAME
    where = str(config_path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ProjectError(f"{where} is not valid YAML{at}: {problem}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ProjectError(f"{where} must be a mapping of sections (project, problem, ...).")

    cfg = _Config(raw, where)
    project = cfg.section("project")
    problem = cfg.section("problem")
    details = cfg.section("problem.problem_type_details", problem.get("problem_type_details"))
    contrib = cfg.section("contrib")
    validation = cfg.section("validation")
    data = cfg.section("data")

    slug = cfg.string("project.project_slug", project.get("project_slug"), default=None)
    package = cfg.string("project.package_slug", project.get("package_slug"), default=None)
    name = cfg.string("project.project_name", project.get("project_name"), default=None)
    module_name = cfg.string("contrib.module_name", contrib.get("module_name"), default=None)
    if package is None and module_name:
        package = module_name.split(".")[0]
    if package is None:
        package = (slug or root.name).replace("-", "_")
    slug = slug or package.replace("_", "-")
    name = name or slug
    module_name = module_name or f"{package}.features.contrib"
    module_path = cfg.string(
        "contrib.module_path",
        contrib.get("module_path"),
        default="src/" + module_name.replace(".", "/"),
    )
    module_path = _safe_relative(module_path, f"{where}: contrib.module_path")

    problem_type = cfg.string("problem.problem_type", problem.get("problem_type"), default=None)
    if problem_type is None:
        raise ProjectError(
            f"{where}: problem.problem_type is missing; set it to classification or regression."
        )
    problem_type = problem_type.strip().lower()
    if problem_type not in PROBLEM_TYPES:
        raise ProjectError(
            f"{where}: problem.problem_type is {problem_type!r}; "
            "it must be classification or regression."
        )

    accepter = _spec(cfg, validation, "feature_accepter", DEFAULT_ACCEPTER)
    pruner = _spec(cfg, validation, "feature_pruner", DEFAULT_PRUNER)
    split = cfg.string("validation.split", validation.get("split"), default="train")

    return Project(
        root=root,
        config_path=config_path,
        name=name,
        slug=slug,
        package=package,
        problem_type=problem_type,
        scorer=cfg.string("problem.problem_type_details.scorer", details.get("scorer"), None),
        classification_type=cfg.string(
            "problem.problem_type_details.classification_type",
            details.get("classification_type"),
            None,
        ),
        contrib_module_name=module_name,
        contrib_module_path=module_path,
        accepter=accepter,
        pruner=pruner,
        split=split,
        data=_data_spec(cfg, data, split),
        raw=raw,
    )


class _Config:
    """Typed access to the raw mapping; every error names the file and the dotted key."""

    def __init__(self, raw: dict, where: str):
        self.raw = raw
        self.where = where

    def section(self, key: str, value: Any = ...) -> dict:
        if value is ...:
            value = self.raw.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ProjectError(
                f"{self.where}: {key} must be a mapping, not {type(value).__name__}."
            )
        return value

    def string(self, key: str, value: Any, default: Any) -> Any:
        if value is None or value == "":
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise ProjectError(f"{self.where}: {key} must be a string, not {type(value).__name__}.")
        return value


def _spec(cfg: _Config, validation: dict, key: str, default: str) -> Any:
    value = validation.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if not isinstance(value.get("name"), str) or not value["name"]:
            raise ProjectError(f"{cfg.where}: validation.{key}.name must be a class path string.")
        params = value.get("params") or {}
        if not isinstance(params, dict):
            raise ProjectError(f"{cfg.where}: validation.{key}.params must be a mapping.")
        return {"name": value["name"], "params": params}
    raise ProjectError(
        f"{cfg.where}: validation.{key} must be a class path or a mapping with name and params."
    )


def _data_spec(cfg: _Config, data: dict, split: str) -> DataSpec:
    loader = cfg.string("data.loader", data.get("loader"), default=None)
    encoder = cfg.string("data.target_encoder", data.get("target_encoder"), default=None)
    for key, value in (("data.loader", loader), ("data.target_encoder", encoder)):
        if value is not None and ":" not in value:
            raise ProjectError(
                f"{cfg.where}: {key} must name a function as module:function, got {value!r}."
            )
    splits_raw = cfg.section("data.splits", data.get("splits"))
    splits = {}
    for key, value in splits_raw.items():
        splits[str(key)] = _safe_relative(
            cfg.string(f"data.splits.{key}", value, default=""), f"{cfg.where}: data.splits.{key}"
        )
    # Older Ballet projects (e.g. ballet/predict-house-prices) name the split folders
    # directly under `data:` (`train: data/train`) instead of under `data.splits`.
    for key in ("train", "test"):
        if key not in splits and isinstance(data.get(key), str) and data[key].strip():
            splits[key] = _safe_relative(data[key], f"{cfg.where}: data.{key}")
    tables_raw = data.get("tables") or []
    if not isinstance(tables_raw, list):
        raise ProjectError(f"{cfg.where}: data.tables must be a list of tables.")
    tables = []
    for i, table in enumerate(tables_raw):
        key = f"data.tables[{i}]"
        if not isinstance(table, dict):
            raise ProjectError(f"{cfg.where}: {key} must be a mapping with name and path.")
        name = cfg.string(f"{key}.name", table.get("name"), default=None)
        path = cfg.string(f"{key}.path", table.get("path"), default=None)
        if not name or not path:
            raise ProjectError(f"{cfg.where}: {key} needs both a name and a path.")
        kwargs = table.get("pd_read_kwargs") or {}
        if not isinstance(kwargs, dict):
            raise ProjectError(f"{cfg.where}: {key}.pd_read_kwargs must be a mapping.")
        tables.append(TableSpec(name, _safe_relative(path, f"{cfg.where}: {key}.path"), kwargs))
    return DataSpec(
        splits=splits,
        entities_table=cfg.string(
            "data.entities_table_name", data.get("entities_table_name"), "entities"
        ),
        targets_table=cfg.string(
            "data.targets_table_name", data.get("targets_table_name"), "targets"
        ),
        tables=tuple(tables),
        loader=loader,
        target_encoder=encoder,
    )


def _safe_relative(path: str, what: str) -> str:
    """A project-relative path that stays inside the project (no absolute, no `..`)."""
    p = Path(path)
    if p.is_absolute() or ".." in p.parts:
        raise ProjectError(f"{what} must be a path inside the project, got {path!r}.")
    return p.as_posix()


# -- data loading (worker only: imports pandas lazily) ------------------------------------


def project_import_paths(project: Project) -> list[str]:
    """Folders to put on sys.path so `module:function` names in ballet.yml import."""
    paths = [str(project.root)]
    src = project.root / "src"
    if src.is_dir():
        paths.insert(0, str(src))
    return paths


def resolve_callable(project: Project, ref: str, key: str):
    """Import `module:function` from the project (root and src/ on sys.path)."""
    module_name, _, attr = ref.partition(":")
    for path in reversed(project_import_paths(project)):
        if path not in sys.path:
            sys.path.insert(0, path)
    try:
        module = importlib.import_module(module_name)
    except Exception as err:
        raise ProjectError(
            f"{project.config_path}: {key} names module {module_name!r}, "
            f"which cannot be imported: {type(err).__name__}: {err}"
        ) from None
    obj = module
    for part in attr.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ProjectError(
                f"{project.config_path}: {key} names {ref!r}, but {module_name} has no {attr!r}."
            )
    if not callable(obj):
        raise ProjectError(f"{project.config_path}: {key} names {ref!r}, which is not callable.")
    return obj


def load_data(project: Project, split: str | None = None):
    """(X_df, y_df) for a split: from the configured loader, or from the split's tables."""
    import pandas as pd

    if project.data.loader:
        fn = resolve_callable(project, project.data.loader, "data.loader")
        try:
            result = fn()
        except Exception as err:
            raise ProjectError(
                f"The data loader {project.data.loader} (data.loader in {project.config_path}) "
                f"failed: {type(err).__name__}: {err}",
                kind="data",
            ) from None
        if not (isinstance(result, tuple) and len(result) == 2):
            raise ProjectError(
                f"The data loader {project.data.loader} must return (X_df, y_df), "
                f"got {type(result).__name__}.",
                kind="data",
            )
        X, y = result
        if not isinstance(X, pd.DataFrame):
            raise ProjectError(
                f"The data loader {project.data.loader} returned X of type "
                f"{type(X).__name__}; it must be a pandas DataFrame.",
                kind="data",
            )
        return X, _as_pandas_target(y, X, project.data.loader)

    split = split or project.split
    if split not in project.data.splits:
        known = ", ".join(sorted(project.data.splits)) or "none"
        raise ProjectError(
            f"{project.config_path}: data.splits has no {split!r} split (known: {known}); "
            "add it, or name a loader as data.loader: module:function."
        )
    folder = project.root / project.data.splits[split]
    tables = {t.name: t for t in project.data.tables}
    frames = {}
    for role, key in (
        ("entities", "data.entities_table_name"),
        ("targets", "data.targets_table_name"),
    ):
        table_name = getattr(project.data, f"{role}_table")
        spec = tables.get(table_name)
        if spec is None:
            raise ProjectError(
                f"{project.config_path}: {key} is {table_name!r} but data.tables has no "
                f"table with that name."
            )
        frames[role] = read_table(folder / spec.path, spec, project)
    X, y = frames["entities"], frames["targets"]
    if len(X) != len(y):
        raise ProjectError(
            f"The entities table ({len(X)} rows) and the targets table ({len(y)} rows) "
            f"of split {split!r} differ in length.",
            kind="data",
        )
    return X, _as_pandas_target(y, X, "the targets table")


def read_table(path: Path, spec: TableSpec, project: Project):
    import pandas as pd

    where = f"{path} (table {spec.name!r} in {project.config_path})"
    if not path.is_file():
        raise ProjectError(f"Data file {where} does not exist.", kind="data")
    kwargs = dict(spec.read_kwargs)
    suffixes = "".join(path.suffixes).lower()
    try:
        if suffixes.endswith((".parquet", ".pq")):
            return pd.read_parquet(path, **kwargs)
        if suffixes.endswith((".pkl", ".pickle")):
            return pd.read_pickle(path, **kwargs)
        if suffixes.endswith((".tsv", ".txt")) and "sep" not in kwargs:
            kwargs["sep"] = "\t"
        return pd.read_csv(path, **kwargs)
    except Exception as err:
        raise ProjectError(
            f"Cannot read data file {where}: {type(err).__name__}: {err}", kind="data"
        ) from None


def _as_pandas_target(y, X, what: str):
    """Targets as a Series when one column (what features' fit(X, y) usually expect)."""
    import pandas as pd

    if isinstance(y, pd.DataFrame):
        if y.shape[1] == 1:
            return y.iloc[:, 0]
        return y
    if isinstance(y, pd.Series):
        return y
    try:
        import numpy as np

        arr = np.asarray(y)
    except Exception:  # noqa: BLE001 - reported below
        arr = None
    if arr is None or arr.ndim not in (1, 2) or len(arr) != len(X):
        raise ProjectError(f"{what} did not give a target with one value per row.", kind="data")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    return pd.Series(arr, index=X.index, name="target") if arr.ndim == 1 else pd.DataFrame(arr)


def load_target_encoder(project: Project):
    """The transformer applied to y before acceptance, or None for identity.

    From `data.target_encoder: module:function` in ballet.yml, or Ballet's convention:
    `get_target_encoder()` in `<package>/features/encoder.py`.
    """
    ref = project.data.target_encoder
    if ref:
        factory = resolve_callable(project, ref, "data.target_encoder")
        return _call_factory(factory, ref)
    encoder_file = project.contrib_dir.parent / "encoder.py"
    if encoder_file.is_file():
        namespace: dict[str, Any] = {"__name__": f"{project.package}_target_encoder"}
        try:
            code = compile(encoder_file.read_text(encoding="utf-8"), str(encoder_file), "exec")
            exec(code, namespace)  # noqa: S102 - the project's own code, in the worker
        except Exception as err:
            raise ProjectError(
                f"The target encoder module {encoder_file} failed to load: "
                f"{type(err).__name__}: {err}"
            ) from None
        factory = namespace.get("get_target_encoder")
        if callable(factory):
            return _call_factory(factory, str(encoder_file))
    return None


def _call_factory(factory, where: str):
    try:
        return factory()
    except Exception as err:
        raise ProjectError(
            f"The target encoder {where} failed: {type(err).__name__}: {err}"
        ) from None


def data_fingerprint(X, y, extra: str = "") -> str:
    """A content hash of the data snapshot (values, index, columns, dtypes)."""
    import pandas as pd

    h = hashlib.sha256()
    for frame in (X, y):
        obj = frame if isinstance(frame, (pd.DataFrame, pd.Series)) else pd.DataFrame(frame)
        if isinstance(obj, pd.DataFrame):
            labels, dtypes = list(obj.columns), list(obj.dtypes)
        else:
            labels, dtypes = [obj.name], [obj.dtype]
        h.update(repr(labels).encode())
        h.update(repr([str(t) for t in dtypes]).encode())
        h.update(pd.util.hash_pandas_object(obj, index=True).to_numpy().tobytes())
    h.update(extra.encode())
    return "sha256:" + h.hexdigest()


def source_hash(source: str) -> str:
    """The hash reported for a feature's module source (and used as its cache key)."""
    return "sha256:" + hashlib.sha256(source.encode("utf-8")).hexdigest()


def cache_dir(project: Project) -> Path:
    """Where the worker keeps computed feature values; `$JUPYTER_EXT_CACHE_DIR` overrides."""
    override = os.environ.get("JUPYTER_EXT_CACHE_DIR")
    if override:
        return Path(override) / project.slug
    return project.root / ".jupyter-ext" / "cache"
