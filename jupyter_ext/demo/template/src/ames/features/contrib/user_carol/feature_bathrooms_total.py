from ballet.eng import NullFiller

from jupyter_ext import Feature

input = ["Full Bath", "Half Bath", "Bsmt Full Bath", "Bsmt Half Bath"]


def count_bathrooms(df):
    # A half bath (no shower or tub) counts as half a bathroom.
    full = df["Full Bath"] + df["Bsmt Full Bath"]
    half = df["Half Bath"] + df["Bsmt Half Bath"]
    return full + 0.5 * half


transformer = [NullFiller(replacement=0), count_bathrooms]
name = "Bathrooms total"
description = "Full bathrooms plus half of the half bathrooms, above ground and in the basement."
feature = Feature(input=input, transformer=transformer, name=name, description=description)
