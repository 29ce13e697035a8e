"""`ballet.eng`: transformers for feature engineering (Ballet 0.19's names and behaviour)."""

from ballet.eng.base import *  # noqa: F403
from ballet.eng.base import __all__ as _base_all
from ballet.eng.misc import *  # noqa: F403
from ballet.eng.misc import __all__ as _misc_all
from ballet.eng.missing import *  # noqa: F403
from ballet.eng.missing import __all__ as _missing_all
from ballet.eng.ts import *  # noqa: F403
from ballet.eng.ts import __all__ as _ts_all

__all__ = (*_base_all, *_misc_all, *_missing_all, *_ts_all)
