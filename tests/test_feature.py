"""The feature contract: both ways to define a feature, every transformer shape, fresh namespaces."""

import textwrap

import numpy as np
import pandas as pd
import pytest

from jupyter_ext.core.feature import (
    Feature,
    FeatureLoadError,
    load_feature_from_source,
    output_names,
)

X = pd.DataFrame(
    {
        "Lot Area": [8450.0, 9600.0, 11250.0, 9550.0, 14260.0],
        "Lot Frontage": [65.0, np.nan, 68.0, np.nan, 84.0],
        "Zoning": ["RL", "RL", "RM", "RL", "C"],
        "1st Flr SF": [856, 1262, 920, 961, 1145],
        "2nd Flr SF": [854, 0, 866, 756, 1053],
    }
)
y = pd.Series([208500, 181500, 223500, 140000, 250000], name="SalePrice")


def load(source: str, **kwargs):
    return load_feature_from_source(textwrap.dedent(source), **kwargs).feature


def values_of(feature):
    pipeline = feature.as_feature_engineering_pipeline()
    values = pipeline.fit_transform(X, y)
    return values, output_names(feature, values.shape[1], pipeline.columns_hint)


def test_module_level_variables_define_a_feature():
    feature = load(
        """
        import numpy as np
        input = ["Lot Area"]
        transformer = np.log
        name = "Log lot area"
        description = "Log of the lot size."
        """
    )
    values, names = values_of(feature)
    assert feature.name == "Log lot area" and feature.description == "Log of the lot size."
    assert names == ["log_lot_area"]
    assert np.allclose(values[:, 0], np.log(X["Lot Area"]))


def test_one_feature_object_defines_a_feature_and_module_name_fills_gaps():
    feature = load(
        """
        from jupyter_ext import Feature
        name = "Total floor area"
        feature = Feature(["1st Flr SF", "2nd Flr SF"], lambda df: df.sum(axis=1))
        """
    )
    assert isinstance(feature, Feature)
    assert feature.name == "Total floor area"
    values, names = values_of(feature)
    assert names == ["total_floor_area"]
    assert values[:, 0].tolist() == [1710, 1262, 1786, 1717, 2198]


@pytest.mark.parametrize(
    "input_,transformer,expected_shape",
    [
        # An sklearn object on a single column name: the robust wrapper turns the Series
        # into a frame because SimpleImputer needs 2-D input.
        ("Lot Frontage", "SimpleImputer(strategy='mean')", (5, 1)),
        (["Lot Frontage"], "[SimpleImputer(strategy='median'), StandardScaler()]", (5, 1)),
        ("Lot Area", "None", (5, 1)),
        ("Lot Area", "lambda s: s / 1000", (5, 1)),
        (["1st Flr SF", "2nd Flr SF"], "StandardScaler()", (5, 2)),
        # Sparse output (OneHotEncoder's default) becomes dense columns.
        (["Zoning"], "OneHotEncoder()", (5, 3)),
        # A (columns, transformer) step transforms those columns and keeps the others.
        (["Lot Area", "Lot Frontage"], "[('Lot Frontage', lambda s: s.fillna(0))]", (5, 2)),
    ],
)
def test_transformer_shapes(input_, transformer, expected_shape):
    feature = load(
        f"""
        from sklearn.impute import SimpleImputer
        from sklearn.preprocessing import OneHotEncoder, StandardScaler
        input = {input_!r}
        transformer = {transformer}
        name = "f"
        """
    )
    values, names = values_of(feature)
    assert values.shape == expected_shape
    assert len(set(names)) == expected_shape[1]
    assert not np.isnan(values.astype(float)).any()


def test_robust_transformer_remembers_the_conversion_that_worked():
    seen = []

    class NeedsArray:
        def fit(self, X, y=None):
            seen.append(type(X).__name__)
            if not isinstance(X, np.ndarray):
                raise TypeError("arrays only")
            return self

        def transform(self, X):
            seen.append(type(X).__name__)
            if not isinstance(X, np.ndarray):
                raise TypeError("arrays only")
            return X * 2

        def fit_transform(self, X, y=None):
            return self.fit(X, y).transform(X)

    feature = Feature("Lot Area", NeedsArray(), name="doubled")
    pipeline = feature.as_feature_engineering_pipeline()
    pipeline.fit(X, y)
    # identity (Series), series, dataframe fail; array works and is remembered:
    assert seen == ["Series", "Series", "DataFrame", "ndarray"]
    out = pipeline.transform(X)
    assert seen[-1] == "ndarray" and len(seen) == 5
    assert out[:, 0].tolist() == (X["Lot Area"] * 2).tolist()
    assert pipeline.transformer.conversion == "array"


def test_two_pipelines_of_one_feature_do_not_share_fitted_state():
    from sklearn.impute import SimpleImputer

    feature = Feature(["Lot Frontage"], SimpleImputer(strategy="mean"), name="frontage")
    a = feature.as_feature_engineering_pipeline().fit(X, y)
    feature.as_feature_engineering_pipeline().fit(X.iloc[:1], y.iloc[:1])
    assert a.transform(X)[1, 0] == pytest.approx(X["Lot Frontage"].mean())


def test_outputs_named_by_output_list_frame_columns_or_position():
    feature = Feature(["1st Flr SF", "2nd Flr SF"], None, name="Floors", output=["f1", "f2"])
    assert output_names(feature, 2) == ["f1", "f2"]
    feature = Feature(["1st Flr SF", "2nd Flr SF"], None, name="Floors")
    assert output_names(feature, 2) == ["floors_1st_flr_sf", "floors_2nd_flr_sf"]
    assert output_names(Feature("Zoning", None, name="Z"), 3) == ["z_0", "z_1", "z_2"]
    assert output_names(Feature("Zoning", None), 1) == ["zoning"]


def test_runs_in_a_fresh_namespace_without_the_callers_state():
    # Given: a name that exists here (as it would in the notebook), but not in the module
    mean_area = 10_000.0  # noqa: F841 - must stay invisible to the feature
    source = "input = 'Lot Area'\ntransformer = None\nscale = mean_area\n"
    # When / Then
    with pytest.raises(FeatureLoadError) as err:
        load_feature_from_source(source)
    assert err.value.kind == "undefined-name"
    assert err.value.name == "mean_area"
    assert err.value.line == 3


@pytest.mark.parametrize(
    "source,kind",
    [
        ("input = ['a'\n", "syntax"),
        ("import not_a_real_module_xyz\ninput = 'a'\ntransformer = None\n", "import"),
        ("input = 'a'\ntransformer = None\n1 / 0\n", "exception"),
        ("x = 1\n", "no-feature"),
        (
            "from jupyter_ext import Feature\na = Feature('x', None)\nb = Feature('y', None)\n",
            "many-features",
        ),
    ],
)
def test_modules_that_do_not_give_one_feature(source, kind):
    with pytest.raises(FeatureLoadError) as err:
        load_feature_from_source(source)
    assert err.value.kind == kind


def test_the_same_object_bound_twice_is_one_feature():
    feature = load(
        """
        from jupyter_ext import Feature
        feature = f = Feature("Lot Area", None, name="area")
        """
    )
    assert feature.name == "area"


def test_a_real_ballet_feature_object_is_accepted_by_its_shape():
    # What Ballet's own Feature looks like when the real package is installed.
    feature = load(
        """
        class Feature:
            def __init__(self, input, transformer, name=None):
                self.input, self.transformer, self.name = input, transformer, name
                self.description = self.output = self.source = None

        input = "Lot Area"
        feature = Feature(input, None, name="Lot area")
        """
    )
    assert isinstance(feature, Feature) and feature.name == "Lot area"


def test_author_comes_from_the_contrib_module_name():
    feature = load(
        "input = 'Lot Area'\ntransformer = None\n",
        module_name="ames.features.contrib.user_alice.feature_area",
    )
    assert feature.author == "alice"


def test_feature_import_is_lazy():
    import jupyter_ext

    assert jupyter_ext.Feature is Feature
    with pytest.raises(AttributeError):
        jupyter_ext.NoSuchThing  # noqa: B018
