from jupyter_ext import Feature

input = ["Total Bsmt SF", "1st Flr SF", "2nd Flr SF"]


def total_square_footage(df):
    # One house has no basement record: count it as no basement.
    return df.fillna(0).sum(axis=1)


transformer = total_square_footage
name = "Total square footage"
description = "Basement plus first plus second floor area, in square feet."
feature = Feature(input=input, transformer=transformer, name=name, description=description)
