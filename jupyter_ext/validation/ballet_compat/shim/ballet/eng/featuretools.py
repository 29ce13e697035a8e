"""Old path `ballet.eng.featuretools` (renamed to `ballet.eng.external.featuretools` in Ballet 0.19)."""

from ballet.eng.external.featuretools import *  # noqa: F403
from ballet.eng.external.featuretools import __all__  # noqa: F401
