"""Old path `ballet.eng.skits` (renamed to `ballet.eng.external.skits` in Ballet 0.19)."""

from ballet.eng.external.skits import *  # noqa: F403
from ballet.eng.external.skits import __all__  # noqa: F401
