# The simplest feature: a raw column used as is (transformer None = identity).
# Module-level names only; no Feature object is needed.
input = "Overall Qual"
transformer = None
name = "Overall quality"
description = "Rating of the overall material and finish of the house, 1 (very poor) to 10."
