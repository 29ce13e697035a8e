from ballet import Feature
from ballet.eng.external import SimpleImputer

input = ["Lot Frontage"]
transformer = SimpleImputer(strategy="median")
name = "Lot frontage filled"
description = "Street frontage in feet; missing values (no street contact recorded) get the median."
feature = Feature(input=input, transformer=transformer, name=name, description=description)
