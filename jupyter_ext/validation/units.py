"""What a change in model score is worth in the project's own units (dollars, days, ...).

A reviewer can't weigh "ROC AUC +0.004" or "0.02 nats"; they can weigh "cuts the mean
absolute error by $1,240". When `ballet.yml` says what the target is worth, the scoring
stage (`scoring.py`) turns its cross-validated predictions into amounts with this module:

```yaml
problem:
  target_units:
    currency: "$"          # written before amounts: $1,240  (or `unit: days` -> 1,240 days)
    scale: 1               # one unit of the target value is worth `scale` currency (default 1;
                           # e.g. 1000 when the target is in thousands of dollars)
    transform: none        # none | log | log1p | log10 | log2: the target as the models see
                           # it (after the project's target encoder, if any) is transform(value);
                           # predictions are turned back before any amount is computed
    # classification only: what acting on a positive prediction is worth
    positive_class: churn  # the label acted on (default: the larger of the labels, e.g. 1)
    value_per_true_positive: 120
    cost_per_false_positive: 15
    cost_per_false_negative: 0   # optional (default 0)
    per: 1000              # amounts per this many predictions (default 1000)
```

Regression: the amount is the error of the predictions in money, `scale * inverse(pred)` vs
`scale * inverse(y)`: root mean squared error when the project's scorer is a squared error
(MSE in dollars squared means nothing to anyone), else mean absolute error. With a log
transform the back-transformed prediction is the model's median, not its mean: fine for
absolute error, the figure a reviewer reads.

Classification: expected value per `per` predictions when acting on every prediction whose
probability of the positive class exceeds the break-even point C / (V + C + F) (the threshold
that maximises expected value for calibrated probabilities):
`per * mean(V * TP - C * FP - F * FN)` over rows.

Pure configuration and arithmetic on numpy arrays; no sklearn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

TRANSFORMS = ("none", "log", "log1p", "log10", "log2")
_SQUARED_SCORERS = (
    "neg_mean_squared_error",
    "neg_root_mean_squared_error",
    "mean_squared_error",
    "root_mean_squared_error",
)
_MAX_EXPONENT = 700.0  # exp(709) overflows float64; a wild prediction becomes a huge amount


class UnitsConfigError(ValueError):
    """`problem.target_units` in ballet.yml can't be used; the message names the key."""


@dataclass(frozen=True)
class TargetUnits:
    """What one unit of the target is worth, from `problem.target_units`."""

    currency: str | None = None  # a prefix symbol: "$", "€"
    unit: str | None = None  # a suffix word when not money: "days", "kWh"
    scale: float = 1.0
    transform: str = "none"
    positive_class: Any = None
    value_per_true_positive: float | None = None
    cost_per_false_positive: float | None = None
    cost_per_false_negative: float = 0.0
    per: int = 1000

    @property
    def has_payoffs(self) -> bool:
        return self.value_per_true_positive is not None and self.cost_per_false_positive is not None

    def to_value(self, modelled):
        """The target as the models see it -> its worth (`scale * inverse_transform(x)`)."""
        import numpy as np

        x = np.asarray(modelled, dtype=np.float64)
        if self.transform == "log":
            x = np.exp(np.minimum(x, _MAX_EXPONENT))
        elif self.transform == "log1p":
            x = np.expm1(np.minimum(x, _MAX_EXPONENT))
        elif self.transform == "log10":
            x = np.power(10.0, np.minimum(x, _MAX_EXPONENT / math.log(10)))
        elif self.transform == "log2":
            x = np.power(2.0, np.minimum(x, _MAX_EXPONENT / math.log(2)))
        return x * self.scale

    @property
    def break_even(self) -> float:
        """The probability above which acting on a prediction pays: C / (V + C + F)."""
        v, c, f = (
            self.value_per_true_positive,
            self.cost_per_false_positive,
            self.cost_per_false_negative,
        )
        total = v + c + f
        return c / total if total > 0 else 0.5

    def format(self, amount: float, decimals: int | None = None, *, signed: bool = False) -> str:
        """`$1,240`, `-$1,240`, `1,240 days` (signed: `+$1,240`); `decimals` fixes the precision
        (money is shown with at most 2)."""
        sign = "-" if amount < 0 else ("+" if signed and amount > 0 else "")
        if decimals is not None and self.currency:
            decimals = min(decimals, 2)
        text = format_magnitude(abs(amount), decimals)
        if self.currency:
            return f"{sign}{self.currency}{text}"
        if self.unit:
            return f"{sign}{text} {self.unit}"
        return f"{sign}{text}"


def format_magnitude(x: float, decimals: int | None = None) -> str:
    """A non-negative amount as people write it: 1,240 / 12.50 / 0.0123."""
    if not math.isfinite(x):
        return "∞" if x > 0 else "n/a"
    if decimals is not None:
        return f"{x:,.{max(0, decimals)}f}"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 1:
        return f"{x:,.2f}"
    if x == 0:
        return "0"
    return f"{x:.3g}"


def parse_target_units(problem: Any, problem_type: str, where: str = "ballet.yml"):
    """`problem.target_units` from the raw `problem` section, or None when not configured.

    Raises UnitsConfigError naming the key when a value can't be used.
    """
    if not isinstance(problem, dict):
        return None
    raw = problem.get("target_units")
    if raw is None:
        return None
    key = "problem.target_units"
    if not isinstance(raw, dict):
        raise UnitsConfigError(f"{where}: {key} must be a mapping (currency, scale, ...).")
    known = {
        "currency",
        "unit",
        "scale",
        "transform",
        "positive_class",
        "value_per_true_positive",
        "cost_per_false_positive",
        "cost_per_false_negative",
        "per",
    }
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise UnitsConfigError(
            f"{where}: {key} has unknown key(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}."
        )

    def text(name: str) -> str | None:
        value = raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise UnitsConfigError(f"{where}: {key}.{name} must be a string.")
        return str(value)

    def number(name: str, default: float | None, *, positive: bool = False) -> float | None:
        value = raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UnitsConfigError(f"{where}: {key}.{name} must be a number, not {value!r}.")
        value = float(value)
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            bound = "greater than 0" if positive else "0 or more"
            raise UnitsConfigError(f"{where}: {key}.{name} must be {bound}, not {value!r}.")
        return value

    transform = (text("transform") or "none").strip().lower()
    if transform not in TRANSFORMS:
        raise UnitsConfigError(
            f"{where}: {key}.transform is {transform!r}; it must be one of {', '.join(TRANSFORMS)}."
        )
    per = number("per", 1000.0, positive=True)
    if per != int(per):
        raise UnitsConfigError(f"{where}: {key}.per must be a whole number of predictions.")
    units = TargetUnits(
        currency=text("currency"),
        unit=text("unit"),
        scale=number("scale", 1.0, positive=True),
        transform=transform,
        positive_class=raw.get("positive_class"),
        value_per_true_positive=number("value_per_true_positive", None),
        cost_per_false_positive=number("cost_per_false_positive", None),
        cost_per_false_negative=number("cost_per_false_negative", 0.0),
        per=int(per),
    )
    if problem_type == "classification":
        if not units.has_payoffs:
            raise UnitsConfigError(
                f"{where}: {key} of a classification project needs value_per_true_positive "
                "and cost_per_false_positive (what acting on a positive prediction is worth)."
            )
        if units.transform != "none":
            raise UnitsConfigError(f"{where}: {key}.transform applies to regression targets only.")
    return units


# -- amounts ------------------------------------------------------------------------------


def money_metric(scorer: str | None) -> str:
    """Which error is reported in money for a regression scorer: "rmse" or "mae"."""
    return "rmse" if scorer in _SQUARED_SCORERS else "mae"


MONEY_METRIC_NAMES = {"mae": "mean absolute error", "rmse": "root mean squared error"}


def regression_error(y_true, y_pred, units: TargetUnits, metric: str = "mae") -> float:
    """The predictions' error in the target's units (MAE or RMSE of the back-transformed values)."""
    import numpy as np

    diff = units.to_value(y_pred) - units.to_value(y_true)
    if metric == "rmse":
        return float(np.sqrt(np.mean(diff * diff)))
    return float(np.mean(np.abs(diff)))


def expected_value(is_positive, p_positive, units: TargetUnits) -> float:
    """Expected value per `units.per` predictions of acting where p > the break-even point."""
    import numpy as np

    pos = np.asarray(is_positive, dtype=bool)
    act = np.asarray(p_positive, dtype=np.float64) > units.break_even
    v = units.value_per_true_positive or 0.0
    c = units.cost_per_false_positive or 0.0
    f = units.cost_per_false_negative
    gain = v * (act & pos) - c * (act & ~pos) - f * (~act & pos)
    return float(units.per * gain.mean()) if gain.size else 0.0
