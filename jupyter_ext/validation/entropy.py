"""Entropy, mutual information (MI) and conditional mutual information (CMI) estimators.

The acceptance tests (`acceptance.py`) ask one question over and over: how many nats of
information does a candidate feature carry about the target beyond the features already in
the project, I(x; y | z)? This module answers it without bias on noise and fast enough to run
on every validation.

Choices, and why
----------------
* Discrete or continuous, per column. A column is *discrete* when it has few distinct values:
  at most ``MAX_DISCRETE_LEVELS`` (32) and on average at least ``MIN_ROWS_PER_LEVEL`` (10) rows
  per value. Integrality alone says nothing: an area in square feet or a year is an integer
  with hundreds of values and behaves as a continuous quantity. (Ballet calls a column discrete
  when *any* value repeats more than 20 times, which makes nearly every integer column of real
  data discrete; plug-in estimates then see a conditioning set that is unique per row and
  every later candidate scores exactly 0.) Callers can override the rule (classification
  targets are always discrete labels).

* Discrete data: plug-in (maximum-likelihood) entropy. A CMI whose variables are all discrete
  *and* well sampled (at least ``MIN_ROWS_PER_CELL`` rows per occupied joint cell) uses the
  plug-in CMI with the Miller-Madow correction, which removes its first-order upward bias
  ((cells - 1) / 2n per entropy term) that would otherwise let noise in.

* Everything else: the Kraskov-Stoegbauer-Grassberger estimator (KSG-1) and its conditional
  form by Frenzel & Pompe (2007). For every row i: rho_i is the max-norm distance to its k-th
  nearest neighbour in the joint (x, y, z) space, the row itself never counted as its own
  neighbour; n_xz, n_yz, n_z count the rows strictly closer than rho_i in the marginal spaces,
  the row itself included; I = psi(k) - mean(psi(n_xz) + psi(n_yz) - psi(n_z)).

* Mixed discrete/continuous data: KSG on coordinates whose ties are broken by a tiny
  deterministic jitter (the second option of the issue), not the tie rules of Gao et al. (2017)
  / Mesner & Shalizi (2020). Why: both were implemented and measured. On a sparse lattice (four
  discrete columns of 10-20 levels, 5000 rows) the closed-ball tie rule scored independent
  variables at +0.07 nats (noise passes a 0.05 bar), its variant without the row itself at
  -0.03 nats while missing ~40% of a real 0.24-nat dependence; jittered KSG gave +0.001 to
  +0.005 and 0.24 (tests/test_entropy.py keeps both cases). Jitter is sound on point masses: it is independent of the data and invertible (it is
  far smaller than the gap between distinct values), so I(x + e; y | z + e') = I(x; y | z);
  on lattice ties it amounts to breaking ties at random, the case KSG's derivation assumes.
  The jitter of a column is seeded from the column's content, so an exact copy of a column
  gets identical coordinates and its conditional information given the original is exactly 0.

* Coordinates. Every x/z column is replaced by its Gaussian rank score ndtri((rank - 1/2) / n)
  (a strictly monotone map per coordinate, so MI and CMI are unchanged in theory, while heavy
  tails and outliers such as lot areas stop dominating the max-norm; tied values stay tied
  until the jitter). Plain ranks would put every coordinate on the lattice k/n and create
  artificial distance ties. A block of discrete columns (a one-hot encoding) becomes one
  coordinate, its joint level: a bijection, so the information is unchanged, with d - 1 fewer
  dimensions for the k-NN search. A discrete *target* keeps its levels ``DISCRETE_SPACING`` apart,
  farther than any two rows otherwise, so neighbourhoods never mix classes: the vectorised
  equivalent of splitting the data by class (Ross 2014 for MI).

* Speed. The k-th neighbour distances come from scipy ``cKDTree.query`` over all rows at once
  (parallel workers; per class when the target is discrete). n_xz and n_yz are subsets of the
  z-neighbourhood, so one radius query per row in z space (scikit-learn ``KDTree``, in
  threads) yields candidate pairs on which the x and y conditions are checked with array
  operations. No Python loop over rows. Exact k-NN search still degrades toward brute force
  beyond ~10 dimensions, so on large data k-NN estimates use a deterministic sample of
  ``MAX_KNN_ROWS`` (10,000) rows, ``MAX_KNN_ROWS_HIGH_DIM`` (5,000) beyond 12 joint columns;
  the acceptance noise floor is computed for the rows actually used (see `knn_rows`). The
  sample is the same for every call with the same n, so exact copies still score exactly 0.
  Accepters only need to know whether an estimate exceeds a bar:
  `conditional_mutual_information_vs` averages the per-row terms of growing random batches
  of rows and stops once the answer is clear at 3 standard errors (a strong signal or an exact
  copy after 500 rows' terms, noise after a few thousand), falling back to every row.

* Determinism: all randomness (tie-breaking jitter, the dither `entropy` uses to dequantise
  tied continuous values) comes from fixed seeds.

* Domain: NaN or infinite values raise `EstimationError` naming the variable and the number of
  rows; callers decide whether to drop rows (see `acceptance.py`'s ``handle_nan_targets``).

* Estimates of MI/CMI can be slightly negative from sampling noise; the public functions clip at
  0 by default and return the raw value with ``clip=False`` (tests use the raw value).
"""

from __future__ import annotations

import hashlib
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma, ndtri

DEFAULT_K = 3
MAX_DISCRETE_LEVELS = 32
MIN_ROWS_PER_LEVEL = 10
MIN_ROWS_PER_CELL = 10
DISCRETE_SPACING = 1e6
# Tie-breaking jitter amplitude in units of 1/n: distinct Gaussian rank scores are at least
# about 2.5/n apart, so the jitter never reorders distinct values.
_JITTER = 1e-4
# Above this many z-neighbours per row on average, count in trees instead of checking pairs
# (bounded memory and time when neighbourhoods are huge, e.g. z is one binary column).
_MAX_MEAN_PAIRS = 64
_DITHER_SEED = 20170501
_SAMPLE_SEED = 20131207
_QUERY_SEED = 20200512
# Row caps for k-NN estimates (see `knn_rows`).
MAX_KNN_ROWS = 10_000
MAX_KNN_ROWS_HIGH_DIM = 5_000
HIGH_DIM = 12


class EstimationError(ValueError):
    """The data cannot be used for estimation (NaN, inf, wrong shape, too few rows)."""


@dataclass(frozen=True, eq=False)
class Variable:
    """A block of columns prepared once for repeated estimation.

    ``coords`` are the estimator's coordinates (Gaussian rank scores; one column for a block
    of discrete columns, its joint level),
    ``values`` the original float values, ``discrete`` the per-column kind, and ``codes`` a
    dense joint level code per row when every column is discrete (else None).
    """

    name: str
    values: np.ndarray
    coords: np.ndarray
    discrete: np.ndarray
    codes: np.ndarray | None

    @property
    def n(self) -> int:
        return self.values.shape[0]

    @property
    def width(self) -> int:
        return self.values.shape[1]

    @property
    def all_discrete(self) -> bool:
        return bool(self.discrete.all())


# ---------------------------------------------------------------- input handling


def as_matrix(a, name: str = "x") -> np.ndarray:
    """`a` as a finite float64 (n, d) array; NaN or inf raise `EstimationError`."""
    try:
        m = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise EstimationError(f"{name} is not numeric: {e}") from None
    if m.ndim == 1:
        m = m.reshape(-1, 1)
    elif m.ndim != 2:
        raise EstimationError(f"{name} must be a vector or a 2-d table, got {m.ndim} dimensions")
    bad = ~np.isfinite(m)
    if bad.any():
        rows = bad.any(axis=1)
        kind = "missing values (NaN)" if np.isnan(m).any() else "infinite values"
        if np.isnan(m).any() and np.isinf(m).any():
            kind = "missing (NaN) and infinite values"
        raise EstimationError(f"{name} has {kind} in {int(rows.sum())} of {m.shape[0]} rows")
    return m


def is_discrete(column) -> bool:
    """The discrete/continuous rule for one column (see the module docstring)."""
    col = np.asarray(column, dtype=np.float64).ravel()
    n = col.size
    if n == 0:
        return True
    return _few_levels(np.unique(col).size, n)


def _few_levels(levels: int, n: int) -> bool:
    return levels <= min(MAX_DISCRETE_LEVELS, max(2, n // MIN_ROWS_PER_LEVEL))


def _ranks(col: np.ndarray) -> tuple[np.ndarray, int]:
    """(average ranks from 1, number of distinct values) with one sort."""
    n = col.size
    order = np.argsort(col, kind="stable")
    ordered = col[order]
    new_group = np.empty(n, dtype=bool)
    new_group[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new_group[1:])
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.append(starts, n))
    group_rank = starts + (sizes + 1) / 2.0  # average of ranks start+1 .. start+size
    ranks = np.empty(n)
    ranks[order] = np.repeat(group_rank, sizes)
    return ranks, starts.size


def _dense_codes(col: np.ndarray) -> np.ndarray:
    return np.unique(col, return_inverse=True)[1].astype(np.int64).ravel()


def _combine_codes(codes: list[np.ndarray]) -> np.ndarray:
    """One dense code per row for the tuple of per-column codes."""
    out = codes[0]
    for c in codes[1:]:
        out = _dense_codes(out * (int(c.max()) + 1) + c)
    return out if len(codes) > 1 else _dense_codes(out)


def _column_seed(col: np.ndarray) -> int:
    """A seed derived from a column's content: equal columns get equal jitter."""
    digest = hashlib.blake2b(np.ascontiguousarray(col).tobytes(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _rank_scores(col: np.ndarray, ranks: tuple[np.ndarray, int] | None = None) -> np.ndarray:
    """Gaussian rank scores with ties broken by a tiny jitter seeded from the column."""
    n = col.size
    rank, levels = ranks or _ranks(col)
    scores = ndtri((rank - 0.5) / n)
    if levels < n:
        rng = np.random.default_rng(_column_seed(col))
        scores = scores + (rng.random(n) - 0.5) * (_JITTER / n)
    return scores


def prepare(a, *, discrete=None, name: str = "x") -> Variable:
    """Validate `a` and compute its estimator coordinates once (reuse it across calls).

    `discrete`: None (apply `is_discrete` per column), a bool for all columns, or one bool per
    column.
    """
    if isinstance(a, Variable):
        return a
    values = as_matrix(a, name)
    n, d = values.shape
    ranks = [_ranks(values[:, j]) for j in range(d)]
    if discrete is None:
        kinds = np.array([_few_levels(levels, n) for _, levels in ranks], dtype=bool)
    else:
        kinds = np.broadcast_to(np.asarray(discrete, dtype=bool), (d,)).copy()
    codes = None
    if d and kinds.all():
        codes = _combine_codes([_dense_codes(values[:, j]) for j in range(d)])
    if codes is not None and d > 1:
        # A block of discrete columns (a one-hot encoding, say) is a bijective function of its
        # joint level: one coordinate instead of d carries the same information and spares
        # the k-NN search d - 1 dimensions.
        coords = _rank_scores(codes.astype(np.float64)).reshape(-1, 1)
    else:
        coords = np.empty_like(values)
        for j in range(d):
            coords[:, j] = _rank_scores(values[:, j], ranks[j])
    return Variable(name=name, values=values, coords=coords, discrete=kinds, codes=codes)


def _target_coords(v: Variable) -> np.ndarray:
    """Coordinates of the target slot: a discrete target's levels are DISCRETE_SPACING apart,
    farther than any two rows of rank coordinates, so classes are never smoothed together."""
    if v.width and v.all_discrete:
        return v.codes.reshape(-1, 1) * DISCRETE_SPACING
    return v.coords


def _check_rows(*variables: Variable | None) -> int:
    present = [v for v in variables if v is not None]
    ns = {v.n for v in present}
    if len(ns) != 1:
        sizes = ", ".join(f"{v.name}: {v.n}" for v in present)
        raise EstimationError(f"the variables have different numbers of rows ({sizes})")
    return ns.pop()


# ---------------------------------------------------------------- plug-in (discrete)


def _plugin_entropy(codes: np.ndarray) -> float:
    counts = np.bincount(codes)
    p = counts[counts > 0] / codes.size
    return float(-(p * np.log(p)).sum())


def _miller_madow_entropy(codes: np.ndarray) -> float:
    cells = int(np.count_nonzero(np.bincount(codes)))
    return _plugin_entropy(codes) + (cells - 1) / (2.0 * codes.size)


def _plugin_cmi(x: Variable, y: Variable, z: Variable | None) -> float:
    h = _miller_madow_entropy
    if z is None:
        return h(x.codes) + h(y.codes) - h(_combine_codes([x.codes, y.codes]))
    xz = _combine_codes([x.codes, z.codes])
    yz = _combine_codes([y.codes, z.codes])
    xyz = _combine_codes([x.codes, y.codes, z.codes])
    return h(xz) + h(yz) - h(xyz) - h(z.codes)


def _well_sampled(*variables: Variable | None) -> bool:
    present = [v for v in variables if v is not None]
    if not all(v.all_discrete for v in present):
        return False
    joint = _combine_codes([v.codes for v in present])
    cells = int(joint.max()) + 1
    return cells * MIN_ROWS_PER_CELL <= joint.size


# ---------------------------------------------------------------- k-NN machinery

_POOL: ThreadPoolExecutor | None = None


def _threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(_threads(), thread_name_prefix="entropy")
    return _POOL


def _neighbour_distances(tree: cKDTree, query: np.ndarray, k: int) -> np.ndarray:
    """Sorted max-norm distances from each query row to its k+1 nearest tree rows (a query row
    that is in the tree finds itself first)."""
    kk = min(k + 1, tree.n)
    dist, _ = tree.query(query, k=kk, p=np.inf, workers=-1)
    return dist.reshape(query.shape[0], kk)


def _kth_distance(points: np.ndarray, k: int) -> np.ndarray:
    """Max-norm distance from every row to its k-th nearest *other* row."""
    return _neighbour_distances(cKDTree(points), points, k)[:, -1]


def _ball_counts_1d(col: np.ndarray, query: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Rows j with |col_j - q_i| <= radius_i for one column, by sorting.

    ``q +- radius`` is rounded, so the two boundary values found by the sorted search are
    re-checked with the same |a - b| <= r comparison the trees make; each fix-up moves past a
    whole group of tied values.
    """
    s = np.sort(col)
    n = s.size
    lo = np.searchsorted(s, query - radius, side="left")
    hi = np.searchsorted(s, query + radius, side="right")  # one past the last row inside
    # lower end: s[lo] outside -> skip its group; s[lo - 1] inside -> take its group
    out = (lo < n) & (np.abs(s[np.minimum(lo, n - 1)] - query) > radius)
    lo[out] = np.searchsorted(s, s[lo[out]], side="right")
    inside = (lo > 0) & (np.abs(s[np.maximum(lo - 1, 0)] - query) <= radius)
    lo[inside] = np.searchsorted(s, s[lo[inside] - 1], side="left")
    # upper end: s[hi - 1] outside -> drop its group; s[hi] inside -> take its group
    out = (hi > 0) & (np.abs(s[np.maximum(hi - 1, 0)] - query) > radius)
    hi[out] = np.searchsorted(s, s[hi[out] - 1], side="left")
    inside = (hi < n) & (np.abs(s[np.minimum(hi, n - 1)] - query) <= radius)
    hi[inside] = np.searchsorted(s, s[hi[inside]], side="right")
    return hi - lo


def _threaded_counts(tree, query: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """`tree.query_radius(..., count_only=True)` split over the thread pool (it drops the GIL)."""
    chunks = np.array_split(np.arange(query.shape[0]), _threads())

    def work(rows):
        return tree.query_radius(query[rows], radius[rows], count_only=True)

    return np.concatenate(list(_pool().map(work, chunks))).astype(np.int64)


def _ball_counts(points: np.ndarray, rows: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """For each of `rows`, the rows of `points` within its radius (max-norm, inclusive)."""
    if points.shape[1] == 1:
        return _ball_counts_1d(points[:, 0], points[rows, 0], radius)
    from sklearn.neighbors import KDTree

    return _threaded_counts(KDTree(points, metric="chebyshev"), points[rows], radius)


class _KSG:
    """The KSG-1 / Frenzel-Pompe terms of I(x; y | z) for any subset of rows.

    Every row of (x, y, z) is a reference point (the trees hold them all); `terms(rows)` does
    the k-NN searches and counts only for `rows`, so an average over a subset of rows is an
    unbiased Monte-Carlo estimate of the full-data estimate.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, z: np.ndarray, k: int):
        self.x, self.y, self.z, self.k = x, y, z, k
        self.n = x.shape[0]
        self._joint: cKDTree | None = None
        self._levels: dict[float, tuple[np.ndarray, cKDTree]] | None = None
        self._z_tree = None
        levels = np.unique(y[:, 0]) if y.shape[1] == 1 else None
        self.spaced = bool(
            levels is not None
            and 1 < len(levels) <= MAX_DISCRETE_LEVELS
            and np.all(np.diff(levels) >= DISCRETE_SPACING)
        )
        self.levels = levels

    def joint_tree(self) -> cKDTree:
        if self._joint is None:
            self._joint = cKDTree(np.hstack([self.x, self.y, self.z]))
        return self._joint

    def rho(self, rows: np.ndarray) -> np.ndarray:
        """Distance from each of `rows` to its k-th nearest other row in (x, y, z).

        When y is a spaced discrete code the search runs within the row's level of y: rows of
        other levels are at least DISCRETE_SPACING away, so a within-level answer closer than
        that is exact; rows of levels with k or fewer members use the whole joint space.
        """
        k = self.k
        if not self.spaced:
            return _neighbour_distances(self.joint_tree(), self.joint_tree().data[rows], k)[:, -1]
        if self._levels is None:
            rest = np.hstack([self.x, self.z])
            self._levels = {}
            for level in self.levels:
                members = np.flatnonzero(self.y[:, 0] == level)
                if members.size > k:
                    self._levels[level] = (rest, cKDTree(rest[members]))
        rho = np.full(rows.size, np.inf)
        y_rows = self.y[rows, 0]
        for level, (rest, tree) in self._levels.items():
            mine = np.flatnonzero(y_rows == level)
            if mine.size:
                rho[mine] = _neighbour_distances(tree, rest[rows[mine]], k)[:, -1]
        redo = ~(rho < DISCRETE_SPACING)
        if redo.any():
            tree = self.joint_tree()
            rho[redo] = _neighbour_distances(tree, tree.data[rows[redo]], k)[:, -1]
        return rho

    def counts(self, rows: np.ndarray, radius: np.ndarray):
        """(n_xz, n_yz, n_z) for `rows`: rows within `radius` in each space, itself included.

        Every row counted in xz or yz space is also a z-neighbour, so when z-neighbourhoods
        are small, one radius query per row in z space yields candidate pairs on which the x
        and y conditions are checked with array operations. When they are large (z has few
        distinct values, say one binary column), materialising pairs would cost O(n^2): then
        each space is counted in its own tree, which counts whole nodes at once.
        """
        x, y, z = self.x, self.y, self.z
        if not z.shape[1]:
            return (
                _ball_counts(x, rows, radius),
                _ball_counts(y, rows, radius),
                np.full(rows.size, self.n),
            )
        from sklearn.neighbors import KDTree

        if self._z_tree is None:
            self._z_tree = KDTree(z, metric="chebyshev")
        tree = self._z_tree
        probe = np.linspace(0, rows.size - 1, min(rows.size, 256)).astype(np.int64)
        typical = tree.query_radius(z[rows[probe]], radius[probe], count_only=True).mean()
        if typical > _MAX_MEAN_PAIRS:
            n_z = _threaded_counts(tree, z[rows], radius)
            n_xz = _ball_counts(np.hstack([x, z]), rows, radius)
            n_yz = _ball_counts(np.hstack([y, z]), rows, radius)
            return n_xz, n_yz, n_z
        m = rows.size
        n_xz = np.empty(m, dtype=np.int64)
        n_yz = np.empty(m, dtype=np.int64)
        n_z = np.empty(m, dtype=np.int64)
        chunk = max(256, min(4096, m // (4 * _threads()) + 1))

        def work(start: int) -> None:
            part = slice(start, min(start + chunk, m))
            query = rows[part]
            r_part = radius[part]
            neigh = tree.query_radius(z[query], r_part)
            sizes = np.fromiter((a.size for a in neigh), dtype=np.int64, count=query.size)
            j = np.concatenate(neigh)
            local = np.repeat(np.arange(query.size), sizes)
            i = query[local]
            r = r_part[local]
            in_x = np.abs(x[i] - x[j]).max(axis=1) <= r
            in_y = np.abs(y[i] - y[j]).max(axis=1) <= r
            n_z[part] = sizes
            n_xz[part] = np.bincount(local[in_x], minlength=query.size)
            n_yz[part] = np.bincount(local[in_y], minlength=query.size)

        list(_pool().map(work, range(0, m, chunk)))
        return n_xz, n_yz, n_z

    def terms(self, rows: np.ndarray) -> np.ndarray:
        """Per-row terms psi(k) - psi(n_yz) - psi(n_xz) + psi(n_z); their mean is the estimate."""
        rho = self.rho(rows)
        # counts in the open ball of radius rho: the next float below it, inclusive
        n_xz, n_yz, n_z = self.counts(rows, np.nextafter(rho, 0.0))
        # grouped so that a copy of a z column (n_xz == n_z, n_yz == k) gives exactly 0
        return (digamma(self.k) - digamma(n_yz)) - (digamma(n_xz) - digamma(n_z))


def _knn_cmi(x: np.ndarray, y: np.ndarray, z: np.ndarray, k: int) -> float:
    """KSG-1 / Frenzel-Pompe CMI on (jittered) estimator coordinates over all rows."""
    return float(np.mean(_KSG(x, y, z, k).terms(np.arange(x.shape[0]))))


# ---------------------------------------------------------------- public estimators


def knn_rows(n: int, dims: int, max_rows: int | None = None) -> int:
    """How many rows a k-NN estimate over `dims` joint columns uses out of `n`.

    Exact k-NN search costs grow quickly with the number of columns (trees degrade toward
    brute force beyond ~10 dimensions), and a validation must answer within seconds. Above
    ``MAX_KNN_ROWS`` (``MAX_KNN_ROWS_HIGH_DIM`` beyond ``HIGH_DIM`` joint columns) the
    estimate runs on a deterministic sample of that many rows; its sampling noise is then that
    of the sample size, which `acceptance.noise_floor` accounts for. ``max_rows=0`` disables
    the cap.
    """
    if max_rows is None:
        max_rows = MAX_KNN_ROWS_HIGH_DIM if dims > HIGH_DIM else MAX_KNN_ROWS
    return n if max_rows <= 0 else min(n, max_rows)


def _row_sample(n: int, m: int) -> np.ndarray:
    """The same m of n rows for every call (so copies and chain-rule identities stay exact)."""
    if m >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(_SAMPLE_SEED).permutation(n)[:m])


def conditional_mutual_information(
    x,
    y,
    z=None,
    *,
    k: int = DEFAULT_K,
    clip: bool = True,
    discrete_x=None,
    discrete_y=None,
    discrete_z=None,
    max_rows: int | None = None,
) -> float:
    """I(x; y | z) in nats; I(x; y) when `z` is None or has no columns.

    Arguments are arrays (n,) or (n, d), or `Variable`s from `prepare` (reused across calls).
    ``clip=False`` returns the raw estimate, which can be slightly negative. k-NN estimates on
    large data use a deterministic sample of rows (see `knn_rows`; ``max_rows=0``: all rows).
    """
    vx = prepare(x, discrete=discrete_x, name="x")
    vy = prepare(y, discrete=discrete_y, name="y")
    vz = None if z is None else prepare(z, discrete=discrete_z, name="z")
    if vz is not None and vz.width == 0:
        vz = None
    n = _check_rows(vx, vy, vz)
    if n <= k:
        raise EstimationError(f"need more than {k} rows to estimate information, got {n}")
    if _well_sampled(vx, vy, vz):
        raw = _plugin_cmi(vx, vy, vz)
    else:
        zc = vz.coords if vz is not None else np.empty((n, 0))
        xc, yc = vx.coords, _target_coords(vy)
        m = knn_rows(n, xc.shape[1] + yc.shape[1] + zc.shape[1], max_rows)
        if m < n:
            rows = _row_sample(n, m)
            xc, yc, zc = xc[rows], yc[rows], zc[rows]
        raw = _knn_cmi(xc, yc, zc, k)
    return max(raw, 0.0) if clip else raw


@dataclass(frozen=True)
class Estimate:
    """A CMI estimate from `conditional_mutual_information_vs`.

    ``value`` is the raw estimate (it can be slightly negative); ``standard_error`` its
    Monte-Carlo error with respect to the estimate over all ``rows_used`` rows (0 when every
    row was queried or the plug-in estimator applied); ``rows_queried`` how many rows' terms
    were averaged.
    """

    value: float
    standard_error: float
    rows_queried: int
    rows_used: int

    @property
    def clipped(self) -> float:
        return max(self.value, 0.0)


def conditional_mutual_information_vs(
    x,
    y,
    z=None,
    *,
    bar: float,
    k: int = DEFAULT_K,
    discrete_x=None,
    discrete_y=None,
    discrete_z=None,
    max_rows: int | None = None,
    z_score: float = 3.0,
    min_queries: int = 500,
) -> Estimate:
    """I(x; y | z), computed only as precisely as needed to tell whether it exceeds `bar`.

    The k-NN estimate is a mean of per-row terms. Rows are queried in a fixed random order in
    growing batches (all rows stay reference points of the neighbour searches), and the
    search stops once the mean is more than `z_score` standard errors away from `bar`, or
    every row was queried. So the verdict "exceeds bar" is the full estimate's verdict
    except with probability ~1e-3 per decision, at a fraction of the cost when the answer is
    clear: a strong signal, or an exact copy of a conditioning column (every term is 0).
    """
    vx = prepare(x, discrete=discrete_x, name="x")
    vy = prepare(y, discrete=discrete_y, name="y")
    vz = None if z is None else prepare(z, discrete=discrete_z, name="z")
    if vz is not None and vz.width == 0:
        vz = None
    n = _check_rows(vx, vy, vz)
    if n <= k:
        raise EstimationError(f"need more than {k} rows to estimate information, got {n}")
    if _well_sampled(vx, vy, vz):
        return Estimate(_plugin_cmi(vx, vy, vz), 0.0, n, n)
    xc, yc = vx.coords, _target_coords(vy)
    zc = vz.coords if vz is not None else np.empty((n, 0))
    m = knn_rows(n, xc.shape[1] + yc.shape[1] + zc.shape[1], max_rows)
    if m < n:
        rows = _row_sample(n, m)
        xc, yc, zc = xc[rows], yc[rows], zc[rows]
    ksg = _KSG(xc, yc, zc, k)
    order = np.random.default_rng(_QUERY_SEED).permutation(m)
    done, batch = 0, max(min_queries, 2)
    total = total_sq = 0.0
    while True:
        rows = order[done : done + batch]
        terms = ksg.terms(rows)
        total += float(terms.sum())
        total_sq += float(np.square(terms).sum())
        done += rows.size
        mean = total / done
        if done >= m:
            return Estimate(mean, 0.0, done, m)
        var = max(total_sq / done - mean * mean, 0.0) * done / (done - 1)
        se = math.sqrt(var / done * (1.0 - done / m))
        if abs(mean - bar) > z_score * se:
            return Estimate(mean, se, done, m)
        batch = done  # double the rows queried


def mutual_information(
    x,
    y,
    *,
    k: int = DEFAULT_K,
    clip: bool = True,
    discrete_x=None,
    discrete_y=None,
    max_rows: int | None = None,
) -> float:
    """I(x; y) in nats (see `conditional_mutual_information`)."""
    return conditional_mutual_information(
        x,
        y,
        None,
        k=k,
        clip=clip,
        discrete_x=discrete_x,
        discrete_y=discrete_y,
        max_rows=max_rows,
    )


def _dequantise(values: np.ndarray) -> np.ndarray:
    """Spread tied values of each column uniformly over their quantisation step.

    Differential entropy is -inf on a point mass; a measured quantity with ties (prices in
    whole dollars) is treated as continuous data rounded to its resolution, the standard
    dequantisation. Deterministic: the dither comes from a fixed seed.
    """
    out = values.copy()
    rng = np.random.default_rng(_DITHER_SEED)
    for j in range(values.shape[1]):
        col = values[:, j]
        distinct = np.unique(col)
        if distinct.size == col.size or distinct.size < 2:
            continue
        step = float(np.diff(distinct).min())
        out[:, j] = col + (rng.random(col.size) - 0.5) * step
    return out


def _kl_entropy(values: np.ndarray, k: int) -> float:
    """Kozachenko-Leonenko entropy (max-norm balls of volume (2 rho)^d)."""
    n, d = values.shape
    if n <= 1:
        return 0.0
    kk = min(k, n - 1)
    pts = _dequantise(values)
    rho = _kth_distance(pts, kk)
    rho = np.maximum(rho, np.finfo(np.float64).tiny)
    return float(digamma(n) - digamma(kk) + d * np.mean(np.log(2.0 * rho)))


def entropy(x, *, k: int = DEFAULT_K, discrete=None) -> float:
    """H(x) in nats: plug-in for discrete columns, Kozachenko-Leonenko for continuous ones.

    Mixed blocks use H(D) + sum_d p(d) H(C | D = d). Continuous entropies are differential
    entropies in the units of `x` (so they can be negative).
    """
    v = prepare(x, discrete=discrete, name="x")
    if v.width == 0:
        return 0.0
    if v.all_discrete:
        return _plugin_entropy(v.codes)
    cont = v.values[:, ~v.discrete]
    if not v.discrete.any():
        return _kl_entropy(cont, k)
    cells = _combine_codes([_dense_codes(v.values[:, j]) for j in np.flatnonzero(v.discrete)])
    total = _plugin_entropy(cells)
    for cell in np.unique(cells):
        rows = cells == cell
        if rows.sum() > 1:
            total += rows.mean() * _kl_entropy(cont[rows], k)
    return total
