"""category_encoders transformers, when that package is installed."""

from ballet.eng.external._optional import reexport

__all__ = reexport(
    "category_encoders",
    [
        "BackwardDifferenceEncoder",
        "BaseNEncoder",
        "BinaryEncoder",
        "CatBoostEncoder",
        "CountEncoder",
        "GLMMEncoder",
        "HashingEncoder",
        "HelmertEncoder",
        "JamesSteinEncoder",
        "LeaveOneOutEncoder",
        "MEstimateEncoder",
        "OneHotEncoder",
        "OrdinalEncoder",
        "PolynomialEncoder",
        "SumEncoder",
        "TargetEncoder",
        "WOEEncoder",
    ],
    globals(),
)
