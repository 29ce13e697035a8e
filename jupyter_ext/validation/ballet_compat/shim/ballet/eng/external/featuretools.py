"""featuretools' DFSTransformer, when installed."""

from ballet.eng.external._optional import reexport

__all__ = reexport("featuretools.wrappers", ["DFSTransformer"], globals())
