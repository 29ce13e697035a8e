"""Accepter verdicts, Ballet spec forms, and the failure modes of Ballet 0.19.5 we must not copy."""

import json

import numpy as np
import pytest

from jupyter_ext.errors import BadRequest
from jupyter_ext.validation.acceptance import (
    AcceptanceResult,
    CompoundAccepter,
    GFSSFAccepter,
    MutualInformationAccepter,
    SpecError,
    VarianceThresholdAccepter,
    make_accepter,
    noise_floor,
    prune,
)

N = 1500


def project(seed: int, target: str, n: int = N):
    """Four existing one-column features; the target depends on f0, f1 and a hidden signal h."""
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, 4))
    h = r.normal(size=n)
    score = x[:, 0] + x[:, 1] + 1.5 * h + r.normal(size=n)
    y = (score > 0).astype(float) if target == "binary" else score
    existing = {f"f{i}": x[:, i : i + 1] for i in range(4)}
    return r, existing, y, h


def problem(target: str) -> str:
    return "classification" if target == "binary" else "regression"


# ---------------------------------------------------------------- noise and signal


@pytest.mark.parametrize("target", ["binary", "continuous"])
@pytest.mark.parametrize("spec", ["GFSSFAccepter", {"name": "MutualInformationAccepter"}])
def test_pure_noise_is_rejected_for_every_seed(spec, target):
    # Given 20 projects and, for each, a candidate that returns random numbers
    verdicts = []
    for seed in range(20):
        r, existing, y, _ = project(seed, target)
        accepter = make_accepter(spec, problem(target))
        # When
        result = accepter.judge(r.normal(size=(N, 1)), existing, y)
        verdicts.append(result.accepted)
    # Then: never accepted (Ballet's GFSSF and MutualInformation(0.05) accept it)
    assert not any(verdicts)


@pytest.mark.parametrize("target", ["binary", "continuous"])
@pytest.mark.parametrize("spec", ["gfssf", "mutual_information"])
def test_strong_signal_is_accepted(spec, target):
    # Given a candidate that measures the hidden signal the existing features miss
    r, existing, y, h = project(1, target)
    # When
    result = make_accepter(spec, problem(target), target_name="price").judge(
        h.reshape(-1, 1), existing, y
    )
    # Then
    assert result.accepted
    assert result.statistic > result.threshold > 0
    assert "price" in result.reason and "nats" in result.reason


def test_multi_column_signal_is_judged_as_one_feature():
    # Given a two-column candidate whose columns only matter together (an XOR-like split)
    r, existing, _, _ = project(2, "binary")
    a, b = r.normal(size=N), r.normal(size=N)
    y = ((a * b + 0.3 * r.normal(size=N)) > 0).astype(float)
    # When
    result = make_accepter("gfssf", "classification").judge(np.column_stack([a, b]), existing, y)
    # Then
    assert result.accepted


# ---------------------------------------------------------------- copies and redundancy


@pytest.mark.parametrize("with_one_hot", [False, True])
@pytest.mark.parametrize("copied", ["f0", "f2"])
def test_exact_copy_of_an_existing_feature_is_rejected(copied, with_one_hot):
    # Given existing features, optionally including a five-column one-hot feature (which made
    # Ballet's threshold l1 + l2 * (1 - 5) negative so that copies passed)
    r, existing, y, _ = project(3, "binary")
    if with_one_hot:
        existing["neighbourhood"] = np.eye(5)[r.integers(0, 5, N)]
    # When
    result = make_accepter(
        "ballet.validation.feature_acceptance.validator.GFSSFAccepter", "classification"
    ).judge(existing[copied].copy(), existing, y)
    # Then
    assert not result.accepted
    assert result.details["duplicate_of"] == copied
    assert f"duplicates the existing feature '{copied}'" in result.reason
    assert all(branch["threshold"] > 0 for branch in result.details["branches"])


def test_exact_copy_of_the_one_hot_feature_itself_is_rejected():
    # Given a multi-column existing feature and a candidate equal to it
    r, existing, y, _ = project(4, "binary")
    onehot = np.eye(5)[np.digitize(existing["f0"][:, 0], [-1, -0.3, 0.3, 1])]
    existing["f0_band"] = onehot
    # When
    result = make_accepter("gfssf", "classification").judge(onehot.copy(), existing, y)
    # Then
    assert not result.accepted


def test_a_feature_that_replaces_a_weaker_one_is_reported_redundant():
    # Given an existing feature that is a noisy measurement of the hidden signal
    r, existing, y, h = project(5, "continuous")
    existing["weak_h"] = (h + 1.5 * r.normal(size=N)).reshape(-1, 1)
    # When the clean measurement is judged
    result = make_accepter("gfssf").judge(h.reshape(-1, 1), existing, y)
    # Then it is accepted, and the weaker feature is named as made redundant
    assert result.accepted
    assert "weak_h" in result.redundant
    assert "weak_h" in result.reason
    assert not {"f0", "f1"} & set(result.redundant)


def test_a_narrow_feature_can_replace_a_wide_one():
    # Given a wide existing feature (a one-hot of a noisy reading of the hidden signal) and
    # large lambdas: bars of l1 + l2 = 1.5 nats to add a one-column feature, l1 = 0.5 to
    # replace a one-column feature, but l1 - 4 l2 < 0 (so: the noise floor) to replace the
    # five-column one
    r, existing, y, h = project(23, "continuous")
    bands = np.searchsorted([-1, -0.3, 0.3, 1], h + r.normal(size=N))
    existing["h_bands"] = np.eye(5)[bands]
    params = {"lmbda_1": 3, "lmbda_2": 10}
    accepter = make_accepter({"name": "gfssf", "params": params})
    # When the clean one-column measurement is judged
    result = accepter.judge(h.reshape(-1, 1), existing, y)
    # Then it does not clear the bar for adding, but it is accepted as a replacement
    plain = result.details["branches"][0]
    assert plain["statistic"] < plain["threshold"]
    assert result.accepted and result.details["accepted_by_replacing"] == "h_bands"
    assert "Can replace the existing feature 'h_bands'" in result.reason
    assert "h_bands" in result.redundant


def test_redundancy_is_not_computed_when_disabled():
    r, existing, y, h = project(5, "continuous")
    existing["weak_h"] = (h + 1.5 * r.normal(size=N)).reshape(-1, 1)
    accepter = make_accepter({"name": "gfssf", "params": {"report_redundant": False}})
    assert accepter.judge(h.reshape(-1, 1), existing, y).redundant == []


def test_first_feature_of_a_project_is_judged_on_its_own():
    # Given no existing features yet
    r, _, y, h = project(6, "binary")
    # When / Then
    result = make_accepter("gfssf", "classification").judge(h.reshape(-1, 1), {}, y)
    assert result.accepted
    assert "no existing features" in result.reason


def test_prune_reports_the_later_of_two_copies_and_the_useless_feature():
    # Given f0, f1 (useful), f2, f3 (useless: the target ignores them) and a copy of f0
    r, existing, y, h = project(7, "continuous")
    existing["f0_again"] = existing["f0"].copy()
    # When
    redundant = prune(existing, y)
    # Then
    assert "f0_again" in redundant and "f0" not in redundant
    assert {"f2", "f3"} <= set(redundant)
    assert "f1" not in redundant


@pytest.mark.parametrize(
    "spec",
    [
        None,
        "GFSSFPruner",
        "ballet.validation.feature_pruning.validator.GFSSFPruner",
        {"name": "GFSSFPruner", "params": {"lmbda_1": 0.01}},
    ],
)
def test_prune_spec_forms(spec):
    r, existing, y, _ = project(8, "binary")
    existing["f1_again"] = existing["f1"].copy()
    assert "f1_again" in prune(existing, y, spec, problem_type="classification")


def test_noop_pruner_prunes_nothing():
    r, existing, y, _ = project(8, "binary")
    assert prune(existing, y, "ballet.validation.feature_pruning.validator.NoOpPruner") == []


# ---------------------------------------------------------------- NaN and inf


@pytest.mark.parametrize(
    "spec",
    [
        "gfssf",
        "mutual_information",
        "variance",
        "always",
        {"name": "compound", "params": {"agg": "any", "specs": ["always", "gfssf"]}},
    ],
)
@pytest.mark.parametrize(
    "bad, error, words",
    [
        (np.nan, "nan", "missing values (NaN) in 15 of"),
        (np.inf, "inf", "infinite values in 15 of"),
        (-np.inf, "inf", "infinite values in 15 of"),
    ],
)
def test_nan_or_inf_in_the_candidate_is_a_rejection_with_a_reason(spec, bad, error, words):
    # Given a candidate with 15 bad rows
    r, existing, y, h = project(9, "binary")
    candidate = h.reshape(-1, 1).copy()
    candidate[:15] = bad
    # When
    result = make_accepter(spec, "classification").judge(candidate, existing, y)
    # Then: no crash, no acceptance, a reason a person can act on
    assert not result.accepted
    assert words in result.reason
    if not isinstance(spec, dict):
        assert result.details["error"] == error


def test_nan_in_an_existing_feature_names_that_feature():
    r, existing, y, h = project(10, "binary")
    existing["f2"] = existing["f2"].copy()
    existing["f2"][3] = np.nan
    result = make_accepter("gfssf", "classification").judge(h.reshape(-1, 1), existing, y)
    assert not result.accepted
    assert result.details == {"error": "existing_nan", "feature": "f2", "rows": 1}
    assert "'f2'" in result.reason


@pytest.mark.parametrize("spec_name", ["MutualInformationAccepter", "GFSSFAccepter"])
@pytest.mark.parametrize(
    "policy, accepted, error",
    [("fail", False, "target_nan"), ("ignore", True, None)],
)
def test_nan_targets_fail_or_are_ignored(spec_name, policy, accepted, error):
    # Given a target missing in 40 rows and a candidate that predicts it
    r, existing, y, h = project(11, "continuous")
    y = y.copy()
    y[:40] = np.nan
    spec = {"name": spec_name, "params": {"handle_nan_targets": policy}}
    # When
    result = make_accepter(spec).judge(h.reshape(-1, 1), existing, y)
    # Then
    assert result.accepted is accepted
    assert result.details.get("error") == error
    if policy == "ignore":
        assert result.details["rows"] == N - 40
        assert result.details["rows_ignored_nan_target"] == 40
    else:
        assert "missing in 40 of" in result.reason


def test_inf_in_the_target_is_rejected_with_a_reason():
    r, existing, y, h = project(12, "continuous")
    y = y.copy()
    y[0] = np.inf
    result = make_accepter("gfssf").judge(h.reshape(-1, 1), existing, y)
    assert not result.accepted and result.details["error"] == "target_inf"


# ---------------------------------------------------------------- simple accepters


@pytest.mark.parametrize(
    "columns, accepted",
    [
        ([np.ones(N)], False),  # constant
        ([np.r_[np.zeros(N - 10), np.ones(10)]], False),  # almost constant: variance ~0.007
        ([np.random.default_rng(0).normal(size=N)], True),
        ([np.random.default_rng(0).normal(size=N), np.zeros(N)], False),  # one dead column
    ],
)
def test_variance_threshold(columns, accepted):
    r, existing, y, _ = project(13, "binary")
    result = make_accepter("VarianceThresholdAccepter").judge(np.column_stack(columns), existing, y)
    assert result.accepted is accepted
    assert result.threshold == 0.05


def test_always_and_never():
    r, existing, y, h = project(14, "binary")
    assert make_accepter("AlwaysAccepter").judge(r.normal(size=(N, 1)), existing, y).accepted
    assert not make_accepter("NeverAccepter").judge(h.reshape(-1, 1), existing, y).accepted


@pytest.mark.parametrize(
    "agg, specs, accepted",
    [
        ("all", ["always", "always"], True),
        ("all", ["always", "never"], False),
        ("any", ["never", "always"], True),
        ("any", ["never", "never"], False),
        ("all", ["variance", "gfssf"], False),  # noise: varies, but adds nothing
        ("any", ["variance", "gfssf"], True),
        (
            "all",
            [
                {"name": "compound", "params": {"agg": "any", "specs": ["never", "always"]}},
                "always",
            ],
            True,
        ),
    ],
)
def test_compound(agg, specs, accepted):
    # Given a noise candidate and a compound accepter
    r, existing, y, _ = project(15, "binary")
    accepter = make_accepter(
        {"name": "CompoundAccepter", "params": {"agg": agg, "specs": specs}}, "classification"
    )
    # When
    result = accepter.judge(r.normal(size=(N, 1)), existing, y)
    # Then
    assert result.accepted is accepted
    assert len(result.details["results"]) == len(specs)


# ---------------------------------------------------------------- specs


@pytest.mark.parametrize(
    "spec, cls, params",
    [
        (None, GFSSFAccepter, {"lmbda_1": 0.0, "lmbda_2": 0.0}),
        ("ballet.validation.feature_acceptance.validator.GFSSFAccepter", GFSSFAccepter, {}),
        ("GFSSFAccepter", GFSSFAccepter, {}),
        ("gfssf", GFSSFAccepter, {}),
        (
            {"name": "GFSSFAccepter", "params": {"lmbda_1": 0.1, "lmbda_2": 0.2}},
            GFSSFAccepter,
            {"lmbda_1": 0.1, "lmbda_2": 0.2},
        ),
        (
            "ballet.validation.feature_acceptance.validator.MutualInformationAccepter",
            MutualInformationAccepter,
            {"threshold": 0.05, "handle_nan_targets": "fail"},
        ),
        (
            {
                "name": "mutual_information",
                "params": {"threshold": 0.1, "handle_nan_targets": "ignore"},
            },
            MutualInformationAccepter,
            {"threshold": 0.1, "handle_nan_targets": "ignore"},
        ),
        ("mi", MutualInformationAccepter, {}),
        (
            "ballet.validation.feature_acceptance.validator.VarianceThresholdAccepter",
            VarianceThresholdAccepter,
            {"threshold": 0.05},
        ),
        (
            {"name": "variance", "params": {"threshold": 1}},
            VarianceThresholdAccepter,
            {"threshold": 1.0},
        ),
        (
            {
                "name": "ballet.validation.feature_acceptance.validator.CompoundAccepter",
                "params": {"agg": "any", "specs": ["always", {"name": "gfssf"}]},
            },
            CompoundAccepter,
            {"agg": "any"},
        ),
    ],
)
def test_spec_forms(spec, cls, params):
    accepter = make_accepter(spec)
    assert type(accepter) is cls
    assert params.items() <= accepter.params().items()


@pytest.mark.parametrize(
    "spec, words",
    [
        (
            "ballet.validation.feature_acceptance.validator.FancyAccepter",
            "unknown feature accepter",
        ),
        ({"name": "gfssf", "params": {"lambda_1": 1}}, "does not take lambda_1"),
        ({"name": "gfssf", "extra": 1}, "name: ..., params"),
        ({"params": {}}, "name: ..., params"),
        ({"name": "mi", "params": {"handle_nan_targets": "drop"}}, "'fail' or 'ignore'"),
        ({"name": "compound", "params": {"agg": "most"}}, "'all' or 'any'"),
        ({"name": "compound", "params": {"specs": "gfssf"}}, "list of accepter specs"),
        ({"name": "compound", "params": {"specs": []}}, "non-empty list"),
        ({"name": "variance", "params": {"threshold": "high"}}, "bad parameters"),
        (42, "must be a name"),
    ],
)
def test_bad_specs_are_clear_400_errors(spec, words):
    with pytest.raises(SpecError, match=words) as info:
        make_accepter(spec)
    assert isinstance(info.value, BadRequest) and info.value.status == 400


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_accepter_is_repeatable(seed):
    # Given Ballet's seeded random accepter
    r, existing, y, h = project(21, "binary")
    spec = {
        "name": "ballet.validation.feature_acceptance.validator.RandomAccepter",
        "params": {"p": 0.5, "seed": seed},
    }
    # When judged twice / Then the same verdict
    first = make_accepter(spec).judge(h.reshape(-1, 1), existing, y)
    assert make_accepter(spec).judge(h.reshape(-1, 1), existing, y).accepted is first.accepted


def test_random_accepter_extremes():
    r, existing, y, h = project(21, "binary")
    assert make_accepter({"name": "random", "params": {"p": 1}}).judge(h, existing, y).accepted
    assert not make_accepter({"name": "random", "params": {"p": 0}}).judge(h, existing, y).accepted


def test_large_data_uses_a_row_sample_and_a_matching_noise_floor():
    # Given more rows than the k-NN row cap (set low to keep the test fast)
    r, existing, y, h = project(22, "binary", n=3000)
    spec = {"name": "gfssf", "params": {"max_rows": 1000}}
    # When
    result = make_accepter(spec, "classification").judge(h.reshape(-1, 1), existing, y)
    # Then the bar is the noise floor of the rows actually used, and the verdict still holds
    assert result.details["rows_used"] == 1000
    assert result.details["noise_floor"] == pytest.approx(noise_floor(1000))
    assert result.accepted
    copy = make_accepter(spec, "classification").judge(existing["f1"], existing, y)
    assert not copy.accepted and copy.statistic <= 0


def test_unknown_problem_type_is_rejected():
    with pytest.raises(SpecError, match="problem_type"):
        make_accepter("gfssf", "ranking")


# ---------------------------------------------------------------- thresholds and results


def test_gfssf_bar_never_drops_below_the_noise_floor():
    # Given a project with a wide one-hot feature and tiny configured lambdas
    r, existing, y, _ = project(16, "binary")
    existing["wide"] = np.eye(8)[r.integers(0, 8, N)]
    accepter = make_accepter(
        {"name": "gfssf", "params": {"lmbda_1": 1e-6, "lmbda_2": 1e-6}}, "classification"
    )
    # When a weak copy-like candidate is judged
    result = accepter.judge(existing["f0"] + 1e-9, existing, y)
    # Then every branch's bar is at least the noise floor for this many rows
    assert not result.accepted
    assert all(b["threshold"] >= noise_floor(N) for b in result.details["branches"])


def test_default_lambdas_follow_ballet():
    # Given a balanced binary target: H(y) = log 2
    r, existing, y, h = project(17, "binary")
    result = make_accepter("gfssf", "classification").judge(h.reshape(-1, 1), existing, y)
    # Then lambda = H(y) / 64 for both
    assert result.details["lambda_1"] == pytest.approx(result.details["target_entropy"] / 64)
    assert result.details["target_entropy"] == pytest.approx(np.log(2), abs=0.01)


def test_lambda_adjustments_scale_the_default_lambdas():
    # Given Ballet's lambda_i_adjustment params (the divisor of H(y), 64 by default)
    r, existing, y, h = project(17, "binary")
    spec = {"name": "gfssf", "params": {"lambda_1_adjustment": 8, "lambda_2_adjustment": 16}}
    # When
    result = make_accepter(spec, "classification").judge(h.reshape(-1, 1), existing, y)
    # Then
    entropy_y = result.details["target_entropy"]
    assert result.details["lambda_1"] == pytest.approx(entropy_y / 8)
    assert result.details["lambda_2"] == pytest.approx(entropy_y / 16)


def test_results_serialise_to_plain_json():
    r, existing, y, h = project(18, "binary")
    result = make_accepter("gfssf", "classification").judge(h.reshape(-1, 1), existing, y)
    payload = json.loads(json.dumps(result.to_json()))
    assert set(payload) == {
        "accepter",
        "accepted",
        "statistic",
        "threshold",
        "reason",
        "redundant",
        "details",
    }
    assert payload["accepter"] == "GFSSFAccepter" and payload["accepted"] is True
    assert isinstance(result, AcceptanceResult)


def test_verdicts_are_deterministic():
    r, existing, y, _ = project(19, "binary")
    candidate = np.round(r.normal(size=(N, 1)), 1)  # ties: the jitter is involved
    a = make_accepter("gfssf", "classification").judge(candidate, existing, y)
    b = make_accepter("gfssf", "classification").judge(candidate.copy(), existing, y)
    assert a.to_json() == b.to_json()


def test_too_few_rows_is_a_rejection_with_a_reason():
    # Given a project with three rows
    y = np.array([0.0, 1.0, 0.0])
    # When / Then
    result = make_accepter("gfssf", "classification").judge(np.arange(3.0), {}, y)
    assert not result.accepted
    assert result.details["error"] == "estimation" and "more than 3 rows" in result.reason


def test_shape_mismatch_is_a_programming_error():
    r, existing, y, h = project(20, "binary")
    with pytest.raises(ValueError, match="rows"):
        make_accepter("gfssf").judge(h[:-1].reshape(-1, 1), existing, y)
    with pytest.raises(ValueError, match="one column"):
        make_accepter("gfssf").judge(h, existing, np.column_stack([y, y]))
