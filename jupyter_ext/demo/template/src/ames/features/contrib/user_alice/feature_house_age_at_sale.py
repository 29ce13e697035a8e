from jupyter_ext import Feature

input = ["Yr Sold", "Year Built"]
transformer = lambda df: df["Yr Sold"] - df["Year Built"]  # noqa: E731
name = "House age at sale"
description = "Years between construction and the sale."
feature = Feature(input=input, transformer=transformer, name=name, description=description)
