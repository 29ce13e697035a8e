from ballet import Feature
from ballet.eng import SimpleFunctionTransformer


def was_remodelled(df):
    # The data records the construction year when there was no remodelling.
    return (df["Year Remod/Add"] > df["Year Built"]).astype(int)


input = ["Year Built", "Year Remod/Add"]
transformer = SimpleFunctionTransformer(was_remodelled)
name = "Remodelled"
description = "1 if the house was remodelled or extended after it was built, else 0."
feature = Feature(input=input, transformer=transformer, name=name, description=description)
