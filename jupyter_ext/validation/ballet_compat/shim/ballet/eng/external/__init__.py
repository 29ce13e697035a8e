"""`ballet.eng.external`: transformers from other libraries, re-exported under Ballet's names.

scikit-learn's are always there; category_encoders, feature_engine, featuretools, skits
and tsfresh appear when those packages are installed in the validation environment.
"""

from ballet.eng.external.category_encoders import *  # noqa: F403
from ballet.eng.external.category_encoders import __all__ as _category_encoders_all
from ballet.eng.external.feature_engine import *  # noqa: F403
from ballet.eng.external.feature_engine import __all__ as _feature_engine_all
from ballet.eng.external.featuretools import *  # noqa: F403
from ballet.eng.external.featuretools import __all__ as _featuretools_all
from ballet.eng.external.skits import *  # noqa: F403
from ballet.eng.external.skits import __all__ as _skits_all
from ballet.eng.external.sklearn import *  # noqa: F403
from ballet.eng.external.sklearn import __all__ as _sklearn_all
from ballet.eng.external.tsfresh import *  # noqa: F403
from ballet.eng.external.tsfresh import __all__ as _tsfresh_all

__all__ = (
    *_category_encoders_all,
    *_feature_engine_all,
    *_featuretools_all,
    *_skits_all,
    *_sklearn_all,
    *_tsfresh_all,
)
