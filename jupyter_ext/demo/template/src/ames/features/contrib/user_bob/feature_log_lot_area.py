import numpy as np
from ballet import Feature
from ballet.eng import SimpleFunctionTransformer

input = "Lot Area"
transformer = SimpleFunctionTransformer(np.log1p)
name = "Log lot area"
description = "Logarithm of the lot size: a few huge lots would otherwise dominate."
feature = Feature(input=input, transformer=transformer, name=name, description=description)
