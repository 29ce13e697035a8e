"""The report's `score` block (validation/scoring.py) as text, for the CLI and the PR body.

Pure: it reads the JSON the worker produced, so `jupyter-ext validate`, the pull request and
the panel say the same thing in the same words.
"""

from __future__ import annotations

from typing import Any


def score_headline(score: Any) -> str | None:
    """The score in one sentence, or why there is none.

    E.g. "Cuts the baseline's mean absolute error by $1,240 (± $310 over 5 folds): ...".
    None when the report has no score block (scoring off, or a check failed).
    """
    if not isinstance(score, dict):
        return None
    status = score.get("status")
    if status == "scored":
        return str(score.get("sentence") or score.get("score_sentence") or "")
    reason = str(score.get("reason") or "no reason given").strip()
    if status == "skipped":
        return f"Not scored: {reason}"
    return f"Scoring failed: {reason}"


def score_details(score: Any) -> str | None:
    """How the figure was obtained: model, existing features, folds, scorer, fallback."""
    if not isinstance(score, dict) or score.get("status") != "scored":
        return None
    parts = [
        f"baseline: {score.get('baseline_description')}",
        f"{score.get('folds')}-fold cross-validation on {score.get('rows'):,} rows"
        if isinstance(score.get("rows"), int)
        else f"{score.get('folds')}-fold cross-validation",
        f"scorer {score.get('scorer')}",
    ]
    if restates_in_units(score) and score.get("score_sentence"):
        parts.append(f"in the scorer's terms: {score['score_sentence']}")
    text = "; ".join(parts)
    if score.get("fallback"):
        text += f" ({score['fallback']})"
    return text


def restates_in_units(score: dict) -> bool:
    """True when the units figure is not just the scorer's figure with a currency sign (an MAE
    scorer on a target in dollars): only then is the scorer's own sentence worth showing too."""
    units = score.get("units")
    if not isinstance(units, dict):
        return False
    same_metric = units.get("metric") == score.get("metric")
    return not (same_metric and _close(units.get("change"), score.get("change")))


def _close(a: Any, b: Any) -> bool:
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
