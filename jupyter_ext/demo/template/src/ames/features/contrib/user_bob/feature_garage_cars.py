from ballet import Feature
from ballet.eng import NullFiller

input = "Garage Cars"
transformer = NullFiller(replacement=0)
name = "Garage cars"
description = "Garage capacity in cars; houses without a garage record count as 0."
feature = Feature(input=input, transformer=transformer, name=name, description=description)
