"""Real Ballet feature modules load and run without the `ballet` package installed."""

import copy
import sys
import textwrap

import dill
import numpy as np
import pandas as pd
import pytest
from projects import build_ames_project

from jupyter_ext.core.feature import Feature, load_feature_from_source, output_names
from jupyter_ext.core.project import load_data, load_project
from jupyter_ext.validation import ballet_compat


@pytest.fixture
def compat():
    mode = ballet_compat.activate()
    yield mode
    ballet_compat.deactivate()


@pytest.fixture(scope="module")
def ames_data(tmp_path_factory):
    root = build_ames_project(tmp_path_factory.mktemp("compat") / "ames", features=[])
    return load_data(load_project(root))


# Modules written the way merged Ballet features are (see ballet-reference.md): the
# Feature object, ballet.eng transformers, ballet.eng.external and the older ballet.eng.sklearn.
REAL_STYLE = {
    "imputed_frontage": (
        """
        from ballet import Feature
        from ballet.eng.external import SimpleImputer

        input = ["Lot Frontage"]
        transformer = [SimpleImputer(strategy="mean")]
        feature = Feature(input, transformer, name="Lot frontage imputed")
        """,
        1,
    ),
    "old_sklearn_path": (
        """
        from ballet import Feature
        from ballet.eng.sklearn import SimpleImputer

        input = "Lot Frontage"
        transformer = SimpleImputer(strategy="mean")
        feature = Feature(input=input, transformer=transformer)
        """,
        1,
    ),
    "garage_fill": (
        """
        from ballet import Feature
        from ballet.eng import SimpleFunctionTransformer

        input = ['Garage Yr Blt', 'Year Built']
        def fill_garage(df):
            new_garage = df['Garage Yr Blt'].copy()
            mask = new_garage.isnull()
            new_garage[mask] = df['Year Built'][mask]
            return new_garage
        transformer = SimpleFunctionTransformer(fill_garage)
        name = 'Impute garage year built'
        feature = Feature(input=input, transformer=transformer, name=name)
        """,
        1,
    ),
    "one_hot": (
        """
        from ballet import Feature
        from ballet.eng import NullFiller
        from sklearn.preprocessing import OneHotEncoder

        input = ['Garage Qual']
        transformer = [
            NullFiller(replacement='Missing'),
            OneHotEncoder(handle_unknown='ignore'),
        ]
        feature = Feature(input=input, transformer=transformer, name='Garage quality')
        """,
        6,
    ),
    "scaled_floors": (
        """
        from ballet import Feature
        from ballet.eng import NullFiller
        from ballet.eng.external.sklearn import StandardScaler

        input = ["Total Bsmt SF", "1st Flr SF", "2nd Flr SF"]
        transformer = [NullFiller(), StandardScaler()]
        feature = Feature(input, transformer)
        """,
        3,
    ),
    "house_age": (
        """
        from ballet import Feature
        from ballet.eng import NullFiller

        input = ["Yr Sold", "Year Remod/Add"]
        transformer = [lambda df: df["Yr Sold"] - df["Year Remod/Add"], NullFiller()]
        name = "House Age"
        feature = Feature(input=input, transformer=transformer, name=name)
        """,
        1,
    ),
    "replacer_and_subset": (
        """
        import numpy as np
        from ballet import Feature
        from ballet.eng import ValueReplacer, NullIndicator
        from ballet.util.log import logger

        input = ["Mas Vnr Area", "Pool Area"]
        transformer = [
            ValueReplacer(0, np.nan),
            (["Mas Vnr Area"], NullIndicator()),
            ("Pool Area", lambda s: s.notna().astype(int)),
        ]
        feature = Feature(input, transformer, name="Has veneer and pool")
        """,
        2,
    ),
    "box_cox": (
        """
        from ballet import Feature
        from ballet.eng import BoxCoxTransformer

        input = ["Lot Area", "Gr Liv Area"]
        transformer = BoxCoxTransformer(threshold=0.5)
        feature = Feature(input, transformer, name="Skew-corrected areas")
        """,
        2,
    ),
    "conditional": (
        """
        import numpy as np
        from ballet import Feature
        from ballet.eng import ConditionalTransformer

        input = "Misc Val"
        transformer = ConditionalTransformer(
            lambda x: x.max() > 1000, lambda x: np.log1p(x), lambda x: x
        )
        feature = Feature(input, transformer, name="Misc value")
        """,
        1,
    ),
}


@pytest.mark.parametrize("key", sorted(REAL_STYLE))
def test_real_style_modules_run(compat, ames_data, key):
    # Given: a module as contributors wrote them for Ballet
    source, columns = REAL_STYLE[key]
    X, y = ames_data
    # When: it is loaded in a fresh namespace and fitted on the Ames data
    feature = load_feature_from_source(textwrap.dedent(source)).feature
    pipeline = feature.as_feature_engineering_pipeline()
    values = pipeline.fit_transform(X, y).astype(float)
    # Then: one row per sale, the expected columns, finite numbers, and it pickles
    assert compat == "compat"
    assert isinstance(feature, Feature)
    assert values.shape == (len(X), columns)
    assert np.isfinite(values).all()
    assert len(output_names(feature, columns, pipeline.columns_hint)) == columns
    assert isinstance(dill.loads(dill.dumps(feature)), Feature)
    copy.deepcopy(feature)


def test_ballet_feature_is_ours(compat):
    import ballet
    from ballet.feature import Feature as BalletFeature

    assert ballet.Feature is Feature is BalletFeature


def test_eng_exports_ballets_names(compat):
    import ballet.eng
    import ballet.eng.external
    import ballet.eng.sklearn

    for name in (
        "BaseTransformer",
        "ConditionalTransformer",
        "GroupedFunctionTransformer",
        "GroupwiseTransformer",
        "SimpleFunctionTransformer",
        "SubsetTransformer",
        "IdentityTransformer",
        "BoxCoxTransformer",
        "ValueReplacer",
        "NamedFramer",
        "ComputedValueTransformer",
        "ColumnSelector",
        "NullFiller",
        "NullIndicator",
        "LagImputer",
        "SingleLagger",
        "make_multi_lagger",
    ):
        assert hasattr(ballet.eng, name), name
    for name in ("SimpleImputer", "OneHotEncoder", "StandardScaler", "KBinsDiscretizer"):
        assert getattr(ballet.eng.external, name) is getattr(ballet.eng.sklearn, name)


def test_eng_transformers_behave_like_ballets(compat):
    from ballet.eng import (
        ComputedValueTransformer,
        GroupwiseTransformer,
        NamedFramer,
        NullFiller,
        NullIndicator,
        SingleLagger,
        ValueReplacer,
    )
    from sklearn.impute import SimpleImputer

    s = pd.Series([1.0, np.nan, 3.0, 0.0])
    assert NullFiller(replacement=-1).fit_transform(s).tolist() == [1.0, -1.0, 3.0, 0.0]
    assert NullFiller(isnull=np.isinf).fit_transform(pd.Series([np.inf, 2.0])).tolist() == [
        0.0,
        2.0,
    ]
    assert NullIndicator().fit_transform(s).tolist() == [0, 1, 0, 0]
    assert ValueReplacer(0.0, 9.0).fit_transform(s.fillna(5)).tolist() == [1.0, 5.0, 3.0, 9.0]
    assert NamedFramer("z").fit_transform(s).columns.tolist() == ["z"]
    constant = ComputedValueTransformer(np.nanmean).fit(s)
    assert np.allclose(constant.transform(np.zeros(3)), [4 / 3] * 3)
    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "v": [1.0, np.nan, 10.0, np.nan]})
    lagged = SingleLagger(1, groupby_kwargs={"by": "g"}).fit_transform(frame[["g", "v"]])
    # Lagged within each group: the first row of each group has no previous value.
    assert np.array_equal(lagged["v"].to_numpy(), [np.nan, 1.0, np.nan, 10.0], equal_nan=True)
    imputed = GroupwiseTransformer(
        SimpleImputer(strategy="mean"), groupby_kwargs={"by": "g"}, column_selection=["v"]
    ).fit_transform(frame)
    assert imputed["v"].tolist() == [1.0, 1.0, 10.0, 10.0]


def test_real_ballet_wins_when_it_imports(tmp_path, monkeypatch):
    # Given: an importable `ballet` package (standing in for the real one)
    fake = tmp_path / "site" / "ballet"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("REAL = True\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    try:
        # When / Then: the shim stays off
        assert ballet_compat.activate() == "real"
        import ballet

        assert getattr(ballet, "REAL", False)
    finally:
        ballet_compat.deactivate()
        for name in [m for m in sys.modules if m == "ballet" or m.startswith("ballet.")]:
            del sys.modules[name]


def test_a_broken_real_ballet_falls_back_to_the_shim(tmp_path, monkeypatch):
    # Ballet 0.19.5 next to pandas 2+ fails on import: that must not block validation.
    fake = tmp_path / "site" / "ballet"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('needs pandas<2')\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    try:
        assert ballet_compat.activate() == "compat"
        from ballet import Feature as Shimmed

        assert Shimmed is Feature
    finally:
        ballet_compat.deactivate()


def test_deactivate_leaves_no_trace():
    ballet_compat.activate()
    ballet_compat.deactivate()
    assert str(ballet_compat.SHIM_DIR) not in sys.path
    assert "ballet" not in sys.modules
