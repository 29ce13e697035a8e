"""The scoring stage: what a candidate does to a baseline model, in the scorer's and the
project's own units (validation/scoring.py, validation/units.py).

Synthetic data with a known answer: y = x0 + b * x1 + noise (sd 1). A model that already
has x0 and gains x1 lowers its mean squared error by b^2 * Var(x1) = b^2; pure noise changes
nothing beyond fold-to-fold noise.
"""

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from projects import build_synthetic_project

from jupyter_ext.core.pr_body import render_body
from jupyter_ext.core.project import parse_project
from jupyter_ext.validation.cli import render_human
from jupyter_ext.validation.runner import ValidationWorker, WorkerOptions
from jupyter_ext.validation.scoring import (
    BaselineCache,
    describe,
    paired_spread,
    parse_scoring_config,
    score_candidate,
)
from jupyter_ext.validation.units import (
    TargetUnits,
    expected_value,
    parse_target_units,
    regression_error,
)


def make_project(
    problem_type="regression", scorer="neg_mean_squared_error", scoring=None, units=None
):
    """A Project read from a ballet.yml text, as the worker gets it."""
    config = {
        "problem": {"problem_type": problem_type, "problem_type_details": {"scorer": scorer}},
        # A generous budget unless a test is about the budget: a busy CI machine must not
        # turn a test of the numbers into a test of the fallback.
        "validation": {"scoring": {"budget_seconds": 600, **(scoring or {})}},
    }
    if units is not None:
        config["problem"]["target_units"] = units
    return parse_project(yaml.safe_dump(config), root=Path("/nonexistent"))


def regression_data(n=2000, b=1.0, seed=0):
    rng = np.random.default_rng(seed)
    x0, x1, x2 = rng.normal(size=(3, n))
    y = x0 + b * x1 + rng.normal(size=n)
    return x0, x1, x2, y, rng


# -- the score: a known share of the signal, and noise ----------------------------------


@pytest.mark.parametrize("b", [1.0, 0.5])
def test_a_feature_carrying_a_known_share_of_the_signal_improves_mse_by_that_share(b):
    # Given: the existing feature carries x0; the candidate carries b * x1 (variance b^2)
    x0, x1, x2, y, _ = regression_data(n=3000, b=b)
    project = make_project(scoring={"model": "linear"})
    # When
    score = score_candidate(project, x1, [("x0", x0), ("x2", x2)], y)
    # Then: the mean squared error drops by about b^2 (from 1 + b^2 to 1)
    assert score["status"] == "scored"
    assert score["metric"] == "mean squared error" and score["lower_is_better"]
    assert score["baseline"] == pytest.approx(1 + b * b, rel=0.08)
    assert score["with_feature"] == pytest.approx(1.0, rel=0.08)
    assert score["change"] == pytest.approx(-b * b, abs=0.08)
    lo, hi = score["spread"]["ci95"]
    assert hi < 0 and score["helps"] is True
    assert len(score["spread"]["per_fold"]) == score["folds"] == 5
    assert score["sentence"].startswith("Cuts the baseline's mean squared error by ")
    assert "over 5 folds" in score["sentence"]


def test_gradient_boosting_finds_about_the_same_gain():
    # Given the same data and the default model (gradient boosting)
    x0, x1, _, y, _ = regression_data(n=1500, b=1.0)
    project = make_project()
    # When
    score = score_candidate(project, x1, [("x0", x0)], y)
    # Then: trees approximate the linear signal; the gain is close to 1
    assert score["model"] == "hist_gradient_boosting" and score["fallback"] is None
    assert score["change"] == pytest.approx(-1.0, abs=0.2)
    assert score["helps"] is True
    assert score["baseline_description"] == "gradient boosting on 1 existing feature"


def test_pure_noise_gives_an_interval_that_contains_zero():
    # Given ten datasets and a candidate of pure noise for each
    inside = 0
    for seed in range(10):
        x0, x1, _, y, rng = regression_data(n=1000, seed=seed)
        project = make_project(scoring={"model": "linear"})
        # When
        score = score_candidate(project, rng.normal(size=1000), [("x0", x0), ("x1", x1)], y)
        # Then: the change is tiny next to a real feature's, and the interval holds zero
        lo, hi = score["spread"]["ci95"]
        inside += lo <= 0 <= hi
        assert abs(score["change"]) < 0.02
        if lo <= 0 <= hi:
            assert score["helps"] is None
            assert "within the fold-to-fold noise" in score["sentence"]
    assert inside >= 9


def test_pure_noise_with_gradient_boosting_is_within_noise_too():
    x0, x1, _, y, rng = regression_data(n=1000, seed=3)
    score = score_candidate(make_project(), rng.normal(size=1000), [("x0", x0), ("x1", x1)], y)
    lo, hi = score["spread"]["ci95"]
    assert lo <= 0 <= hi and score["helps"] is None


def test_the_interval_is_the_corrected_paired_t_interval():
    # Nadeau & Bengio: mean ± t(0.975, k-1) * sd * sqrt(1/k + 1/(k-1))
    spread = paired_spread([1.0, 2.0, 3.0, 4.0, 5.0])
    half = 2.7764451051977987 * math.sqrt(2.5) * math.sqrt(1 / 5 + 1 / 4)
    assert spread["mean"] == 3.0 and spread["std"] == pytest.approx(math.sqrt(2.5))
    assert spread["ci95"] == pytest.approx([3.0 - half, 3.0 + half])


# -- units -------------------------------------------------------------------------------


def test_dollars_from_a_log_target_are_exact_on_a_hand_computed_case():
    # Given a target modelled as log(price) and predictions off by 10k, 10k and 30k dollars
    units = TargetUnits(currency="$", transform="log")
    y = np.log([100_000.0, 200_000.0, 300_000.0])
    pred = np.log([110_000.0, 190_000.0, 330_000.0])
    # Then: back in dollars, MAE = (10k + 10k + 30k) / 3 and RMSE = sqrt((1e8 + 1e8 + 9e8) / 3)
    assert regression_error(y, pred, units, "mae") == pytest.approx(50_000 / 3, rel=1e-12)
    assert regression_error(y, pred, units, "rmse") == pytest.approx(math.sqrt(11e8 / 3), rel=1e-12)


def test_a_scaled_target_is_exact():
    # A target in thousands of dollars: 1 unit off is $1,000
    units = TargetUnits(currency="$", scale=1000)
    assert regression_error([100.0, 200.0], [101.0, 199.0], units) == 1000.0
    assert TargetUnits(transform="log1p").to_value([math.log1p(9.0)])[0] == pytest.approx(9.0)
    assert TargetUnits(transform="log10").to_value([3.0])[0] == pytest.approx(1000.0)


def test_expected_value_per_1000_predictions_is_exact_on_a_hand_computed_case():
    # Given: a true positive is worth $100, a false positive costs $20 -> act when p > 1/6
    units = TargetUnits(currency="$", value_per_true_positive=100, cost_per_false_positive=20)
    positive = [True, False, True, False]
    p = [0.9, 0.5, 0.1, 0.05]  # acts on the first two: one TP (+100), one FP (-20)
    assert units.break_even == pytest.approx(1 / 6)
    assert expected_value(positive, p, units) == pytest.approx(1000 * (100 - 20) / 4)
    # And a missed positive costing $50 counts against the rows not acted on
    units = TargetUnits(
        value_per_true_positive=100, cost_per_false_positive=20, cost_per_false_negative=50
    )
    assert expected_value(positive, p, units) == pytest.approx(1000 * (100 - 20 - 50) / 4)


def test_amounts_read_as_people_write_them():
    dollars = TargetUnits(currency="$")
    assert dollars.format(1240.4) == "$1,240"
    assert dollars.format(-1240.4) == "-$1,240"
    assert dollars.format(12.5, 1, signed=True) == "+$12.5"
    assert TargetUnits(unit="days").format(3.25) == "3.25 days"
    # Given a score block as the stage makes it
    block = {
        "change": -1240.0,
        "lower_is_better": True,
        "baseline": 16_900.0,
        "with_feature": 15_660.0,
        "spread": {
            "std": 310.0,
            "ci95": [-1700.0, -780.0],
            "per_fold": [-1000.0, -1500.0, -900.0, -1600.0, -1200.0],
        },
        "helps": True,
    }
    sentence = describe(
        block,
        5,
        dollars.format,
        phrase="{verb} the baseline's mean absolute error by {amount}",
        verbs=("Cuts", "Raises"),
    )
    assert sentence == (
        "Cuts the baseline's mean absolute error by $1,240 (± $310 over 5 folds): "
        "$16,900 → $15,660."
    )


def test_a_feature_the_model_ignores_leaves_the_score_unchanged():
    # Given a constant candidate: gradient boosting never splits on it
    x0, _, _, y, _ = regression_data(n=400)
    project = make_project(scorer="neg_mean_absolute_error", units={"currency": "$"})
    score = score_candidate(project, np.ones(400), [("x0", x0)], y)
    assert score["change"] == 0 and score["helps"] is None
    assert score["sentence"].startswith("Leaves the baseline's mean absolute error unchanged at $")
    assert score["sentence"].endswith("over 5 folds: the model does not use the feature.")


def test_units_through_the_stage_match_the_scorer_times_the_scale():
    # Given a target in thousands of dollars and an MAE scorer: the dollars are the scorer's
    # MAE (same predictions, same folds) times 1000, exactly
    x0, x1, _, y, _ = regression_data(n=800)
    project = make_project(
        scorer="neg_mean_absolute_error",
        scoring={"model": "linear"},
        units={"currency": "$", "scale": 1000},
    )
    score = score_candidate(project, x1, [("x0", x0)], y)
    units = score["units"]
    assert units["metric"] == "mean absolute error"
    assert units["baseline"] == pytest.approx(1000 * score["baseline"], rel=1e-12)
    assert units["change"] == pytest.approx(1000 * score["change"], rel=1e-9)
    assert units["spread"]["std"] == pytest.approx(1000 * score["spread"]["std"], rel=1e-9)
    assert score["sentence"] == units["sentence"]
    assert score["sentence"].startswith("Cuts the baseline's mean absolute error by $")
    assert score["score_sentence"].startswith("Cuts the baseline's mean absolute error by 0.")


def test_a_squared_error_scorer_is_reported_as_rmse_in_dollars():
    x0, x1, _, y, _ = regression_data(n=600)
    project = make_project(scoring={"model": "linear"}, units={"currency": "€"})
    score = score_candidate(project, x1, [("x0", x0)], y)
    assert score["units"]["metric"] == "root mean squared error"
    assert "€" in score["sentence"] and "root mean squared error" in score["sentence"]


def test_classification_value_per_1000_predictions_and_the_positive_class():
    # Given a binary target "yes"/"no" (encoded 0/1 by the worker) that x1 helps predict
    rng = np.random.default_rng(1)
    n = 1500
    x0, x1 = rng.normal(size=(2, n))
    is_yes = x0 + 2 * x1 + rng.normal(size=n) > 1.0
    raw = np.where(is_yes, "yes", "no")
    codes = is_yes.astype(float)  # "no" -> 0, "yes" -> 1
    project = make_project(
        problem_type="classification",
        scorer="roc_auc",
        scoring={"model": "linear"},
        units={
            "currency": "$",
            "positive_class": "yes",
            "value_per_true_positive": 100,
            "cost_per_false_positive": 20,
        },
    )
    # When
    score = score_candidate(project, x1, [("x0", x0)], codes, target_raw=raw)
    # Then: the AUC rises and so does the money
    assert score["metric"] == "ROC AUC" and not score["lower_is_better"]
    assert score["change"] > 0.05 and score["helps"] is True
    units = score["units"]
    assert units["metric"] == "expected value per 1,000 predictions" and units["per"] == 1000
    assert units["change"] > 0 and units["helps"] is True
    assert score["sentence"].startswith("Adds $")
    assert "of expected value per 1,000 predictions (± $" in score["sentence"]
    assert score["score_sentence"].startswith("Raises the baseline's ROC AUC by ")
    # And: a positive class that is not a label is a warning, not a failure
    project = make_project(
        problem_type="classification",
        scorer="roc_auc",
        scoring={"model": "linear"},
        units={
            "positive_class": "maybe",
            "value_per_true_positive": 1,
            "cost_per_false_positive": 1,
        },
    )
    score = score_candidate(project, x1, [("x0", x0)], codes, target_raw=raw)
    assert score["status"] == "scored" and score["units"] is None
    assert "positive_class 'maybe' is not a label" in score["warnings"][0]


def test_without_existing_features_the_baseline_is_the_class_frequencies():
    rng = np.random.default_rng(2)
    x = rng.normal(size=600)
    y = (x + rng.normal(size=600) > 0).astype(float)
    project = make_project(problem_type="classification", scorer="roc_auc")
    score = score_candidate(project, x, [], y)
    assert score["baseline"] == pytest.approx(0.5)
    assert score["baseline_description"] == "the class frequencies (no existing features)"
    assert score["with_feature"] > 0.7


def test_missing_infinite_huge_and_categorical_values_are_scored_by_both_models():
    # Given existing features with NaN, ±inf and 1e300, and a one-hot candidate
    rng = np.random.default_rng(4)
    n = 600
    signal = rng.normal(size=n)
    bad = signal.copy()
    bad[::7] = np.nan
    bad[1::11] = np.inf
    bad[2::13] = -np.inf
    bad[3::17] = 1e300
    category = rng.integers(0, 4, size=n)
    one_hot = np.eye(4)[category]
    y = category * 2.0 + signal + rng.normal(size=n)
    y[5] = np.nan  # a row without a target is left out
    for model in ("linear", "hist_gradient_boosting"):
        score = score_candidate(make_project(scoring={"model": model}), one_hot, [("bad", bad)], y)
        # Then: scored on the rows with a target, and the category clearly helps
        assert score["status"] == "scored", score
        assert score["rows"] == n - 1
        assert score["helps"] is True


# -- budget, fallback, config ------------------------------------------------------------


def test_more_rows_than_max_rows_uses_the_linear_model():
    x0, x1, _, y, _ = regression_data(n=700)
    project = make_project(scoring={"max_rows": 500})
    score = score_candidate(project, x1, [("x0", x0)], y)
    assert score["model"] == "linear"
    assert "over validation.scoring.max_rows (500)" in score["fallback"]
    assert score["baseline_description"] == "linear model on 1 existing feature"


def test_over_budget_auto_skips_with_the_reason_and_true_scores_with_the_fallback():
    x0, x1, _, y, _ = regression_data(n=600)
    # Given a budget nothing can meet
    auto = make_project(scoring={"budget_seconds": 1e-6})
    forced = make_project(scoring={"budget_seconds": 1e-6, "enabled": True})
    # When / Then: auto gives up after one fold of each model, saying why and what to do
    skipped = score_candidate(auto, x1, [("x0", x0)], y)
    assert skipped["status"] == "skipped"
    assert "validation.scoring.budget_seconds" in skipped["reason"]
    assert "enabled: true" in skipped["reason"]
    # And: enabled: true falls back to the linear model and finishes
    cache = BaselineCache()
    scored = score_candidate(forced, x1, [("x0", x0)], y, cache=cache)
    assert scored["status"] == "scored" and scored["model"] == "linear"
    assert "over the 1e-06 s budget" in scored["fallback"]
    assert scored["change"] < -0.5
    # And: the next candidate on these features goes straight to the linear model
    again = score_candidate(forced, x1 + x0, [("x0", x0)], y, cache=cache)
    assert again["model"] == "linear" and again["fallback"] == scored["fallback"]
    assert again["cached_baseline"]  # the linear baseline of the first call
    assert len(cache.fallbacks) == 1 and len(cache.baselines) == 1  # no second probe


def test_scoring_off_gives_no_score():
    x0, x1, _, y, _ = regression_data(n=200)
    assert score_candidate(make_project(scoring={"enabled": False}), x1, [("x0", x0)], y) is None


@pytest.mark.parametrize(
    ("scoring", "message"),
    [
        ({"folds": 1}, "validation.scoring.folds must be a whole number from 2 to 20"),
        ({"model": "xgboost"}, "validation.scoring.model is 'xgboost'"),
        ({"enabled": "sometimes"}, "validation.scoring.enabled must be true, false or auto"),
        ({"budget_seconds": 0}, "validation.scoring.budget_seconds must be a number above 0"),
        ({"speed": "fast"}, "validation.scoring has unknown key(s) speed"),
    ],
)
def test_a_bad_scoring_config_is_a_failed_score_naming_the_key(scoring, message):
    x0, x1, _, y, _ = regression_data(n=200)
    score = score_candidate(make_project(scoring=scoring), x1, [("x0", x0)], y)
    assert score["status"] == "failed"
    assert message in score["reason"]


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ({"transform": "sqrt"}, "problem.target_units.transform is 'sqrt'"),
        ({"scale": -2}, "problem.target_units.scale must be greater than 0"),
        ({"currency": "$", "dollars": 1}, "unknown key(s) dollars"),
        ("dollars", "problem.target_units must be a mapping"),
    ],
)
def test_a_bad_units_config_is_a_warning_and_the_score_stands(units, message):
    x0, x1, _, y, _ = regression_data(n=300)
    project = make_project(scoring={"model": "linear"}, units=units)
    score = score_candidate(project, x1, [("x0", x0)], y)
    assert score["status"] == "scored" and score["units"] is None
    assert any(message in w for w in score["warnings"])


def test_classification_units_need_the_payoffs():
    with pytest.raises(ValueError, match="needs value_per_true_positive"):
        parse_target_units({"target_units": {"currency": "$"}}, "classification")
    assert parse_scoring_config({}).model == "hist_gradient_boosting"
    assert parse_scoring_config({"scoring": False}).enabled == "never"


def test_an_unknown_scorer_is_a_failed_score():
    x0, x1, _, y, _ = regression_data(n=200)
    score = score_candidate(make_project(scorer="mean_happiness"), x1, [("x0", x0)], y)
    assert score["status"] == "failed"
    assert "'mean_happiness' is not an sklearn scorer name" in score["reason"]


def test_the_baseline_is_fitted_once_per_set_of_existing_features():
    # Given a cache, as the worker holds one
    x0, x1, x2, y, rng = regression_data(n=600)
    project = make_project(scoring={"model": "linear"})
    cache = BaselineCache()
    first = score_candidate(project, x1, [("x0", x0)], y, cache=cache, data_key="d")
    # When another candidate comes, the baseline's folds are reused (same numbers)
    second = score_candidate(project, x2, [("x0", x0)], y, cache=cache, data_key="d")
    # And the same candidate again gets its whole score back
    again = score_candidate(project, x1, [("x0", x0)], y, cache=cache, data_key="d")
    # And a changed set of existing features means a new baseline
    third = score_candidate(project, x2, [("x0", x0), ("x1", x1)], y, cache=cache, data_key="d")
    assert not first["cached_baseline"] and second["cached_baseline"]
    assert second["baseline"] == first["baseline"]
    assert again["cached"] is True and again["change"] == first["change"]
    assert not third["cached_baseline"] and third["baseline"] < first["baseline"]


# -- through the worker, the CLI's output and the PR body -----------------------------------


@pytest.fixture(scope="module")
def scored_project(tmp_path_factory):
    root = build_synthetic_project(
        tmp_path_factory.mktemp("scoring") / "synthetic", rows=600, columns=6, features=1
    )
    config = root / "ballet.yml"
    text = config.read_text()
    text = text.replace("problem:\n", 'problem:\n  target_units: {currency: "$", scale: 1000}\n')
    text = text.replace("validation:\n", "validation:\n  scoring: {budget_seconds: 600}\n")
    config.write_text(text)
    return root


async def test_a_worker_report_carries_the_score_and_its_timing(scored_project):
    # Given a project whose target is in thousands of dollars, with x0 as its feature
    worker = ValidationWorker(scored_project, WorkerOptions(timeout_s=300, memory_limit_mb=2048))
    good = 'input = ["x1"]\ntransformer = None\nname = "x1 as is"\n'
    broken = 'input = ["x2"]\ntransformer = lambda df: df / 0 - df / 0\nname = "NaNs"\n'
    try:
        report = await worker.request("validate", source=good)
        failed = await worker.request("validate", source=broken)
    finally:
        await worker.stop()
    # Then: x1 carries part of the signal; the model with it errs less
    score = report["score"]
    assert score["status"] == "scored", score
    assert score["rows"] == 600 and score["baseline_description"].endswith("on 1 existing feature")
    assert score["change"] < 0 and score["helps"] is True
    assert score["sentence"].startswith("Cuts the baseline's mean absolute error by $")
    assert report["timings_ms"]["score"] >= score["duration_ms"] > 0
    # And: a feature that fails a check is not scored
    assert failed["passed"] is False and failed["score"] is None
    # And: the CLI's human output and the PR body say it in the same words
    output = {
        "project": {"name": "Synthetic"},
        "structure": None,
        "features": [{"file": "feature_x1.py", "report": report}],
        "verdict": "accepted",
    }
    text = render_human(output)
    assert f"  Model score: {score['sentence']}" in text
    assert "baseline: " in text and "5-fold cross-validation on 600 rows" in text
    body = render_body(report, "src/synth/features/contrib/user_a/feature_x1.py")
    assert "- Model score: Cuts the baseline's mean absolute error by \\$" in body


def test_the_scorer_sentence_is_added_only_when_the_units_say_something_else():
    from jupyter_ext.core.score_summary import score_details

    # Given an MAE scorer on a target in dollars: the units figure is the scorer's figure
    x0, x1, _, y, _ = regression_data(n=400)
    same = make_project(
        scorer="neg_mean_absolute_error", scoring={"model": "linear"}, units={"currency": "$"}
    )
    scaled = make_project(
        scorer="neg_mean_absolute_error",
        scoring={"model": "linear"},
        units={"currency": "$", "scale": 1000},
    )
    # Then the details don't repeat it; with a scale they do
    assert "scorer's terms" not in score_details(score_candidate(same, x1, [("x0", x0)], y))
    assert "scorer's terms" in score_details(score_candidate(scaled, x1, [("x0", x0)], y))
