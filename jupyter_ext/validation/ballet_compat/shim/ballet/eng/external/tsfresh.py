"""tsfresh transformers, when installed."""

from ballet.eng.external._optional import reexport

__all__ = reexport(
    "tsfresh.transformers",
    ["FeatureAugmenter", "FeatureSelector", "RelevantFeatureAugmenter", "PerColumnImputer"],
    globals(),
)
