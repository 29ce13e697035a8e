"""The scoring stage: what the candidate feature does to a model, in the project's own terms.

After the API checks pass (and after acceptance), the worker fits a fast baseline model on
the existing features' values (already cached by the worker) with and without the candidate,
on the same k folds (fixed seed), and reports the change in the project's scorer
(`problem.problem_type_details.scorer`, an sklearn scorer name) with its spread over folds.
When `problem.target_units` says what the target is worth (see `units.py`), the change is
also given in those units: "Cuts the baseline's mean absolute error by $1,240 (± $310 over
5 folds)".

Configuration (`ballet.yml`, all optional):

```yaml
validation:
  scoring:
    enabled: auto          # auto (default): scored when it fits the time budget, else skipped
                           # with the reason; true: always scored; false: never (score: null)
    model: hist_gradient_boosting   # or linear (Ridge / LogisticRegression after mean
                                    # imputation with missing-value indicators and scaling)
    folds: 5               # k of k-fold cross-validation (2-20)
    seed: 0                # the folds' and the models' random seed
    budget_seconds: 2.0    # CPU seconds a validation's scoring may take (see below)
    max_rows: 20000        # above this many rows the linear model is used
```

Budget and fallback. The baseline's folds depend only on the data, the existing features and
this config, so the worker caches them: a warm validation fits only the k models with the
candidate. `budget_seconds` bounds that warm cost, in CPU seconds (the stage runs on one
thread, so it is the time on an idle machine, and a busy CI runner scores with the same model
as an idle laptop); the first validation on a feature set fits the baseline too (up to twice
the budget). The stage projects the cost after each fold: over budget, gradient boosting gives
way to the linear model for this feature set (the report says so in `fallback`); when even the
linear model is over budget, `enabled: auto` skips the stage (`status: "skipped"` with the
reason) and `enabled: true` finishes anyway. One thread, also because on a busy 2-core
machine OpenMP's spinning threads made gradient boosting 20-100x slower.

Spread. Per-fold differences are paired (same folds for both models). `spread.std` is their
standard deviation (the "±" in the sentence); `spread.ci95` is a 95% interval for the mean
difference using Nadeau and Bengio's (2003) corrected resampled t-test, whose variance
factor (1/k + 1/(k-1)) accounts for the overlap of training sets that makes the naive
t-interval too narrow. The change is called clear (`helps` true/false) only when that interval
excludes zero; otherwise `helps` is null and the sentence says the change is within noise.

Preprocessing, so anything that passed the API checks can be scored: ±inf and values beyond
1e30 in existing features become missing; gradient boosting handles missing values natively,
the linear model fills them with the column's mean, adds indicator columns and scales
(`baseline_models.py`). Categorical
outputs are already numbers (HasNumericOutputCheck), e.g. one-hot columns or codes. Rows whose
target is missing are left out; with no existing features the baseline is the target's mean
(regression) or its class frequencies (classification).

The stage never changes the verdict: a failure is `status: "failed"` with the reason.
"""

from __future__ import annotations

import hashlib
import math
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from .units import (
    MONEY_METRIC_NAMES,
    TargetUnits,
    UnitsConfigError,
    expected_value,
    money_metric,
    parse_target_units,
    regression_error,
)

MODELS = ("hist_gradient_boosting", "linear")
MODEL_LABELS = {"hist_gradient_boosting": "gradient boosting", "linear": "linear model"}
DEFAULT_SCORERS = {"regression": "neg_mean_absolute_error", "classification": "accuracy"}
_CLIP = 1e30  # beyond this a value is treated as missing (it would overflow scaling)

# Readable names of sklearn scorers ("neg_" dropped: the error itself is shown).
_METRIC_NAMES = {
    "mean_absolute_error": "mean absolute error",
    "root_mean_squared_error": "root mean squared error",
    "mean_squared_error": "mean squared error",
    "median_absolute_error": "median absolute error",
    "mean_squared_log_error": "mean squared log error",
    "root_mean_squared_log_error": "root mean squared log error",
    "mean_absolute_percentage_error": "mean absolute percentage error",
    "mean_poisson_deviance": "mean Poisson deviance",
    "mean_gamma_deviance": "mean gamma deviance",
    "max_error": "maximum error",
    "log_loss": "log loss",
    "brier_score": "Brier score",
    "r2": "R²",
    "roc_auc": "ROC AUC",
    "roc_auc_ovr": "ROC AUC (one vs rest)",
    "roc_auc_ovo": "ROC AUC (one vs one)",
    "roc_auc_ovr_weighted": "ROC AUC (one vs rest, weighted)",
    "roc_auc_ovo_weighted": "ROC AUC (one vs one, weighted)",
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "average_precision": "average precision",
    "explained_variance": "explained variance",
    "f1": "F1",
}


class ScoringConfigError(ValueError):
    """`validation.scoring` in ballet.yml can't be used; the message names the key."""


@dataclass(frozen=True)
class ScoringConfig:
    enabled: str = "auto"  # auto | always | never
    model: str = "hist_gradient_boosting"
    folds: int = 5
    seed: int = 0
    budget_seconds: float = 2.0
    max_rows: int = 20_000


def parse_scoring_config(validation: Any, where: str = "ballet.yml") -> ScoringConfig:
    """`validation.scoring` from the raw `validation` section (defaults when absent)."""
    raw = validation.get("scoring") if isinstance(validation, dict) else None
    if raw is None:
        return ScoringConfig()
    key = "validation.scoring"
    if isinstance(raw, bool):
        raw = {"enabled": raw}
    if not isinstance(raw, dict):
        raise ScoringConfigError(f"{where}: {key} must be a mapping (enabled, model, folds, ...).")
    known = {"enabled", "model", "folds", "seed", "budget_seconds", "max_rows"}
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise ScoringConfigError(
            f"{where}: {key} has unknown key(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}."
        )
    enabled = raw.get("enabled", "auto")
    if enabled is True:
        enabled = "always"
    elif enabled is False:
        enabled = "never"
    elif enabled != "auto":
        raise ScoringConfigError(f"{where}: {key}.enabled must be true, false or auto.")
    model = str(raw.get("model") or "hist_gradient_boosting").strip().lower()
    model = {"hgb": "hist_gradient_boosting", "gradient_boosting": "hist_gradient_boosting"}.get(
        model, model
    )
    if model not in MODELS:
        raise ScoringConfigError(
            f"{where}: {key}.model is {model!r}; it must be one of {', '.join(MODELS)}."
        )

    def integer(name: str, default: int, low: int, high: int) -> int:
        value = raw.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ScoringConfigError(
                f"{where}: {key}.{name} must be a whole number from {low} to {high}, not {value!r}."
            )
        return value

    budget = raw.get("budget_seconds", 2.0)
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget > 0:
        raise ScoringConfigError(f"{where}: {key}.budget_seconds must be a number above 0.")
    return ScoringConfig(
        enabled=enabled,
        model=model,
        folds=integer("folds", 5, 2, 20),
        seed=integer("seed", 0, 0, 2**32 - 1),
        budget_seconds=float(budget),
        max_rows=integer("max_rows", 20_000, 1, 10**9),
    )


# -- cross-validation ------------------------------------------------------------------


@dataclass
class FoldRun:
    """One model's k-fold results: the score per fold and the out-of-fold predictions."""

    scores: list[float]
    predictions: Any  # (n,) regression, (n, classes) probabilities for classification


class _LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get(self, key, default=None):
        value = super().get(key, default)
        if key in self:
            self.move_to_end(key)
        return value

    def put(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


class BaselineCache:
    """What the worker keeps between validations: the baseline's fold results per (data,
    existing features, config), and whole score blocks per candidate values.

    The baseline changes only when the data, an existing feature or the scoring config does,
    so a warm validation fits only the k models with the candidate; the panel re-validates
    unchanged cells often, and those get their score back at once.
    """

    def __init__(self, size: int = 8, results: int = 64):
        self.baselines: _LRU = _LRU(size)
        self.results: _LRU = _LRU(results)
        self.fallbacks: _LRU = _LRU(size)  # feature sets gradient boosting is too slow for

    def get(self, key: str) -> FoldRun | None:
        return self.baselines.get(key)

    def put(self, key: str, run: FoldRun) -> None:
        self.baselines.put(key, run)


class OverBudget(Exception):
    def __init__(self, projected_s: float):
        super().__init__(projected_s)
        self.projected_s = projected_s


@dataclass
class _Clock:
    """Projects a warm validation's cost (k fits with the candidate) from the folds done.

    CPU seconds of this process, not wall time: the stage runs on one thread, so this is what
    it takes on an idle machine, and a busy machine (CI, a shared hub) doesn't change which
    model scores a feature. `designs` models are fitted per fold (2 when the baseline is
    fitted too); the projection counts one, since the baseline is fitted once per feature set.
    """

    budget_s: float | None
    folds: int
    designs: int = 1
    start: float = field(default_factory=time.process_time)

    def check(self, done: int) -> None:
        if self.budget_s is None or done >= self.folds:
            return
        spent = time.process_time() - self.start
        projected = spent / (done * self.designs) * self.folds
        if projected > self.budget_s:
            raise OverBudget(projected)


def _clean(X):
    """±inf and absurdly large values -> NaN (both models handle NaN; see the docstring)."""
    import numpy as np

    X = np.asarray(X, dtype=np.float64)
    bad = ~np.isfinite(X) | (np.abs(X) > _CLIP)
    if bad.any():
        X = X.copy()
        X[bad] = np.nan
    return X


def _predict(model, X, problem_type: str, n_classes: int):
    import numpy as np

    if problem_type != "classification":
        return model.predict(X)
    proba = model.predict_proba(X)
    out = np.zeros((X.shape[0], n_classes))
    out[:, np.asarray(model.classes_, dtype=int)] = proba
    return out


def run_folds(
    model_name: str,
    designs: list,
    y,
    splits: list,
    scorer,
    problem_type: str,
    n_classes: int,
    seed: int,
    clock: _Clock | None = None,
) -> list[FoldRun]:
    """Fit and score a model on each design matrix for every (train, test) split.

    Fold by fold, all designs in each, so the clock's projection after the first fold covers
    everything; raises OverBudget as soon as it projects one.
    """
    import numpy as np

    from .baseline_models import make_model

    shape = (len(y), n_classes) if problem_type == "classification" else (len(y),)
    runs = [FoldRun(scores=[], predictions=np.zeros(shape)) for _ in designs]
    for i, (train, test) in enumerate(splits):
        for X, run in zip(designs, runs, strict=True):
            model = make_model(model_name, problem_type, X.shape[1], seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence chatter; the score says enough
                model.fit(X[train], y[train])
                run.scores.append(float(scorer(model, X[test], y[test])))
                run.predictions[test] = _predict(model, X[test], problem_type, n_classes)
        if clock is not None:
            clock.check(i + 1)
    return runs


# -- statistics and words ---------------------------------------------------------------


def paired_spread(differences) -> dict:
    """Mean, std and the corrected 95% interval of per-fold paired differences."""
    import numpy as np
    from scipy import stats

    d = np.asarray(differences, dtype=np.float64)
    k = len(d)
    mean = float(d.mean())
    std = float(d.std(ddof=1)) if k > 1 else 0.0
    if k > 1:
        half = float(stats.t.ppf(0.975, k - 1)) * std * math.sqrt(1.0 / k + 1.0 / (k - 1))
    else:
        half = math.inf
    return {
        "mean": mean,
        "std": std,
        "ci95": [mean - half, mean + half],
        "per_fold": [float(x) for x in d],
    }


def metric_name(scorer: str) -> tuple[str, bool]:
    """(readable name, lower is better) of an sklearn scorer name."""
    lower = scorer.startswith("neg_") or scorer == "max_error"
    base = scorer[4:] if scorer.startswith("neg_") else scorer
    return _METRIC_NAMES.get(base, base.replace("_", " ")), lower


def decimals_for(spread: float, magnitude: float) -> int:
    """Decimals that show the spread with two significant digits (0 for large amounts)."""
    ref = spread if spread > 0 else abs(magnitude)
    if not ref or not math.isfinite(ref):
        return 4
    return max(0, min(8, 1 - math.floor(math.log10(ref))))


def describe(block: dict, folds: int, fmt, *, phrase: str, verbs: tuple[str, str]) -> str:
    """One sentence: "Cuts the baseline's mean absolute error by $1,240 (± $310 over 5 folds):
    $16,900 → $15,660." plus a note when the interval contains zero.

    phrase: "{verb} ... {amount}" with the verb for a better / a worse score in `verbs`.
    """
    change, std = block["change"], block["spread"]["std"]
    if not any(block["spread"]["per_fold"]):
        # Trees that never split on the candidate make the very same predictions.
        d = decimals_for(0.0, block["baseline"])
        return (
            f"Leaves the baseline's {block['metric']} unchanged at {fmt(block['baseline'], d)} "
            f"over {folds} folds: the model does not use the feature."
        )
    better = block["lower_is_better"] == (change < 0)
    d = decimals_for(std, change)
    head = phrase.format(verb=verbs[0] if better else verbs[1], amount=fmt(abs(change), d))
    text = (
        f"{head} (± {fmt(std, d)} over {folds} folds): "
        f"{fmt(block['baseline'], d)} → {fmt(block['with_feature'], d)}."
    )
    if block["helps"] is None:
        lo, hi = block["spread"]["ci95"]
        text += (
            f" That is within the fold-to-fold noise (95% interval {fmt(lo, d, signed=True)} "
            f"to {fmt(hi, d, signed=True)})."
        )
    return text


def _block(base: list[float], with_: list[float], metric: str, lower_is_better: bool) -> dict:
    import numpy as np

    spread = paired_spread(np.asarray(with_) - np.asarray(base))
    lo, hi = spread["ci95"]
    helps = None
    if lo > 0 or hi < 0:
        helps = (hi < 0) if lower_is_better else (lo > 0)
    return {
        "metric": metric,
        "lower_is_better": lower_is_better,
        "baseline": float(np.mean(base)),
        "with_feature": float(np.mean(with_)),
        "change": spread.pop("mean"),
        "spread": spread,
        "helps": helps,
    }


def _plain(x: float, d: int, signed: bool = False) -> str:
    sign = "-" if x < 0 else ("+" if signed and x > 0 else "")
    return f"{sign}{abs(x):,.{d}f}"


# -- the stage -------------------------------------------------------------------------


def _key(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def score_candidate(
    project,
    candidate,
    existing: list[tuple[str, Any]],
    y,
    *,
    target_raw=None,
    cache: BaselineCache | None = None,
    data_key: str = "",
) -> dict | None:
    """The `score` block of the validation report, or None when scoring is off.

    project: the `Project` (problem type, scorer, raw ballet.yml); candidate: (n, q) values;
    existing: (key, (n, q_f) values) per existing feature, key identifying its source;
    y: the encoded target (what acceptance uses); target_raw: the raw target (to find the
    configured positive class); data_key: the data fingerprint (for the baseline cache).
    Never raises except MemoryError: a failure is `status: "failed"`.
    """
    start = time.perf_counter()
    where = str(getattr(project, "config_path", "ballet.yml"))
    raw = getattr(project, "raw", None) or {}
    try:
        config = parse_scoring_config(raw.get("validation"), where)
    except ScoringConfigError as err:
        return _status("failed", str(err), start)
    if config.enabled == "never":
        return None
    result_key = None
    if cache is not None:
        result_key = _result_key(project, raw, config, candidate, existing, data_key)
        hit = cache.results.get(result_key)
        if hit is not None:
            return {**hit, "cached": True, "duration_ms": _ms_since(start)}
    try:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            result = _score(
                project, config, candidate, existing, y, target_raw, cache, data_key, where
            )
    except MemoryError:
        raise
    except Exception as err:  # noqa: BLE001 - informational stage: reported, never fatal
        result = _status("failed", f"{type(err).__name__}: {err}", start)
    result["cached"] = False
    result["duration_ms"] = _ms_since(start)
    if result_key is not None and result["status"] == "scored":
        cache.results.put(result_key, result)
    return result


def score_in_worker(worker, data, values, usable) -> dict | None:
    """The worker's hook: score `values` against its cached existing features' values."""
    if worker.scoring_cache is None:
        worker.scoring_cache = BaselineCache()
    return score_candidate(
        data.project,
        values,
        [(f"{f.path}@{f.source_hash}", f.values) for f in usable],
        data.y,
        target_raw=data.y_df,
        cache=worker.scoring_cache,
        data_key=data.fingerprint,
    )


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1e3, 1)


def _result_key(project, raw, config, candidate, existing, data_key) -> str:
    import numpy as np

    values = np.ascontiguousarray(candidate, dtype=np.float64)
    return _key(
        data_key,
        sorted(k for k, _ in existing),
        values.shape,
        hashlib.sha256(values.tobytes()).hexdigest(),
        config,
        project.problem_type,
        getattr(project, "scorer", None),
        repr((raw.get("problem") or {}).get("target_units")),
    )


def _status(status: str, reason: str, start: float, **extra) -> dict:
    return {"status": status, "reason": reason, **extra, "duration_ms": _ms_since(start)}


def _score(project, config, candidate, existing, y, target_raw, cache, data_key, where) -> dict:
    import numpy as np
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import KFold, StratifiedKFold

    start = time.perf_counter()
    problem_type = project.problem_type
    scorer_name = getattr(project, "scorer", None) or DEFAULT_SCORERS[problem_type]
    metric, lower_is_better = metric_name(scorer_name)
    warnings_out: list[str] = []
    units: TargetUnits | None = None
    try:
        units = parse_target_units(raw_problem(project), problem_type, where)
    except UnitsConfigError as err:
        warnings_out.append(str(err))
    try:
        scorer = get_scorer(scorer_name)
    except ValueError:
        return _status(
            "failed",
            f"{where}: problem.problem_type_details.scorer {scorer_name!r} is not an "
            "sklearn scorer name (e.g. neg_mean_absolute_error, roc_auc, accuracy).",
            start,
        )

    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    if y.shape[1] != 1:
        return _status("skipped", "The target has several columns; scoring needs one.", start)
    y = y[:, 0]
    keep = np.isfinite(y)
    n = int(keep.sum())
    base_X = (
        _clean(
            np.hstack([np.asarray(v, dtype=np.float64).reshape(len(y), -1) for _, v in existing])
        )
        if existing
        else np.zeros((len(y), 0))
    )
    cand = _clean(np.asarray(candidate, dtype=np.float64).reshape(len(y), -1))
    with_X = np.hstack([base_X, cand])
    base_X, with_X, y_used = base_X[keep], with_X[keep], y[keep]

    folds = config.folds
    n_classes = 0
    positive = None
    if problem_type == "classification":
        classes, y_used = np.unique(y_used, return_inverse=True)
        n_classes = len(classes)
        if n_classes < 2:
            return _status("skipped", "The target has a single class: nothing to score.", start)
        smallest = int(np.bincount(y_used).min())
        folds = min(folds, smallest)
        if folds < 2:
            return _status(
                "skipped",
                "A class of the target has a single row: it can't be cross-validated.",
                start,
            )
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
        if units is not None:
            try:
                positive = _positive_code(units, y_used, n_classes, target_raw, keep)
            except UnitsConfigError as err:
                warnings_out.append(f"{where}: {err}")
                units = None
    else:
        if n < 2 * folds:
            return _status("skipped", f"{n} rows are too few for {folds}-fold scoring.", start)
        splitter = KFold(n_splits=folds, shuffle=True, random_state=config.seed)
    splits = list(splitter.split(with_X, y_used))

    model = config.model
    fallback = None
    if model == "hist_gradient_boosting" and n > config.max_rows:
        model = "linear"
        fallback = (
            f"{n:,} rows is over validation.scoring.max_rows ({config.max_rows:,}): "
            "the linear model was used"
        )
    existing_key = _key(sorted(k for k, _ in existing), base_X.shape[1])
    budget = config.budget_seconds
    # A model found over budget for this feature set stays replaced: no probe per validation,
    # and every candidate on it is scored by the same model (comparable numbers).
    fallback_key = _key(data_key, existing_key, config, scorer_name, n)
    if cache is not None and model != "linear" and fallback_key in cache.fallbacks:
        model, fallback = "linear", cache.fallbacks[fallback_key]
    while True:
        base_key = _key(data_key, existing_key, model, folds, config.seed, scorer_name, n)
        base_run = cache.get(base_key) if cache is not None else None
        from_cache = base_run is not None
        designs = [with_X] if base_run is not None else [base_X, with_X]
        clock = _Clock(budget, folds, len(designs))
        try:
            runs = run_folds(
                model, designs, y_used, splits, scorer, problem_type, n_classes, config.seed, clock
            )
            if base_run is None:
                base_run = runs[0]
                if cache is not None:
                    cache.put(base_key, base_run)
            with_run = runs[-1]
            break
        except OverBudget as over:
            reason = (
                f"{MODEL_LABELS[model]} would take about {over.projected_s:.1f} s of CPU per "
                f"validation, over the {budget:g} s budget (validation.scoring.budget_seconds "
                "in ballet.yml)"
            )
            if model != "linear":
                model, fallback = "linear", reason + ": the linear model was used"
                if cache is not None:
                    cache.fallbacks.put(fallback_key, fallback)
                continue
            if config.enabled == "auto":
                return _status(
                    "skipped",
                    f"The {reason}. Set validation.scoring.enabled: true to score anyway.",
                    start,
                    model=model,
                    rows=n,
                )
            budget = None  # enabled: true — finish regardless

    if not np.all(np.isfinite(base_run.scores + with_run.scores)):
        return _status(
            "failed",
            f"The scorer {scorer_name} gave a value that is not a finite number "
            "(e.g. an error that overflows on a target with huge values).",
            start,
        )
    # The scorer's numbers as people read them: errors positive, lower better.
    sign = -1.0 if scorer_name.startswith("neg_") or scorer_name == "max_error" else 1.0
    score = _block(
        [sign * s for s in base_run.scores],
        [sign * s for s in with_run.scores],
        metric,
        lower_is_better,
    )
    score_sentence = describe(
        score,
        folds,
        _plain,
        phrase=f"{{verb}} the baseline's {metric} by {{amount}}",
        verbs=("Cuts", "Raises") if lower_is_better else ("Raises", "Lowers"),
    )

    units_block = None
    if units is not None:
        units_block = _units_block(
            units, scorer_name, problem_type, y_used, splits, base_run, with_run, positive, folds
        )
    n_existing = len(existing)
    if n_existing == 0:
        baseline = (
            "the class frequencies (no existing features)"
            if problem_type == "classification"
            else "the target's mean (no existing features)"
        )
    else:
        plural = "feature" if n_existing == 1 else "features"
        baseline = f"{MODEL_LABELS[model]} on {n_existing} existing {plural}"
    return {
        "status": "scored",
        "reason": None,
        "scorer": scorer_name,
        **score,
        "folds": folds,
        "rows": n,
        "model": model,
        "fallback": fallback,
        "baseline_description": baseline,
        "sentence": units_block["sentence"] if units_block else score_sentence,
        "score_sentence": score_sentence,
        "units": units_block,
        "warnings": warnings_out,
        "cached_baseline": from_cache,
    }


def raw_problem(project) -> Any:
    raw = getattr(project, "raw", None) or {}
    return raw.get("problem")


def _positive_code(units: TargetUnits, codes, n_classes: int, target_raw, keep) -> int:
    """The class code acted on: the configured `positive_class` (matched against the raw
    labels, as written in ballet.yml), else the largest label (1 of 0/1)."""
    import numpy as np

    if units.positive_class is None or target_raw is None:
        return n_classes - 1
    raw = np.asarray(target_raw).reshape(len(keep), -1)[:, 0][keep]
    match = np.array([str(v) == str(units.positive_class) for v in raw], dtype=bool)
    if not match.any():
        raise UnitsConfigError(
            f"problem.target_units.positive_class {units.positive_class!r} is not a label of "
            "the target."
        )
    return int(np.bincount(codes[match], minlength=n_classes).argmax())


def _units_block(units, scorer_name, problem_type, y, splits, base_run, with_run, positive, folds):
    if problem_type == "classification":
        is_pos = y == positive
        base = [
            expected_value(is_pos[test], base_run.predictions[test, positive], units)
            for _, test in splits
        ]
        with_ = [
            expected_value(is_pos[test], with_run.predictions[test, positive], units)
            for _, test in splits
        ]
        metric = f"expected value per {units.per:,} predictions"
        block = _block(base, with_, metric, lower_is_better=False)
        words = ("Adds", "Loses")
        text = describe(
            block, folds, units.format, phrase=f"{{verb}} {{amount}} of {metric}", verbs=words
        )
    else:
        kind = money_metric(scorer_name)
        base = [
            regression_error(y[test], base_run.predictions[test], units, kind) for _, test in splits
        ]
        with_ = [
            regression_error(y[test], with_run.predictions[test], units, kind) for _, test in splits
        ]
        metric = MONEY_METRIC_NAMES[kind]
        block = _block(base, with_, metric, lower_is_better=True)
        text = describe(
            block,
            folds,
            units.format,
            phrase=f"{{verb}} the baseline's {metric} by {{amount}}",
            verbs=("Cuts", "Raises"),
        )
    block.update(
        {
            "currency": units.currency,
            "unit": units.unit,
            "transform": units.transform,
            "per": units.per if problem_type == "classification" else None,
            "sentence": text,
        }
    )
    return block
