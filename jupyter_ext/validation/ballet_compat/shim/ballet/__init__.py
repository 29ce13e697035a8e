"""jupyter-ext's compatibility stand-in for Ballet 0.19 (feature-authoring API only).

Provides what contributed feature modules import: `Feature`, `ballet.eng` (transformers),
`ballet.eng.external` / `ballet.eng.sklearn` (re-exported scikit-learn transformers) and a
few utilities. It is put on sys.path by the validation worker only when the real Ballet
package can't be imported.
"""

from jupyter_ext.core.feature import Feature

__version__ = "0.19.5"
__jupyter_ext_compat__ = True

__all__ = ("Feature",)
