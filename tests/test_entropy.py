"""Entropy / MI / CMI estimators against analytic values.

Tolerances are a few hundredths of a nat: tight enough to catch Ballet 0.19.5's estimator,
whose k-NN counts include the query point and score independent noise at ~0.3 nats.
"""

import math

import numpy as np
import pytest
from scipy.stats import norm

from jupyter_ext.validation import entropy as E

N = 4000


def gaussian_mi(rho: float) -> float:
    return -0.5 * math.log(1 - rho**2)


def rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- entropy


@pytest.mark.parametrize("sigma", [0.5, 1.0, 20.0])
def test_gaussian_entropy_matches_the_closed_form(sigma):
    # Given a Gaussian sample with standard deviation sigma
    x = rng(1).normal(0, sigma, N)
    # When its entropy is estimated
    h = E.entropy(x)
    # Then it matches 1/2 log(2 pi e sigma^2) (a differential entropy, in x's units)
    assert h == pytest.approx(0.5 * math.log(2 * math.pi * math.e * sigma**2), abs=0.05)


def test_bivariate_gaussian_entropy():
    # Given a correlated bivariate Gaussian
    c = rng(2).multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], N)
    # When / Then: H = log(2 pi e) + 1/2 log det(cov)
    expected = math.log(2 * math.pi * math.e) + 0.5 * math.log(1 - 0.64)
    assert E.entropy(c) == pytest.approx(expected, abs=0.06)


def test_entropy_of_rounded_measurements_is_not_minus_infinity():
    # Given prices in whole cents (many tied values)
    x = np.round(rng(3).normal(0, 2, N), 2)
    # When / Then: treated as a continuous quantity measured to its resolution
    assert E.entropy(x) == pytest.approx(0.5 * math.log(2 * math.pi * math.e * 4), abs=0.05)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([0, 0, 1, 2], -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))),
        ([7, 7, 7, 7], 0.0),
        ([1.5, 2.5] * 10, math.log(2)),
    ],
)
def test_discrete_entropy_is_the_plug_in_value(values, expected):
    # Given a discrete column / When / Then: exactly the plug-in entropy
    assert E.entropy(values, discrete=True) == pytest.approx(expected, abs=1e-12)


def test_discrete_columns_detected_automatically_get_plug_in_entropy():
    # Given four equally likely levels (discrete by the rule)
    x = rng(4).integers(0, 4, N)
    # When / Then
    assert E.entropy(x) == pytest.approx(math.log(4), abs=0.01)


def test_mixed_entropy_is_discrete_part_plus_conditional_differential_entropy():
    # Given D uniform on 4 levels and C | D ~ N(0, (1 + D)^2)
    r = rng(5)
    d = r.integers(0, 4, N)
    c = r.normal(0, 1 + d)
    expected = math.log(4) + np.mean(
        [0.5 * math.log(2 * math.pi * math.e * (1 + k) ** 2) for k in range(4)]
    )
    # When / Then
    assert E.entropy(np.column_stack([d, c])) == pytest.approx(expected, abs=0.06)


# ---------------------------------------------------------------- mutual information


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.6, 0.9])
def test_bivariate_gaussian_mi(rho):
    # Given three samples of a bivariate Gaussian with correlation rho
    samples = [rng(s).multivariate_normal([0, 0], [[1, rho], [rho, 1]], N) for s in range(3)]
    # When
    mi = np.mean([E.mutual_information(c[:, 0], c[:, 1], clip=False) for c in samples])
    # Then: I = -1/2 log(1 - rho^2)
    assert mi == pytest.approx(gaussian_mi(rho), abs=0.025)


def test_mi_is_invariant_to_monotone_transforms_of_heavy_tailed_columns():
    # Given correlated Gaussians and the same data through exp() (a log-normal "area")
    c = rng(7).multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], N)
    # When / Then: the estimate does not change (rank coordinates)
    a = E.mutual_information(c[:, 0], c[:, 1], clip=False)
    b = E.mutual_information(np.exp(3 * c[:, 0]), c[:, 1] ** 3, clip=False)
    assert a == pytest.approx(b, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    "target",
    ["binary", "continuous", "multiclass"],
)
def test_noise_carries_no_information_about_the_target(seed, target):
    # Given a pure-noise column and an unrelated target
    r = rng(100 + seed)
    noise = r.normal(size=N)
    y = {
        "binary": r.integers(0, 2, N),
        "continuous": r.normal(size=N),
        "multiclass": r.integers(0, 5, N),
    }[target]
    # When
    mi = E.mutual_information(noise, y, clip=False, discrete_y=target != "continuous")
    # Then: ~0 (Ballet's estimator gives ~0.31 nats here)
    assert abs(mi) < 0.03


def test_mixed_continuous_feature_and_binary_target():
    # Given y ~ Bernoulli(1/2) and x | y ~ N(2y, 1)
    r = rng(8)
    y = r.integers(0, 2, N)
    x = r.normal(2.0 * y, 1.0)
    # The truth: h(x) - h(x | y) by numerical integration of the two-component mixture
    grid = np.linspace(-9, 11, 40001)
    m = 0.5 * norm.pdf(grid) + 0.5 * norm.pdf(grid, 2)
    truth = -np.trapezoid(m * np.log(m), grid) - 0.5 * math.log(2 * math.pi * math.e)
    # When / Then
    assert E.mutual_information(x, y, discrete_y=True, clip=False) == pytest.approx(truth, abs=0.03)


def test_integer_valued_continuous_feature_with_ties_against_binary_target():
    # Given an integer "area" column with ~60 levels (ties) independent of the target
    r = rng(9)
    area = np.round(r.normal(1500, 100, N) / 10)
    y = r.integers(0, 2, N)
    # When / Then: treated as continuous (not Ballet's discrete) and scored ~0
    assert not E.is_discrete(area)
    assert abs(E.mutual_information(area, y, discrete_y=True, clip=False)) < 0.02


def test_well_sampled_discrete_mi_is_the_plug_in_value():
    # Given x = y, a fair coin: I = H(y) = log 2
    y = rng(10).integers(0, 2, N)
    # When / Then (plug-in with Miller-Madow correction, exact up to 1/2n)
    assert E.mutual_information(y, y) == pytest.approx(math.log(2), abs=1e-3)
    assert abs(E.mutual_information(y, rng(11).integers(0, 3, N), clip=False)) < 0.005


# ---------------------------------------------------------------- conditional MI


def test_gaussian_cmi_matches_partial_correlation():
    # Given a trivariate Gaussian
    cov = np.array([[1, 0.5, 0.3], [0.5, 1, 0.4], [0.3, 0.4, 1]])
    d = rng(12).multivariate_normal([0, 0, 0], cov, N)
    partial = (cov[0, 1] - cov[0, 2] * cov[1, 2]) / math.sqrt(
        (1 - cov[0, 2] ** 2) * (1 - cov[1, 2] ** 2)
    )
    # When / Then: I(x; y | z) = -1/2 log(1 - partial^2)
    cmi = E.conditional_mutual_information(d[:, 0], d[:, 1], d[:, 2], clip=False)
    assert cmi == pytest.approx(gaussian_mi(partial), abs=0.03)


def test_conditionally_independent_variables():
    # Given x and y that depend on each other only through z
    r = rng(13)
    z = r.normal(size=N)
    x = z + r.normal(size=N)
    y = z + r.normal(size=N)
    # When / Then: I(x; y) is large, I(x; y | z) is ~0
    assert E.mutual_information(x, y) > 0.1
    assert abs(E.conditional_mutual_information(x, y, z, clip=False)) < 0.02


@pytest.mark.parametrize("target", ["binary", "continuous"])
def test_noise_given_ten_conditioning_columns(target):
    # Given ten features, a target they explain, and a noise candidate
    r = rng(14)
    z = r.normal(size=(N, 10))
    signal = z[:, :3].sum(axis=1) + r.normal(size=N)
    y = (signal > 0).astype(float) if target == "binary" else signal
    # When
    cmi = E.conditional_mutual_information(
        r.normal(size=N), y, z, clip=False, discrete_y=target == "binary"
    )
    # Then
    assert abs(cmi) < 0.02


def test_a_copy_of_a_conditioning_column_adds_exactly_nothing():
    # Given a candidate identical to one of the conditioning columns
    r = rng(15)
    z = np.column_stack([r.normal(size=N), r.integers(0, 3, N), r.normal(size=N)])
    y = (z[:, 0] + r.normal(size=N) > 0).astype(float)
    # When / Then: the raw estimate is exactly 0, not just small
    for j in range(z.shape[1]):
        assert E.conditional_mutual_information(z[:, j], y, z, clip=False) == 0.0


def test_a_one_hot_block_counts_as_one_variable():
    # Given a five-level category, one-hot encoded, that shifts a continuous target
    r = rng(21)
    level = r.integers(0, 5, N)
    onehot = np.eye(5)[level]
    y = level + r.normal(size=N)
    other = r.normal(size=(N, 3))
    # When / Then: one k-NN coordinate, and the same information as the level itself
    assert E.prepare(onehot).coords.shape == (N, 1)
    a = E.conditional_mutual_information(onehot, y, other, clip=False)
    b = E.conditional_mutual_information(level, y, other, clip=False)
    assert a == pytest.approx(b, abs=0.02)
    assert a > 0.5


def test_sparse_discrete_conditioning_is_neither_inflated_nor_collapsed():
    # Given discrete x (20 levels) and z (3 columns of 10 levels): 20,000 joint cells for
    # 5000 rows, and y depending on x and z0 through a threshold
    r = rng(16)
    n = 5000
    x = r.integers(0, 20, n)
    z = r.integers(0, 10, (n, 3))
    y = (x / 2 + z[:, 0] + r.normal(0, 2, n) > 9.5).astype(int)
    # The truth, exactly: I(x; y | z) = I(x; y | z0) = H(y | z0) - H(y | x, z0)
    p = norm.cdf((np.arange(20)[:, None] / 2 + np.arange(10)[None, :] - 9.5) / 2)

    def h2(q):
        q = np.clip(q, 1e-300, 1 - 1e-16)
        return -(q * np.log(q) + (1 - q) * np.log(1 - q))

    truth = h2(p.mean(axis=0)).mean() - h2(p).mean()
    # When / Then: plug-in estimates would see ~1 row per cell; we stay near the truth
    dependent = E.conditional_mutual_information(x, y, z, clip=False)
    assert dependent == pytest.approx(truth, abs=0.04)
    independent = E.conditional_mutual_information(r.integers(0, 20, n), y, z, clip=False)
    assert abs(independent) < 0.02


# ---------------------------------------------------------------- rules and domain


@pytest.mark.parametrize(
    "column, discrete",
    [
        ([0, 1] * 500, True),  # a flag
        (list(range(10)) * 100, True),  # an overall-quality score
        ([0.5, 1.5, 2.0] * 300, True),  # few levels, not integers
        (np.round(np.random.default_rng(0).lognormal(7, 0.5, 2930)), False),  # an area in sq ft
        (np.random.default_rng(0).integers(1872, 2011, 2930), False),  # a year built
        ([0, 1, 2], False),  # too few rows per level to count as categories
    ],
)
def test_discrete_rule(column, discrete):
    # Given a column / When / Then: discrete means few levels, each seen often enough
    assert E.is_discrete(column) is discrete


def test_estimates_are_deterministic():
    # Given data with ties (jitter is involved) / When estimated twice / Then identical
    r = rng(17)
    x = r.integers(0, 50, N)
    z = r.normal(size=(N, 3))
    y = r.integers(0, 2, N)
    a = E.conditional_mutual_information(x, y, z, clip=False)
    b = E.conditional_mutual_information(x.copy(), y.copy(), z.copy(), clip=False)
    assert a == b


def test_clipping_hides_negative_noise_but_the_raw_value_is_available():
    # Given independent variables whose raw estimate is negative for some seed
    raws = []
    for seed in range(20):
        r = rng(200 + seed)
        raws.append(E.mutual_information(r.normal(size=500), r.normal(size=500), clip=False))
    negative = min(raws)
    # When / Then
    assert negative < 0
    seed = 200 + raws.index(negative)
    r = rng(seed)
    assert E.mutual_information(r.normal(size=500), r.normal(size=500)) == 0.0


@pytest.mark.parametrize(
    "bad, message",
    [(np.nan, r"missing values \(NaN\) in 3 of"), (np.inf, r"infinite values in 3 of")],
)
def test_nan_and_inf_are_domain_errors(bad, message):
    # Given a column with three bad rows
    x = np.arange(100, dtype=float)
    x[[1, 5, 9]] = bad
    # When / Then: a clear error, never a silent estimate
    with pytest.raises(E.EstimationError, match=message):
        E.mutual_information(x, np.arange(100))
    with pytest.raises(E.EstimationError, match=message):
        E.conditional_mutual_information(np.arange(100), np.arange(100), x)


def test_mismatched_rows_and_too_few_rows_are_domain_errors():
    with pytest.raises(E.EstimationError, match="different numbers of rows"):
        E.mutual_information(np.arange(10), np.arange(11))
    with pytest.raises(E.EstimationError, match="more than 3 rows"):
        E.mutual_information(np.arange(3.0), np.arange(3.0))


def test_large_data_is_estimated_on_a_fixed_row_sample():
    # Given 3000 rows and a cap of 1000 rows for k-NN estimates
    r = rng(19)
    z = r.normal(size=(3000, 3))
    x = z[:, 0] + r.normal(size=3000)
    y = z[:, 1] + x + r.normal(size=3000)
    # When / Then: the same sample on every call (deterministic), a different value than all
    # rows, and the caps by dimensionality
    capped = E.conditional_mutual_information(x, y, z, clip=False, max_rows=1000)
    assert capped == E.conditional_mutual_information(x, y, z, clip=False, max_rows=1000)
    assert capped != E.conditional_mutual_information(x, y, z, clip=False, max_rows=0)
    assert E.knn_rows(30_000, 12) == E.MAX_KNN_ROWS
    assert E.knn_rows(30_000, 13) == E.MAX_KNN_ROWS_HIGH_DIM
    assert E.knn_rows(30_000, 12, max_rows=0) == 30_000
    assert E.knn_rows(800, 30) == 800


def test_comparison_with_a_bar_stops_as_soon_as_the_answer_is_clear():
    # Given a strong signal, a copy of a conditioning column, and a candidate right at the bar
    r = rng(20)
    z = r.normal(size=(N, 4))
    h = r.normal(size=N)
    y = (z[:, 0] + h + 0.5 * r.normal(size=N) > 0).astype(float)
    vy, vz = E.prepare(y, discrete=True), E.prepare(z)
    full = E.conditional_mutual_information(h, vy, vz, clip=False)
    # When
    strong = E.conditional_mutual_information_vs(h, vy, vz, bar=0.02)
    copy = E.conditional_mutual_information_vs(z[:, 2], vy, vz, bar=0.02)
    at_bar = E.conditional_mutual_information_vs(h, vy, vz, bar=full)
    # Then: clear answers need a few hundred rows' terms, with an honest standard error
    assert strong.rows_queried == 500 and strong.rows_used == N
    assert abs(strong.value - full) < 4 * strong.standard_error
    assert strong.value - 3 * strong.standard_error > 0.02
    assert (copy.value, copy.standard_error, copy.rows_queried) == (0.0, 0.0, 500)
    # and an undecidable one falls back to every row, i.e. exactly the full estimate
    assert at_bar.rows_queried == N and at_bar.standard_error == 0.0
    assert at_bar.value == pytest.approx(full, abs=1e-12)


def test_prepared_variables_give_the_same_answer_as_arrays():
    # Given prepared variables (reused across many estimates by the accepters)
    r = rng(18)
    x, y, z = r.normal(size=N), r.integers(0, 2, N), r.normal(size=(N, 4))
    vx, vy, vz = E.prepare(x), E.prepare(y, discrete=True), E.prepare(z)
    # When / Then
    assert E.conditional_mutual_information(vx, vy, vz, clip=False) == (
        E.conditional_mutual_information(x, y, z, clip=False, discrete_y=True)
    )
