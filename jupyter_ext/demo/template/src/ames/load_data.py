"""Load this project's data: the Ames housing sales, split into train and test.

The same files and read options as `data:` in ballet.yml, so a notebook, the
validation panel and CI all see identical rows.
"""

from pathlib import Path

import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
SPLITS = ("train", "test")

# Only an empty field is missing: "None" is a real category in the Ames data
# (no masonry veneer) and must not become NaN.
READ_CSV_KWARGS = {"index_col": 0, "header": 0, "sep": ",", "keep_default_na": False,
                   "na_values": [""]}  # fmt: skip


def load_data(split="train", input_dir=None):
    """Return `(X_df, y_df)`: the raw columns and the `SalePrice` target.

    `split` is "train" (the data features are validated on) or "test" (held
    out for evaluating models). `input_dir` reads `entities.csv` and
    `targets.csv` from another directory with the same layout instead.
    """
    if input_dir is None:
        if split not in SPLITS:
            raise ValueError(f"Unknown split {split!r}; expected one of {SPLITS}.")
        input_dir = DATA_DIR / split
    input_dir = Path(input_dir)
    X_df = pd.read_csv(input_dir / "entities.csv", **READ_CSV_KWARGS)
    y_df = pd.read_csv(input_dir / "targets.csv", **READ_CSV_KWARGS)
    return X_df, y_df
