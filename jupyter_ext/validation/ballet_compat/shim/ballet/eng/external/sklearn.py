"""scikit-learn transformers under `ballet.eng.external.sklearn` (Ballet 0.19's list)."""

from ballet.eng.external._optional import reexport

_SKLEARN = {
    "sklearn.impute": ["IterativeImputer", "KNNImputer", "MissingIndicator", "SimpleImputer"],
    "sklearn.preprocessing": [
        "Binarizer",
        "FunctionTransformer",
        "KBinsDiscretizer",
        "MaxAbsScaler",
        "MinMaxScaler",
        "Normalizer",
        "OneHotEncoder",
        "OrdinalEncoder",
        "PolynomialFeatures",
        "PowerTransformer",
        "QuantileTransformer",
        "RobustScaler",
        "SplineTransformer",
        "StandardScaler",
        "TargetEncoder",
    ],
    "sklearn.random_projection": ["GaussianRandomProjection", "SparseRandomProjection"],
    "sklearn.decomposition": ["PCA", "TruncatedSVD"],
}

try:  # IterativeImputer still needs its opt-in import in current scikit-learn
    import sklearn.experimental.enable_iterative_imputer  # noqa: F401
except ImportError:  # pragma: no cover - older or newer scikit-learn
    pass

__all__ = []
for _module, _names in _SKLEARN.items():
    __all__ += reexport(_module, _names, globals())
