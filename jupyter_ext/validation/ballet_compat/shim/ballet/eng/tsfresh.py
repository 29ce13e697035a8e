"""Old path `ballet.eng.tsfresh` (renamed to `ballet.eng.external.tsfresh` in Ballet 0.19)."""

from ballet.eng.external.tsfresh import *  # noqa: F403
from ballet.eng.external.tsfresh import __all__  # noqa: F401
