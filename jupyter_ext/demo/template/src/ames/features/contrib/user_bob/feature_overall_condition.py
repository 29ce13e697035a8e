from ballet import Feature
from ballet.eng.misc import IdentityTransformer

input = "Overall Cond"
transformer = IdentityTransformer()
name = "Overall condition"
description = "Rating of the overall condition of the house, 1 (very poor) to 10."
feature = Feature(input=input, transformer=transformer, name=name, description=description)
