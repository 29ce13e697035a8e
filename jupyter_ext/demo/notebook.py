"""The starter notebook: load the data, look at it, write a feature, validate, submit.

Built with nbformat (v4.5, stable cell ids) rather than shipped as a JSON file,
so the cells stay readable and reviewable here. The feature cells are written
to extract on their own: the extension slices each one with the helpers and
imports it uses, so they must not depend on anything only a kernel knows.
"""

from __future__ import annotations

from pathlib import Path

NOTEBOOK_NAME = "Starter.ipynb"
# The cells the panel is pointed at (tests and docs refer to them by id).
FEATURE_CELL_ID = "feature-overall-quality"
HELPER_FEATURE_CELL_ID = "feature-kitchen-quality"

INTRO = """\
# Predict Ames house prices: contribute a feature

This project predicts the sale price of houses in Ames, Iowa, from 80 columns
describing each house. Together we engineer the *features* the model uses; you
contribute one by writing it in a cell below and clicking **Submit feature**.

The panel on the right checks the feature as you work: whether it runs on the
data (the feature API checks) and whether it adds information to the features
already accepted (acceptance)."""

LOAD = """\
import sys
from pathlib import Path

# This notebook lives in <project>/notebooks; make the project's package importable.
sys.path.insert(0, str(Path.cwd().parent / "src"))
from ames.load_data import load_data

X_df, y_df = load_data(split="train")
print(f"{len(X_df)} houses, {X_df.shape[1]} raw columns, target {list(y_df.columns)}")
X_df.head()"""

PLOTS_INTRO = """\
## A look at the data

Sale prices are skewed: most houses sell for 100-250k dollars, a few for far
more. Size, age and location are strong signals, and the features already
accepted use them (see `src/ames/features/contrib/`). The overall quality
rating is not used yet, and prices climb steeply with it."""

PLOT_PRICE = """\
import matplotlib.pyplot as plt

price = y_df["SalePrice"] / 1000
fig, axes = plt.subplots(2, 2, figsize=(14, 8))
axes[0, 0].hist(price, bins=50, color="#4c78a8")
axes[0, 0].set(title="Sale price", xlabel="thousand dollars", ylabel="houses")
axes[0, 1].scatter(X_df["Gr Liv Area"], price, s=6, alpha=0.4, color="#4c78a8")
axes[0, 1].set(title="Price by living area", xlabel="square feet", ylabel="thousand dollars")
axes[1, 0].boxplot([price[X_df["Overall Qual"] == q] for q in range(1, 11)])  # x = 1..10
axes[1, 0].set(title="Price by overall quality", xlabel="rating", ylabel="thousand dollars")
by_area = price.groupby(X_df["Neighborhood"]).median().sort_values()
axes[1, 1].barh(by_area.index, by_area.values, color="#4c78a8")
axes[1, 1].set(title="Median price by neighborhood", xlabel="thousand dollars")
axes[1, 1].tick_params(axis="y", labelsize=7)
fig.tight_layout()"""

MISSING = """\
# Missing values: a feature must fill them (NaN in a feature's output fails the checks).
missing = X_df.isna().mean().sort_values(ascending=False)
missing[missing > 0].head(12).round(3)"""

CONTRACT = """\
## The feature contract

A feature is a few names defined in one cell: `input`, the raw column (or list
of columns) it reads; `transformer`, what it computes from them (a function, an
sklearn-style transformer with `fit`/`transform`, or a list of these applied in
order); and a human `name` with an optional `description`. Wrapping them in
`Feature(...)` is optional, and `from ballet import Feature` works too, so
features written for Ballet projects run here unchanged.

The output must have one row per house and no missing or infinite values. Helper
functions, constants and imports may live in other cells: when you validate or
submit, the extension builds a self-contained module from the cell and exactly
what it uses, and shows you that module. Select the cell below and press
**Validate** in the panel (or enable auto-validate), then **Submit feature**."""

FEATURE = """\
from jupyter_ext import Feature

input = "Overall Qual"
transformer = None  # the rating as it is (1-10); a function or transformer would go here
name = "Overall quality"
description = "Rating of the overall material and finish of the house, 1 (very poor) to 10."
feature = Feature(input=input, transformer=transformer, name=name, description=description)
"""

PREVIEW = """\
# Preview what your feature computes (optional: validation does this on its own).
X_df[input].value_counts().sort_index()"""

HELPER_INTRO = """\
## A feature that uses a helper

Quality ratings in this data are words: `Po`or, `Fa`ir, `TA` (typical), `Gd`
(good), `Ex`cellent. The helper below turns them into numbers; the feature cell
after it only names the helper. Validate that cell and look at the extracted
module in the panel: the helper and its constant came along. Whether it is
accepted depends on what the accepted features already tell about the price;
the panel shows the information it adds against the bar it must clear."""

HELPER = """\
QUALITY_SCORES = {"Po": 1, "Fa": 2, "TA": 3, "Gd": 4, "Ex": 5}


def quality_score(values):
    \"\"\"Ames quality ratings as numbers 1-5; missing (no such room) is 0.\"\"\"
    return values.map(lambda rating: QUALITY_SCORES.get(rating, 0)).astype(float)"""

HELPER_FEATURE = """\
input = "Kitchen Qual"
transformer = quality_score
name = "Kitchen quality score"
description = "Kitchen quality from 1 (poor) to 5 (excellent)."
"""

NEXT = """\
## Next

* Change a feature and submit again: the same pull request is updated.
* Browse `src/ames/features/contrib/` for the features others wrote.
* In a terminal in the project folder, `jupyter-ext discover` ranks the columns no
  feature uses yet by the information they would add.
* Ideas: garage size, basement finish quality, zoning, condition of the
  sale, rooms per bedroom, season of the sale."""


def build_notebook():
    """The starter notebook as an nbformat v4.5 node (validated)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [
        new_markdown_cell(INTRO, id="intro"),
        new_code_cell(LOAD, id="load-data"),
        new_markdown_cell(PLOTS_INTRO, id="plots-intro"),
        new_code_cell(PLOT_PRICE, id="plot-price"),
        new_code_cell(MISSING, id="missing-values"),
        new_markdown_cell(CONTRACT, id="feature-contract"),
        new_code_cell(FEATURE.rstrip("\n"), id=FEATURE_CELL_ID),
        new_code_cell(PREVIEW, id="preview-feature"),
        new_markdown_cell(HELPER_INTRO, id="helper-intro"),
        new_code_cell(HELPER, id="quality-helper"),
        new_code_cell(HELPER_FEATURE.rstrip("\n"), id=HELPER_FEATURE_CELL_ID),
        new_markdown_cell(NEXT, id="next"),
    ]
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                           "name": "python3"},
            "language_info": {"name": "python"},
        },
    )  # fmt: skip
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    return nb


def write_notebook(path: Path) -> Path:
    """Write the starter notebook to `path` (parents created)."""
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_notebook(), str(path))
    return path
