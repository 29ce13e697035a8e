"""skits transformers, when installed."""

from ballet.eng.external._optional import reexport

__all__ = reexport(
    "skits.preprocessing",
    ["DifferenceTransformer", "HorizonTransformer", "LogTransformer", "ReversibleImputer"],
    globals(),
)
__all__ += reexport("skits.feature_extraction", ["AutoregressiveTransformer"], globals())
