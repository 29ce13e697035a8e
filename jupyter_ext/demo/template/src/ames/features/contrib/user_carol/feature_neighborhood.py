# Module-level names only (no Feature object), with an sklearn transformer.
from sklearn.preprocessing import OneHotEncoder

input = ["Neighborhood"]
# One 0/1 column per neighborhood; those with fewer than 30 sales share one column.
transformer = OneHotEncoder(handle_unknown="ignore", min_frequency=30, sparse_output=False)
name = "Neighborhood"
description = "Which part of Ames the house is in, one-hot encoded (rare neighborhoods pooled)."
