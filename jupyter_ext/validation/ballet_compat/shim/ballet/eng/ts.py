"""Time-series transformers of `ballet.eng.ts`."""

from sklearn.pipeline import FeatureUnion

from ballet.eng.base import GroupedFunctionTransformer

__all__ = ("SingleLagger", "make_multi_lagger")


class _Shift:
    def __init__(self, lag):
        self.lag = lag

    def __call__(self, x):
        return x.shift(self.lag)


class SingleLagger(GroupedFunctionTransformer):
    """Lag each group's values by `lag` rows."""

    def __init__(self, lag, groupby_kwargs=None):
        self.lag = lag
        super().__init__(_Shift(lag), groupby_kwargs=groupby_kwargs)

    def get_params(self, deep=True):
        return {"lag": self.lag, "groupby_kwargs": self.groupby_kwargs}


def make_multi_lagger(lags, groupby_kwargs=None):
    """A FeatureUnion of SingleLaggers, one per lag."""
    laggers = [SingleLagger(lag, groupby_kwargs=groupby_kwargs) for lag in lags]
    return FeatureUnion([(f"lag_{lag}", lagger) for lag, lagger in zip(lags, laggers, strict=True)])
