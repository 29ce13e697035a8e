"""Ballet's robust-transformer helpers, backed by jupyter_ext.core.transformer."""

from jupyter_ext.core.transformer import (
    RobustTransformer,
    TransformerPipeline,
    desugar,
    make_robust,
)

DelegatingRobustTransformer = RobustTransformer
make_robust_transformer = make_robust
desugar_transformer = desugar


def make_transformer_pipeline(steps):
    return TransformerPipeline([make_robust(step) for step in steps])


__all__ = (
    "DelegatingRobustTransformer",
    "RobustTransformer",
    "TransformerPipeline",
    "desugar_transformer",
    "make_robust_transformer",
    "make_transformer_pipeline",
)
