"""Old path `ballet.eng.category_encoders` (renamed to `ballet.eng.external.category_encoders` in Ballet 0.19)."""

from ballet.eng.external.category_encoders import *  # noqa: F403
from ballet.eng.external.category_encoders import __all__  # noqa: F401
