"""Old path `ballet.eng.sklearn` (renamed to `ballet.eng.external.sklearn` in Ballet 0.19)."""

from ballet.eng.external.sklearn import *  # noqa: F403
from ballet.eng.external.sklearn import __all__  # noqa: F401
