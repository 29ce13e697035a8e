"""Feature acceptance: does a candidate feature add information the project does not have yet?

Public API (used by the validation worker and the CLI)::

    accepter = make_accepter(spec, problem_type="regression", target_name="SalePrice")
    result = accepter.judge(candidate, existing, y)   # -> AcceptanceResult
    redundant = prune(existing, y, spec=None)          # GFSSF pruning after a merge

``candidate`` is an (n, q) float array (one row per entity, one column per output column),
``existing`` maps each existing feature's name to its (n, q_f) float array, ``y`` is the
target, (n,) or (n, 1); classification targets are discrete labels (as floats or ints).

Accepters and their Ballet names (``ballet.validation.feature_acceptance.validator.<Name>``,
``{name: <Name>, params: {...}}``, or the short names in brackets):

============================  =================================  =============================
accepter                      params (default)                   accepts when
============================  =================================  =============================
AlwaysAccepter (always)       -                                  always
NeverAccepter (never)         -                                  never
RandomAccepter (random)       p=0.3, seed=None                   a seeded draw < p
VarianceThresholdAccepter     threshold=0.05                     every column's variance >
(variance)                                                       threshold
MutualInformationAccepter     threshold=0.05,                    I(candidate; y) > threshold
(mutual_information, mi)      handle_nan_targets=fail|ignore
CompoundAccepter (compound)   agg=all|any, specs=[...]           all / any sub-accepters do
GFSSFAccepter (gfssf)         lmbda_1=0, lmbda_2=0,              see `GFSSFAccepter`
                              lambda_1_adjustment=64,
                              lambda_2_adjustment=64,
                              handle_nan_targets=fail|ignore
============================  =================================  =============================

Our extra params: ``max_rows`` (MutualInformation, GFSSF: rows used by k-NN estimates, see
`entropy.knn_rows`; 0 = all) and ``report_redundant`` (GFSSF: compute `redundant`, default
true).

What we do differently from Ballet 0.19.5, on purpose (see docs ballet-reference.md):
its estimator's bias let pure noise in (about 0.3 nats on a binary target); its GFSSF
threshold goes negative when an accepted feature has more columns than the candidate, so
exact duplicates passed "while omitting" a one-hot feature; NaN made it raise and inf was
accepted. Here every information test must clear a noise floor (`noise_floor`) as well as
its configured threshold, NaN and inf give a rejection with a plain-language reason, and the
estimator (`entropy.py`) scores noise at ~0.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import BadRequest
from . import entropy as est

PROBLEM_TYPES = ("regression", "classification")
NAN_POLICIES = ("fail", "ignore")
# Estimates of information have sampling noise of roughly 0.6 / sqrt(n) nats (measured on
# independent data, 300-30,000 rows, 0-10 conditioning columns); 1.5 / sqrt(n) keeps noise
# out while letting in anything a model could use.
NOISE_FLOOR_SCALE = 1.5
MIN_NOISE_FLOOR = 0.005


class SpecError(BadRequest, ValueError):
    """An accepter/pruner spec (from ballet.yml) names no known accepter or has bad params."""


def noise_floor(n_rows: int) -> float:
    """The smallest information gain (nats) we trust at `n_rows` rows."""
    return max(MIN_NOISE_FLOOR, NOISE_FLOOR_SCALE / math.sqrt(max(n_rows, 1)))


@dataclass
class AcceptanceResult:
    """The verdict of one accepter on one candidate.

    ``statistic``/``threshold`` are in the accepter's units (nats for information tests,
    variance for VarianceThreshold) and None when not applicable. ``redundant`` names existing
    features the candidate would make redundant. ``details`` holds the numbers behind the
    verdict (per-branch statistics, sub-results, errors as ``{"error": kind, ...}``).
    """

    accepter: str
    accepted: bool
    statistic: float | None
    threshold: float | None
    reason: str
    redundant: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """A JSON-safe dict (plain floats, no NaN/inf)."""
        return _json_safe(asdict(self))


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    return value


# ---------------------------------------------------------------- inputs


@dataclass
class _Inputs:
    candidate: np.ndarray
    existing: dict[str, np.ndarray]
    y: np.ndarray
    rows: np.ndarray | None  # rows kept (None: all)


def _as_table(a, what: str) -> np.ndarray:
    m = np.asarray(a, dtype=np.float64)
    if m.ndim == 1:
        m = m.reshape(-1, 1)
    if m.ndim != 2:
        raise ValueError(f"{what} must be a vector or an (n, q) table, got shape {m.shape}")
    return m


def _rows_phrase(count: int, total: int) -> str:
    return f"{count} of {total} rows"


def _bad_values(m: np.ndarray) -> tuple[str | None, int]:
    """('nan'|'inf'|None, affected rows)."""
    nan = np.isnan(m).any(axis=1)
    if nan.any():
        return "nan", int(nan.sum())
    inf = np.isinf(m).any(axis=1)
    if inf.any():
        return "inf", int(inf.sum())
    return None, 0


class Accepter:
    """Base class: subclasses implement `_judge` on validated, finite inputs."""

    name = "Accepter"
    uses_target = True
    handle_nan_targets = "fail"

    def __init__(self, problem_type: str = "regression", target_name: str = "the target"):
        if problem_type not in PROBLEM_TYPES:
            raise SpecError(
                f"problem_type must be one of {', '.join(PROBLEM_TYPES)}, got {problem_type!r}"
            )
        self.problem_type = problem_type
        self.target_name = target_name

    def __repr__(self) -> str:
        return f"{self.name}({self.params()})"

    def params(self) -> dict:
        return {}

    # -- the public entry point
    def judge(
        self, candidate: np.ndarray, existing: dict[str, np.ndarray], y: np.ndarray
    ) -> AcceptanceResult:
        """Judge `candidate` against the `existing` features for target `y`."""
        cand = _as_table(candidate, "candidate")
        feats = {name: _as_table(v, f"feature {name!r}") for name, v in (existing or {}).items()}
        target = _as_table(y, "y")
        n = cand.shape[0]
        for name, m in feats.items():
            if m.shape[0] != n:
                raise ValueError(f"feature {name!r} has {m.shape[0]} rows, candidate has {n}")
        if target.shape[0] != n:
            raise ValueError(f"y has {target.shape[0]} rows, candidate has {n}")
        if target.shape[1] != 1:
            raise ValueError(f"y must be one column, got {target.shape[1]}")

        kind, count = _bad_values(cand)
        if kind == "nan":
            return self._refuse(
                "nan",
                f"The feature produced missing values (NaN) in {_rows_phrase(count, n)}; "
                "acceptance needs a value for every row. Fill them, e.g. with "
                "SimpleImputer or ballet.eng.NullFiller.",
                rows=count,
            )
        if kind == "inf":
            return self._refuse(
                "inf",
                f"The feature produced infinite values in {_rows_phrase(count, n)}; "
                "a feature must be finite everywhere (check divisions by zero and logs of 0).",
                rows=count,
            )
        for name, m in feats.items():
            kind, count = _bad_values(m)
            if kind:
                what = "missing (NaN)" if kind == "nan" else "infinite"
                return self._refuse(
                    f"existing_{kind}",
                    f"The existing feature {name!r} has {what} values in "
                    f"{_rows_phrase(count, n)}, so the candidate cannot be compared with it; "
                    "the project's maintainers need to fix that feature.",
                    feature=name,
                    rows=count,
                )
        rows = None
        if self.uses_target:
            kind, count = _bad_values(target)
            if kind == "inf":
                return self._refuse(
                    "target_inf",
                    f"The target {self.target_name} has infinite values in "
                    f"{_rows_phrase(count, n)}.",
                    rows=count,
                )
            if kind == "nan":
                if self.handle_nan_targets == "fail":
                    return self._refuse(
                        "target_nan",
                        f"The target {self.target_name} is missing in {_rows_phrase(count, n)}; "
                        "this accepter is configured with handle_nan_targets: fail "
                        "(use ignore to skip those rows).",
                        rows=count,
                    )
                rows = np.flatnonzero(~np.isnan(target).any(axis=1))
                cand, target = cand[rows], target[rows]
                feats = {name: m[rows] for name, m in feats.items()}
                if rows.size <= est.DEFAULT_K + 1:
                    return self._refuse(
                        "target_nan",
                        f"The target {self.target_name} is missing in "
                        f"{_rows_phrase(count, n)}; too few rows are left to judge.",
                        rows=count,
                    )
        try:
            result = self._judge(_Inputs(cand, feats, target[:, 0], rows))
        except est.EstimationError as e:
            return self._refuse("estimation", f"Acceptance could not be computed: {e}.")
        result.details.setdefault("rows", int(cand.shape[0]))
        if rows is not None:
            result.details["rows_ignored_nan_target"] = int(n - rows.size)
        return result

    def _refuse(self, error: str, reason: str, **details) -> AcceptanceResult:
        return AcceptanceResult(
            accepter=self.name,
            accepted=False,
            statistic=None,
            threshold=None,
            reason=reason,
            details={"error": error, **details},
        )

    def _judge(self, inputs: _Inputs) -> AcceptanceResult:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- helpers for information-based accepters
    def _target(self, y: np.ndarray) -> est.Variable:
        discrete = True if self.problem_type == "classification" else None
        return est.prepare(y, discrete=discrete, name=self.target_name)


class AlwaysAccepter(Accepter):
    name = "AlwaysAccepter"
    uses_target = False

    def _judge(self, inputs):
        return AcceptanceResult(
            self.name, True, None, None, "This project accepts every feature that works."
        )


class NeverAccepter(Accepter):
    name = "NeverAccepter"
    uses_target = False

    def _judge(self, inputs):
        return AcceptanceResult(
            self.name, False, None, None, "This project does not accept new features."
        )


class VarianceThresholdAccepter(Accepter):
    """Accept when every output column varies: variance > threshold."""

    name = "VarianceThresholdAccepter"
    uses_target = False

    def __init__(self, threshold: float = 0.05, **kw):
        super().__init__(**kw)
        self.threshold = float(threshold)

    def params(self):
        return {"threshold": self.threshold}

    def _judge(self, inputs):
        variances = inputs.candidate.var(axis=0)
        smallest = float(variances.min()) if variances.size else 0.0
        accepted = bool(variances.size and (variances > self.threshold).all())
        cols = inputs.candidate.shape[1]
        which = "Its variance" if cols == 1 else f"The smallest variance of its {cols} columns"
        verdict = "above" if accepted else "not above"
        return AcceptanceResult(
            self.name,
            accepted,
            smallest,
            self.threshold,
            f"{which} is {smallest:.4g}, {verdict} the bar of {self.threshold:g}"
            + ("." if accepted else " (a nearly constant feature carries no information)."),
            details={"variances": [float(v) for v in variances]},
        )


class MutualInformationAccepter(Accepter):
    """Accept when I(candidate; y) > threshold (and above the noise floor)."""

    name = "MutualInformationAccepter"

    def __init__(
        self,
        threshold: float = 0.05,
        handle_nan_targets: str = "fail",
        max_rows: int | None = None,
        **kw,
    ):
        super().__init__(**kw)
        self.threshold = float(threshold)
        self.handle_nan_targets = _nan_policy(handle_nan_targets)
        self.max_rows = None if max_rows is None else int(max_rows)

    def params(self):
        return {"threshold": self.threshold, "handle_nan_targets": self.handle_nan_targets}

    def _judge(self, inputs):
        n, q = inputs.candidate.shape
        used = est.knn_rows(n, q + 1, self.max_rows)
        bar = max(self.threshold, noise_floor(used))
        estimate = est.conditional_mutual_information_vs(
            est.prepare(inputs.candidate, name="candidate"),
            self._target(inputs.y),
            bar=bar,
            max_rows=self.max_rows,
        )
        mi = estimate.clipped
        accepted = mi > bar
        return AcceptanceResult(
            self.name,
            accepted,
            mi,
            bar,
            f"{'Carries' if accepted else 'Carries only'} {mi:.3f} nats of information about "
            f"{self.target_name}; the bar is {bar:.3f}{_floor_note(bar, self.threshold, used)}.",
            details={
                "raw_statistic": estimate.value,
                "standard_error": estimate.standard_error,
                "rows_queried": estimate.rows_queried,
                "configured_threshold": self.threshold,
                "rows_used": used,
            },
        )


class RandomAccepter(Accepter):
    """Accept with probability p (Ballet's baseline for experiments); seeded, so repeatable."""

    name = "RandomAccepter"
    uses_target = False

    def __init__(self, p: float = 0.3, seed: int | None = None, **kw):
        super().__init__(**kw)
        self.p = float(p)
        self.seed = seed

    def params(self):
        return {"p": self.p, "seed": self.seed}

    def _judge(self, inputs):
        draw = float(np.random.default_rng(self.seed).uniform())
        accepted = draw < self.p
        return AcceptanceResult(
            self.name,
            accepted,
            draw,
            self.p,
            f"This project accepts features at random (p = {self.p:g}); "
            f"this one was {'accepted' if accepted else 'rejected'}.",
        )


class CompoundAccepter(Accepter):
    """Combine sub-accepters: accept when all (agg=all) or any (agg=any) accept."""

    name = "CompoundAccepter"

    def __init__(self, agg: str = "all", specs=(), **kw):
        super().__init__(**kw)
        if agg not in ("all", "any"):
            raise SpecError(f"CompoundAccepter agg must be 'all' or 'any', got {agg!r}")
        if isinstance(specs, (str, dict)) or not hasattr(specs, "__iter__"):
            raise SpecError("CompoundAccepter specs must be a list of accepter specs")
        if not specs:
            raise SpecError("CompoundAccepter needs a non-empty list of accepter specs")
        self.agg = agg
        self.accepters = [make_accepter(s, **kw) for s in specs]

    def params(self):
        return {"agg": self.agg, "specs": [repr(a) for a in self.accepters]}

    def judge(self, candidate, existing, y):
        results = [a.judge(candidate, existing, y) for a in self.accepters]
        verdicts = [r.accepted for r in results]
        accepted = all(verdicts) if self.agg == "all" else any(verdicts)
        passed = sum(verdicts)
        word = "all" if self.agg == "all" else "at least one"
        lines = "; ".join(f"{r.accepter}: {r.reason}" for r in results)
        redundant = sorted({name for r in results if r.accepted for name in r.redundant})
        return AcceptanceResult(
            self.name,
            accepted,
            None,
            None,
            f"{passed} of {len(results)} tests passed ({word} must pass). {lines}".strip(),
            redundant=redundant,
            details={"agg": self.agg, "results": [r.to_json() for r in results]},
        )


class GFSSFAccepter(Accepter):
    """Group Feature Selection with Streaming Features (Li et al., ICDM 2013), as in Ballet.

    With F the accepted features, z the candidate, q the column counts,
    lmbda_i <= 0 -> H(y) / lambda_i_adjustment (64), l1 = lmbda_1 / (|F| + 1),
    l2 = lmbda_2 / (sum q_f + q_z):
    z is accepted when for some g in [None, *F]

        I(z; y | F - g) - I(g; y | F - g)  >  l1 + l2 * (q_z - q_g)   (q_None = 0)

    i.e. z adds information, or z can replace g. Two deliberate differences from Ballet:

    * The bar is ``max(l1 + l2 * (q_z - q_g), noise_floor(n))``. Ballet's bar goes negative
      when g has more columns than z, which let a statistic of 0 - 0 (an exact duplicate of an
      accepted feature) pass; and its positive bars (a few thousandths of a nat) are far below
      any estimator's sampling noise.
    * The branch statistic is computed through the chain rule,
      I(z; y | F - g) - I(g; y | F - g) = I(z; y | F) - I(g; y | F - g + z),
      which is the same quantity (exactly, for true information), needs one CMI per branch
      instead of two, shares its terms with pruning, and is exactly 0 - I(g; y | ...) <= 0 for
      a copy of any accepted feature (the copy is in the conditioning set). Since its second
      term is >= 0, a branch can only pass if I(z; y | F) clears that branch's bar, so most
      rejections cost a single CMI.

    Each CMI is computed only as precisely as its comparison needs
    (`entropy.conditional_mutual_information_vs`); ``details.branches`` carries each
    statistic's Monte-Carlo standard error and the rows queried. When accepted, ``redundant``
    lists the features that pruning (`_GFSSF.prune`) would remove after the merge.
    """

    name = "GFSSFAccepter"

    def __init__(
        self,
        lmbda_1: float = 0.0,
        lmbda_2: float = 0.0,
        handle_nan_targets: str = "fail",
        report_redundant: bool = True,
        max_rows: int | None = None,
        lambda_1_adjustment: float = 64.0,
        lambda_2_adjustment: float = 64.0,
        **kw,
    ):
        super().__init__(**kw)
        self.lmbda_1 = float(lmbda_1)
        self.lmbda_2 = float(lmbda_2)
        self.lambda_1_adjustment = float(lambda_1_adjustment)
        self.lambda_2_adjustment = float(lambda_2_adjustment)
        if self.lambda_1_adjustment <= 0 or self.lambda_2_adjustment <= 0:
            raise SpecError("GFSSF lambda adjustments must be positive")
        self.handle_nan_targets = _nan_policy(handle_nan_targets)
        self.report_redundant = bool(report_redundant)
        self.max_rows = None if max_rows is None else int(max_rows)

    def params(self):
        return {"lmbda_1": self.lmbda_1, "lmbda_2": self.lmbda_2}

    def _judge(self, inputs):
        g = _GFSSF(inputs.existing, inputs.y, self, candidate=inputs.candidate)
        q_z = inputs.candidate.shape[1]
        bar0 = g.bar(q_z, 0)
        e0 = g.cmi("__candidate__", g.names, bar0)
        stat0 = e0.clipped
        branches = [_branch(None, stat0, bar0, e0)]
        accepted_via: str | None = "" if stat0 > bar0 else None
        if accepted_via is None:
            for name in g.names:
                bar = g.bar(q_z, g.width(name))
                if not stat0 > bar:
                    continue  # the branch statistic is at most stat0: it cannot pass
                others = [f for f in g.names if f != name] + ["__candidate__"]
                # the branch passes iff I(g; y | F - g + z) < stat0 - bar
                e = g.cmi(name, others, stat0 - bar)
                stat = stat0 - e.clipped
                branches.append(_branch(name, stat, bar, e))
                if stat > bar:
                    accepted_via = name
                    break
        # report the branch that decided; for a rejection, the plain question "what does it
        # add beyond the existing features?" (the other branches are in details)
        best = branches[0]
        if accepted_via:
            best = next(b for b in branches if b["omitted"] == accepted_via)
        details = {
            "branches": branches,
            "lambda_1": g.lmbda_1,
            "lambda_2": g.lmbda_2,
            "target_entropy": g.h_y,
            "noise_floor": g.floor,
            "rows_used": g.rows_used,
            "accepted_by_replacing": accepted_via or None,
        }
        duplicate = _duplicate_of(inputs.candidate, inputs.existing)
        if duplicate:
            details["duplicate_of"] = duplicate
        redundant: list[str] = []
        if accepted_via is not None and self.report_redundant and g.names:
            redundant = g.prune(extra=["__candidate__"])
        reason = self._reason(accepted_via, best, len(g.names), duplicate, g.rows_used, redundant)
        return AcceptanceResult(
            self.name,
            accepted_via is not None,
            float(best["statistic"]),
            float(best["threshold"]),
            reason,
            redundant=redundant,
            details=details,
        )

    def _reason(self, via, branch, n_features, duplicate, n, redundant) -> str:
        stat, bar = branch["statistic"], branch["threshold"]
        beyond = (
            f"beyond the {n_features} existing feature{'s' if n_features != 1 else ''}"
            if n_features
            else "(there are no existing features yet)"
        )
        note = _floor_note(bar, None, n)
        if via == "":
            text = (
                f"Adds {stat:.3f} nats of information about {self.target_name} {beyond}; "
                f"the bar is {bar:.3f}{note}."
            )
        elif via:
            text = (
                f"Can replace the existing feature {via!r}: it adds {stat:.3f} nats of "
                f"information about {self.target_name} more than {via!r} does; "
                f"the bar is {bar:.3f}{note}."
            )
        else:
            shown = max(stat, 0.0)
            text = (
                f"Adds only {shown:.3f} nats of information about {self.target_name} {beyond}; "
                f"the bar is {bar:.3f}{note}."
            )
            if duplicate:
                text += f" It duplicates the existing feature {duplicate!r}."
            elif n_features:
                text += " It cannot replace any existing feature either."
        if redundant:
            text += " It would make " + ", ".join(repr(r) for r in redundant) + " redundant."
        return text


def _branch(omitted, statistic, threshold, estimate: est.Estimate) -> dict:
    return {
        "omitted": omitted,
        "statistic": statistic,
        "threshold": threshold,
        "raw": estimate.value,
        "standard_error": estimate.standard_error,
        "rows_queried": estimate.rows_queried,
    }


def _floor_note(bar: float, configured: float | None, n: int) -> str:
    floor = noise_floor(n)
    if bar == floor and (configured is None or floor > configured):
        return f" (the smallest gain distinguishable from noise with {n} rows)"
    return ""


def _duplicate_of(candidate: np.ndarray, existing: dict[str, np.ndarray]) -> str | None:
    for name, m in existing.items():
        if m.shape == candidate.shape and np.array_equal(m, candidate):
            return name
    return None


def _nan_policy(value: str) -> str:
    if value not in NAN_POLICIES:
        raise SpecError(f"handle_nan_targets must be 'fail' or 'ignore', got {value!r}")
    return value


class _GFSSF:
    """Shared state of one GFSSF evaluation: prepared variables, lambdas and a CMI cache."""

    def __init__(self, existing, y, cfg, candidate=None):
        self.blocks = {name: est.prepare(m, name=name) for name, m in existing.items()}
        self.names = list(existing)
        if candidate is not None:
            self.blocks["__candidate__"] = est.prepare(candidate, name="candidate")
        self.y = cfg._target(y)
        n = self.y.n
        if self.y.all_discrete:
            self.h_y = est.entropy(self.y)
        else:
            # differential entropy depends on units (dollars or thousands); use the
            # standardised target so the bar does not
            std = float(np.std(self.y.values)) or 1.0
            self.h_y = est.entropy(self.y.values / std)
        h = max(self.h_y, 0.0)
        self.lmbda_1 = cfg.lmbda_1 if cfg.lmbda_1 > 0 else h / cfg.lambda_1_adjustment
        self.lmbda_2 = cfg.lmbda_2 if cfg.lmbda_2 > 0 else h / cfg.lambda_2_adjustment
        n_features = len(self.blocks)
        n_columns = sum(v.width for v in self.blocks.values())
        self.l1 = self.lmbda_1 / max(n_features, 1)
        self.l2 = self.lmbda_2 / max(n_columns, 1)
        self.max_rows = cfg.max_rows
        # every CMI here involves (nearly) all columns plus the target
        self.rows_used = est.knn_rows(n, n_columns + 1, self.max_rows)
        self.floor = noise_floor(self.rows_used)
        self._cache: dict[tuple, est.Estimate] = {}

    def width(self, name: str) -> int:
        return self.blocks[name].width

    def bar(self, q_candidate: int, q_omitted: int) -> float:
        return max(self.l1 + self.l2 * (q_candidate - q_omitted), self.floor)

    def cmi(self, name: str, given: list[str], bar: float) -> est.Estimate:
        """I(name; y | given), precise enough to compare with `bar`."""
        key = (name, frozenset(given), bar)
        if key not in self._cache:
            z = _stack([self.blocks[g] for g in given])
            self._cache[key] = est.conditional_mutual_information_vs(
                self.blocks[name], self.y, z, bar=bar, max_rows=self.max_rows
            )
        return self._cache[key]

    def prune(self, extra: list[str] = ()) -> list[str]:
        """Features g of `names` with I(g; y | all other kept features + extra) below
        max(l1 + l2 * q_g, noise floor), removed greedily from the newest (last) to the oldest,
        so that of two copies the older one is kept."""
        kept = list(self.names)
        redundant = []
        for name in reversed(self.names):
            others = [f for f in kept if f != name] + list(extra)
            bar = max(self.l1 + self.l2 * self.width(name), self.floor)
            if self.cmi(name, others, bar).value < bar:
                redundant.append(name)
                kept.remove(name)
        return redundant


def _stack(variables: list[est.Variable]) -> est.Variable | None:
    """Concatenate prepared variables column-wise without recomputing their coordinates."""
    if not variables:
        return None
    if len(variables) == 1:
        return variables[0]
    codes = None
    if all(v.all_discrete for v in variables):
        codes = est._combine_codes([v.codes for v in variables])
    return est.Variable(
        name="+".join(v.name for v in variables),
        values=np.hstack([v.values for v in variables]),
        coords=np.hstack([v.coords for v in variables]),
        discrete=np.concatenate([v.discrete for v in variables]),
        codes=codes,
    )


# ---------------------------------------------------------------- specs

_ACCEPTERS = {
    "always": AlwaysAccepter,
    "never": NeverAccepter,
    "variancethreshold": VarianceThresholdAccepter,
    "variance": VarianceThresholdAccepter,
    "mutualinformation": MutualInformationAccepter,
    "mi": MutualInformationAccepter,
    "compound": CompoundAccepter,
    "gfssf": GFSSFAccepter,
    "random": RandomAccepter,
}
_PARAMS = {
    AlwaysAccepter: set(),
    NeverAccepter: set(),
    VarianceThresholdAccepter: {"threshold"},
    MutualInformationAccepter: {"threshold", "handle_nan_targets", "max_rows"},
    CompoundAccepter: {"agg", "specs"},
    GFSSFAccepter: {
        "lmbda_1",
        "lmbda_2",
        "lambda_1_adjustment",
        "lambda_2_adjustment",
        "handle_nan_targets",
        "report_redundant",
        "max_rows",
    },
    RandomAccepter: {"p", "seed"},
}


def _short(name: str, suffixes: tuple[str, ...]) -> str:
    key = name.rsplit(".", 1)[-1].strip().lower().replace("_", "").replace("-", "")
    for suffix in suffixes:
        if key.endswith(suffix) and key != suffix:
            return key[: -len(suffix)]
    return key


def _split_spec(spec, kind: str) -> tuple[str, dict]:
    if isinstance(spec, str):
        return spec, {}
    if isinstance(spec, dict):
        unknown = set(spec) - {"name", "params"}
        if "name" not in spec or unknown:
            raise SpecError(
                f"a {kind} spec must be a name or {{name: ..., params: {{...}}}}, got {spec!r}"
            )
        params = spec.get("params") or {}
        if not isinstance(params, dict):
            raise SpecError(f"the params of {spec['name']!r} must be a mapping, got {params!r}")
        return str(spec["name"]), dict(params)
    raise SpecError(f"a {kind} spec must be a name or {{name: ..., params: {{...}}}}, got {spec!r}")


def make_accepter(
    spec=None, problem_type: str = "regression", *, target_name: str = "the target"
) -> Accepter:
    """Build an accepter from a Ballet-style spec.

    `spec`: None (GFSSF, Ballet's default), an `Accepter`, a class path
    (``ballet.validation.feature_acceptance.validator.GFSSFAccepter``), a short name
    (``GFSSFAccepter``, ``gfssf``, ``mutual_information``...), or ``{name: ..., params: {...}}``.
    Raises `SpecError` (a 400 `BadRequest`) for unknown names or parameters.
    """
    if isinstance(spec, Accepter):
        return spec
    if spec is None:
        spec = "GFSSFAccepter"
    name, params = _split_spec(spec, "feature_accepter")
    cls = _ACCEPTERS.get(_short(name, ("featureaccepter", "accepter")))
    if cls is None:
        known = ", ".join(sorted({c.name for c in _ACCEPTERS.values()}))
        raise SpecError(f"unknown feature accepter {name!r}; known accepters: {known}")
    unknown = set(params) - _PARAMS[cls]
    if unknown:
        takes = ", ".join(sorted(_PARAMS[cls])) or "no parameters"
        raise SpecError(f"{cls.name} does not take {', '.join(sorted(unknown))}; it takes {takes}")
    try:
        return cls(**params, problem_type=problem_type, target_name=target_name)
    except (TypeError, ValueError) as e:
        if isinstance(e, SpecError):
            raise
        raise SpecError(f"bad parameters for {cls.name}: {e}") from None


def prune(
    existing: dict[str, np.ndarray],
    y,
    spec=None,
    problem_type: str = "regression",
) -> list[str]:
    """Names of existing features that are redundant given all the others (GFSSF pruning).

    `spec`: None or a GFSSF pruner spec (``ballet.validation.feature_pruning.validator.
    GFSSFPruner``, ``{name: GFSSFPruner, params: {lmbda_1, lmbda_2}}``, ``gfssf``), or
    ``NoOpPruner``/``noop`` (prunes nothing). Removal is greedy from the last feature of
    `existing` to the first, so of two identical features the later one is reported. Rows with a NaN target are ignored.
    """
    if spec is None:
        spec = "GFSSFPruner"
    name, params = _split_spec(spec, "feature_pruner")
    key = _short(name, ("featurepruner", "pruner"))
    if key in ("noop", "noopprune"):
        return []
    if key != "gfssf":
        raise SpecError(f"unknown feature pruner {name!r}; known pruners: GFSSFPruner, NoOpPruner")
    unknown = set(params) - {"lmbda_1", "lmbda_2", "lambda_1_adjustment", "lambda_2_adjustment"}
    if unknown:
        raise SpecError(f"GFSSFPruner does not take {', '.join(sorted(unknown))}")
    cfg = GFSSFAccepter(**params, problem_type=problem_type)
    feats = {n: _as_table(m, f"feature {n!r}") for n, m in existing.items()}
    target = _as_table(y, "y")
    keep = ~np.isnan(target).any(axis=1)
    if not keep.all():
        target = target[keep]
        feats = {n: m[keep] for n, m in feats.items()}
    for n, m in feats.items():
        kind, count = _bad_values(m)
        if kind:
            raise est.EstimationError(f"feature {n!r} has {kind} values in {count} rows")
    if not feats:
        return []
    return _GFSSF(feats, target[:, 0], cfg).prune()
