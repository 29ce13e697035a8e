"""Old path `ballet.eng.feature_engine` (renamed to `ballet.eng.external.feature_engine` in Ballet 0.19)."""

from ballet.eng.external.feature_engine import *  # noqa: F403
from ballet.eng.external.feature_engine import __all__  # noqa: F401
