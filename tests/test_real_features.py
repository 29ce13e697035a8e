"""Feature modules written the way merged Ballet features are, validated as CI validates them.

Each module here is our own, in the style of a failure pattern that the compatibility sweep
(`python -m benchmarks.compat_sweep MIRROR`) found in public Ballet projects: Ballet-era
pandas idioms that pandas 3 changed, ballet.eng transformers at their edges, a target encoder
written for Ballet's targets DataFrame, and genuinely broken features, which must fail one
check with advice that says what to change (never a crash or an error report).

All modules of a project go through one `jupyter-ext validate --json` call (one worker,
the real subprocess path); the tests read their reports.
"""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from projects import build_ames_project, write_ballet_yml

# -- Ballet-era modules that must pass every check -----------------------------------------

PASSING = {
    # pandas 3 reads text as `str`, which refuses `df[mask] = 0`; pandas 1 (Ballet) allowed it.
    "fill_text_with_number": """
        from ballet import Feature
        import ballet.eng

        def has_fence_or_alley(df):
            df[df.isnull()] = 0
            return ((df["Fence"] != 0) | (df["Alley"] != 0)).astype(int)

        input = ["Fence", "Alley"]
        transformer = ballet.eng.SimpleFunctionTransformer(has_fence_or_alley)
        feature = Feature(input=input, transformer=transformer, name="Has fence or alley")
        """,
    # `row[0]` on a row labelled by column names: positional in pandas 1, KeyError in pandas 3.
    "row_by_position": """
        from ballet import Feature

        def quality_code(row):
            return row[0] * 10 + row[1]

        input = ["Overall Qual", "Overall Cond"]
        transformer = lambda df: df.apply(quality_code, axis=1)
        feature = Feature(input, transformer, name="Quality and condition code")
        """,
    # text columns are `object`, as select_dtypes("object") in Ballet-era code expects.
    "count_text_values": """
        from ballet import Feature

        def n_described(df):
            return df.select_dtypes(include="object").notnull().sum(axis=1)

        input = ["Alley", "Fence", "Misc Feature", "Lot Area"]
        feature = Feature(input, n_described, name="Described extras")
        """,
    # a group key that is missing (NaN) in some rows: those rows stay, as an unknown group.
    "groupwise_missing_key": """
        from ballet import Feature
        from ballet.eng import GroupwiseTransformer, SimpleFunctionTransformer
        from sklearn.impute import SimpleImputer

        input = ["Lot Frontage", "Alley"]
        transformer = [
            SimpleFunctionTransformer(lambda df: df.set_index("Alley", append=True)),
            GroupwiseTransformer(
                SimpleImputer(strategy="median"),
                groupby_kwargs={"level": "Alley"},
                handle_unknown="ignore",
            ),
            SimpleImputer(strategy="median"),
        ]
        feature = Feature(input=input, transformer=transformer, name="Frontage by alley")
        """,
    # the real Ames modules' staples: sparse one-hot, imputer on a Series, framer, condition.
    "one_hot_after_fill": """
        from ballet import Feature
        import ballet.eng
        import sklearn.preprocessing

        input = ["Garage Type"]
        transformer = [
            ballet.eng.missing.NullFiller(replacement="None"),
            sklearn.preprocessing.OneHotEncoder(handle_unknown="ignore"),
        ]
        feature = Feature(input=input, transformer=transformer, name="Garage type")
        """,
    "imputer_on_series_framed": """
        from ballet import Feature
        import ballet.eng
        import sklearn.impute

        input = "Mas Vnr Area"
        transformer = [
            sklearn.impute.SimpleImputer(strategy="median"),
            ballet.eng.NamedFramer("mas_vnr_area"),
        ]
        feature = Feature(input=input, transformer=transformer, name="Veneer area")
        """,
    "log_if_skewed_then_indicator": """
        import numpy as np
        from ballet import Feature
        import ballet.eng

        input = ["Wood Deck SF", "Pool QC"]
        transformer = [
            ballet.eng.SimpleFunctionTransformer(
                lambda df: df.assign(**{"Pool QC": df["Pool QC"].isnull()})
            ),
            ballet.eng.ConditionalTransformer(
                lambda df: (df.dtypes != bool).to_numpy(), np.log1p
            ),
        ]
        feature = Feature(input=input, transformer=transformer, name="Deck (log) and no pool")
        """,
}

# -- genuinely broken modules: (first failing check, words its message or advice must hold) --

FAILING = {
    # chained assignment changes a copy under copy-on-write: the NaN stay.
    "chained_assignment": (
        """
        import numpy as np
        from ballet import Feature
        from ballet.eng import SimpleFunctionTransformer

        def fill_frontage(df):
            mask = df["Lot Frontage"].isnull()
            df["Lot Frontage"][mask] = np.sqrt(df["Lot Area"])[mask]
            return df["Lot Frontage"]

        input = ["Lot Area", "Lot Frontage"]
        transformer = SimpleFunctionTransformer(fill_frontage)
        feature = Feature(input=input, transformer=transformer, name="Frontage from area")
        """,
        "NoMissingValuesCheck",
        ["chained assignment", "line 7", "df.loc[mask, 'a'] = value"],
    ),
    # the second step gets the first step's Series, not the input columns.
    "input_lost_between_steps": (
        """
        from ballet import Feature
        import ballet.eng

        def order_quality(df):
            return df["Kitchen Qual"].map({"Po": 1, "Fa": 2, "TA": 3, "Gd": 4, "Ex": 5})

        def times_rooms(df):
            return df["Kitchen Qual"] * df["Kitchen AbvGr"]

        input = ["Kitchen Qual", "Kitchen AbvGr"]
        transformer = [
            ballet.eng.SimpleFunctionTransformer(order_quality),
            ballet.eng.SimpleFunctionTransformer(times_rooms),
        ]
        feature = Feature(input=input, transformer=transformer, name="Kitchen score")
        """,
        "CanTransformCheck",
        ["'Kitchen Qual' is one of the feature's input columns", "previous step's"],
    ),
    # text filled into a numeric column, then compared with a number.
    "text_in_numeric_column": (
        """
        from ballet import Feature
        import ballet.eng

        def has_veneer(df):
            return (df["Mas Vnr Area"] > 0).astype(int)

        input = ["Mas Vnr Area"]
        transformer = [
            ballet.eng.missing.NullFiller(replacement="None"),
            ballet.eng.SimpleFunctionTransformer(has_veneer),
        ]
        feature = Feature(input=input, transformer=transformer, name="Has veneer")
        """,
        "CanTransformCheck",
        ["text where numbers are expected", "pd.to_numeric"],
    ),
    # one-hot encoding of a number: new rows hold values never seen in fit.
    "one_hot_of_a_number": (
        """
        from ballet import Feature
        import sklearn.preprocessing

        input = ["Lot Area"]
        transformer = sklearn.preprocessing.OneHotEncoder()
        feature = Feature(input=input, transformer=transformer, name="Lot area categories")
        """,
        "CanTransformNewRowsCheck",
        ["handle_unknown='ignore'", "use the number itself"],
    ),
    # SimpleImputer drops a column that is all missing in one group.
    "groupwise_group_all_missing": (
        """
        from ballet import Feature
        from ballet.eng import GroupwiseTransformer, SimpleFunctionTransformer
        from sklearn.impute import SimpleImputer

        input = ["Lot Frontage"]
        transformer = [
            SimpleFunctionTransformer(lambda df: df.assign(unknown=df["Lot Frontage"].isnull())),
            GroupwiseTransformer(
                SimpleImputer(strategy="mean"),
                groupby_kwargs={"by": "unknown"},
                column_selection=["Lot Frontage"],
            ),
        ]
        feature = Feature(input=input, transformer=transformer, name="Frontage by knownness")
        """,
        "CanTransformCheck",
        ["returned 0 column(s) for 1", "keep_empty_features=True"],
    ),
    # a missing group key with the default handle_unknown="error".
    "groupwise_missing_key_strict": (
        """
        from ballet import Feature
        from ballet.eng import GroupwiseTransformer, SimpleFunctionTransformer
        from sklearn.impute import SimpleImputer

        input = ["Lot Frontage", "Alley"]
        transformer = [
            SimpleFunctionTransformer(lambda df: df.set_index("Alley", append=True)),
            GroupwiseTransformer(SimpleImputer(), groupby_kwargs={"level": "Alley"}),
            SimpleImputer(),
        ]
        feature = Feature(input=input, transformer=transformer, name="Frontage by alley only")
        """,
        "CanFitCheck",
        ["missing group key", "handle_unknown='ignore'"],
    ),
    # the feature template, never filled in.
    "starter_template": (
        """
        from ballet import Feature

        input = None  # TODO - str or list of str
        transformer = None  # TODO - function, transformer-like, or list thereof
        name = None  # TODO - str
        feature = Feature(input, transformer, name)
        """,
        "HasCorrectInputTypeCheck",
        ["`input` is a NoneType", "input = 'Lot Area'"],
    ),
    # a model pickled by another scikit-learn version, which this one can't run.
    "model_from_another_sklearn": (
        """
        import pickle
        import numpy as np
        import sklearn
        from ballet import Feature
        from sklearn.linear_model import LinearRegression

        VERSION = sklearn.__version__.encode()
        _fitted = LinearRegression().fit(np.arange(4.0).reshape(-1, 1), np.arange(4.0))
        STORED = pickle.dumps(_fitted).replace(VERSION, b"0" * len(VERSION))

        def predict(df):
            model = pickle.loads(STORED)
            del model.coef_  # what an old pickle lacks that this version needs
            return model.predict(df.fillna(0).to_numpy())

        input = ["Lot Area"]
        feature = Feature(input, predict, name="Stored model")
        """,
        "CanTransformCheck",
        ["pickled scikit-learn object made by another version", "fit the model"],
    ),
}


def _validate_all(root, modules: dict, tmp_path) -> dict:
    """Every module through one `jupyter-ext validate --json` run: {name: report}."""
    paths = []
    for name, source in modules.items():
        path = tmp_path / f"feature_{name}.py"
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
        paths.append(str(path))
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter_ext", "validate", "--project", str(root), "--json"] + paths,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    output = json.loads(proc.stdout)
    assert len(output["features"]) == len(modules), proc.stderr[-2000:]
    return {name: entry["report"] for name, entry in zip(modules, output["features"], strict=True)}


def _without_scoring(root):
    """Scoring never changes a verdict; these tests are about checks, so skip its cost."""
    config = root / "ballet.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("\nvalidation:\n", "\nvalidation:\n  scoring: {enabled: false}\n", 1),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def ames_reports(tmp_path_factory):
    root = build_ames_project(tmp_path_factory.mktemp("real") / "ames", features=[])
    _without_scoring(root)
    modules = {**PASSING, **{name: spec[0] for name, spec in FAILING.items()}}
    return _validate_all(root, modules, tmp_path_factory.mktemp("real-modules"))


def _failed(report):
    return [c for c in report["checks"] if not c["passed"] and not c["skipped"]]


@pytest.mark.parametrize("name", sorted(PASSING))
def test_ballet_era_module_passes_every_check(ames_reports, name):
    report = ames_reports[name]
    assert report["error"] is None
    assert _failed(report) == []
    assert report["acceptance"] is not None  # it got as far as the accepter's verdict
    assert report["feature"]["output"]


@pytest.mark.parametrize("name", sorted(FAILING))
def test_broken_module_fails_one_check_with_advice(ames_reports, name):
    _, check, words = FAILING[name]
    report = ames_reports[name]
    assert report["error"] is None  # a verdict, not a crash
    failed = _failed(report)
    assert failed and failed[0]["name"] == check
    said = f"{failed[0]['message']} {failed[0]['advice']}"
    for word in words:
        assert word in said
    assert "Traceback" not in said


def test_a_template_with_no_input_is_not_also_a_pipeline_error(ames_reports):
    checks = {c["name"]: c for c in ames_reports["starter_template"]["checks"]}
    assert checks["CanMakeMapperCheck"]["skipped"]
    assert "HasCorrectInputTypeCheck" in checks["CanMakeMapperCheck"]["message"]


def test_rows_with_a_missing_group_key_keep_their_value(ames_reports):
    # Alley is missing for most houses: they are passed through the group step (then the
    # final imputer), not dropped, so the output has one value per row.
    report = ames_reports["groupwise_missing_key"]
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["HasCorrectOutputDimensionsCheck"]["passed"]
    assert checks["NoMissingValuesCheck"]["passed"]


# -- a census-style project: classification, Ballet's targets DataFrame encoder --------------

CENSUS_ENCODER = """\
from ballet.transformer import make_robust_transformer

INCOME_THRESHOLD = 50_000


def get_target_encoder():
    return make_robust_transformer([
        lambda y: y["PINCP"],
        lambda y: (y > INCOME_THRESHOLD).astype(int),
    ])
"""

CENSUS_MODULES = {
    # fit uses y (the raw income) joined by the entities' index, as a real census feature does.
    "median_income_by_ancestry": """
        import numpy as np
        import pandas as pd
        from ballet import Feature
        from ballet.eng import BaseTransformer, NullFiller
        from ballet.eng.external import SimpleImputer

        class MedianIncomeForGroup(BaseTransformer):
            def fit(self, X, y=None):
                if not isinstance(y, (pd.Series, pd.DataFrame)):
                    y = pd.Series(np.ravel(y), name="PINCP")
                self.medians_ = X.to_frame().join(y).groupby(by=X.name)["PINCP"].median()
                return self

            def transform(self, X):
                return X.map(self.medians_.to_dict())

        input = "ANC1P"
        transformer = [NullFiller(replacement=-1), MedianIncomeForGroup(), SimpleImputer(), np.log1p]
        feature = Feature(input, transformer, name="Log median income of ancestry")
        """,
    # row-wise binning with positional row access, as a real census feature does.
    "education_and_race": """
        from ballet import Feature
        from ballet.eng import NullFiller

        def to_bin(row):
            return (row[0] >= 21) * 10 + (row[1] == 1)

        input = ["SCHL", "RAC1P"]
        transformer = [NullFiller(replacement=0), lambda df: df.apply(to_bin, axis=1)]
        feature = Feature(input, transformer, name="Degree and race bin")
        """,
}


@pytest.fixture(scope="module")
def census_reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("census") / "census"
    root.mkdir()
    write_ballet_yml(
        root,
        name="Predict census income",
        slug="census",
        package="census",
        problem_type="classification",
        scorer="roc_auc",
        classification_type="binary",
    )
    _without_scoring(root)
    features = root / "src" / "census" / "features"
    (features / "contrib").mkdir(parents=True)
    for init in (root / "src" / "census", features, features / "contrib"):
        (init / "__init__.py").touch()
    (features / "encoder.py").write_text(CENSUS_ENCODER, encoding="utf-8")
    rng = np.random.default_rng(0)
    rows = 600
    schl = rng.integers(1, 25, rows).astype(float)
    schl[rng.random(rows) < 0.05] = np.nan
    entities = pd.DataFrame(
        {"SCHL": schl, "RAC1P": rng.integers(1, 10, rows), "ANC1P": rng.integers(1, 40, rows)}
    )
    income = 20_000 + 3_000 * np.nan_to_num(schl) + rng.normal(0, 15_000, rows)
    data = root / "data" / "train"
    data.mkdir(parents=True)
    entities.to_csv(data / "entities.csv")
    pd.DataFrame({"PINCP": income.round()}).to_csv(data / "targets.csv")
    return _validate_all(root, CENSUS_MODULES, tmp_path_factory.mktemp("census-modules"))


@pytest.mark.parametrize("name", sorted(CENSUS_MODULES))
def test_census_style_module_passes_with_a_dataframe_target_encoder(census_reports, name):
    report = census_reports[name]
    assert report["error"] is None  # the encoder's y["PINCP"] worked
    assert _failed(report) == []
    assert report["acceptance"] is not None
