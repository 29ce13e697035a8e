"""Ballet's exception names, for modules that catch or raise them."""


class BalletWarning(UserWarning):
    pass


class BalletError(Exception):
    pass


class UnsuccessfulInputConversionError(BalletError):
    pass


class ConfigurationError(BalletError):
    pass


class FeatureValidationError(BalletError):
    pass


class FeatureRejected(FeatureValidationError):
    pass


class InvalidProjectStructure(FeatureValidationError):
    pass


class InvalidFeatureApi(FeatureValidationError):
    pass


class FeatureCollectionError(BalletError):
    pass


class NoFeaturesCollectedError(FeatureCollectionError):
    pass
