"""Render a project's `ballet.yml`: the keys Ballet's own template writes, plus `data.splits`.

The file is written as text, not dumped from a dict, so maintainers get the
comments that say what each section is for; values go through `yaml.safe_dump`
so any name quotes correctly. `tests/test_init.py` reads every rendered file
back through `jupyter_ext.core.project`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Ballet's class-path spelling, so the same ballet.yml works with Ballet itself.
GFSSF_ACCEPTER = "ballet.validation.feature_acceptance.validator.GFSSFAccepter"
GFSSF_PRUNER = "ballet.validation.feature_pruning.validator.GFSSFPruner"
STRUCTURE_VALIDATOR = "ballet.validation.project_structure.validator.ProjectStructureValidator"
API_VALIDATOR = "ballet.validation.feature_api.validator.FeatureApiValidator"

DEFAULT_SCORERS = {"regression": "neg_mean_absolute_error", "classification": "accuracy"}

_CSV_READ_KWARGS = {"index_col": 0, "header": 0, "sep": ","}


def slugify(text: str, sep: str = "-") -> str:
    """Lower-case ASCII words joined by `sep` ("Predict House Prices" -> predict-house-prices)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return sep.join(words) or "project"


def package_name(text: str) -> str:
    """A valid Python package name from a project name or slug."""
    name = slugify(text, "_")
    return name if not name[0].isdigit() else f"p_{name}"


@dataclass
class ProjectSettings:
    """What a maintainer chooses when creating a project; everything else has a default."""

    project_name: str
    project_slug: str
    package_slug: str
    github_owner: str
    problem_type: str = "regression"
    scorer: str | None = None
    classification_type: str | None = None
    target: str | None = None  # documentation only: the target column's name
    splits: dict[str, str] = field(default_factory=lambda: {"train": "data/train"})
    read_kwargs: dict = field(default_factory=lambda: dict(_CSV_READ_KWARGS))
    accepter: str | dict = GFSSF_ACCEPTER
    pruner: str | dict = GFSSF_PRUNER
    target_units: dict | None = None  # problem.target_units: what the target is worth

    @classmethod
    def for_directory(cls, name: str, **overrides) -> ProjectSettings:
        """Defaults derived from a folder or project name."""
        slug = slugify(name)
        values = {
            "project_name": " ".join(w.capitalize() for w in slug.split("-")),
            "project_slug": slug,
            "package_slug": package_name(slug),
            "github_owner": "your-github-login",
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def contrib_module_name(self) -> str:
        return f"{self.package_slug}.features.contrib"

    @property
    def contrib_module_path(self) -> str:
        return f"src/{self.package_slug}/features/contrib"


def _yaml_value(value) -> str:
    """One scalar or a flow-style collection as YAML, on one line."""
    import yaml

    if value is None:
        return ""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1000)
    return text.strip().removesuffix("...").strip()


def _spec_lines(key: str, spec: str | dict) -> str:
    if isinstance(spec, str):
        return f"  {key}: {_yaml_value(spec)}\n"
    params = spec.get("params") or {}
    return f"  {key}:\n    name: {_yaml_value(spec['name'])}\n    params: {_yaml_value(params)}\n"


def render_ballet_yml(settings: ProjectSettings) -> str:
    """The text of `ballet.yml` for these settings."""
    v = _yaml_value
    problem_type = settings.problem_type
    if problem_type not in DEFAULT_SCORERS:
        raise ValueError(f"problem_type must be classification or regression, not {problem_type!r}")
    scorer = settings.scorer or DEFAULT_SCORERS[problem_type]
    classification_type = settings.classification_type
    if problem_type == "classification" and not classification_type:
        classification_type = "binary"
    splits = "".join(f"    {v(name)}: {v(path)}\n" for name, path in settings.splits.items())
    read_kwargs = v(settings.read_kwargs)
    target_note = f"# The prediction target: {settings.target}\n" if settings.target else ""
    return (
        "# Project configuration in Ballet's schema: Ballet and jupyter-ext both read it.\n"
        "# Reference: docs/maintainer-guide.md of jupyter-ext.\n"
        "project:\n"
        f"  project_name: {v(settings.project_name)}\n"
        f"  project_slug: {v(settings.project_slug)}\n"
        f"  package_slug: {v(settings.package_slug)}\n"
        f"{target_note}"
        "problem:\n"
        f"  problem_type: {v(problem_type)}\n"
        "  problem_type_details:\n"
        f"    scorer: {v(scorer)}\n"
        f"    classification_type:{' ' + v(classification_type) if classification_type else ''}\n"
        + (
            "  # What the target is worth: model-score changes are reported in these units.\n"
            f"  target_units: {v(settings.target_units)}\n"
            if settings.target_units
            else ""
        )
        + "# Where contributed features live: <module_path>/user_<login>/feature_<name>.py\n"
        "contrib:\n"
        f"  module_name: {v(settings.contrib_module_name)}\n"
        f"  module_path: {v(settings.contrib_module_path)}\n"
        "# The checks a pull request must pass; the accepter decides whether a feature adds\n"
        "# information, the pruner which accepted features a new one makes redundant.\n"
        "validation:\n"
        f"  project_structure_validator: {STRUCTURE_VALIDATOR}\n"
        f"  feature_api_validator: {API_VALIDATOR}\n"
        + _spec_lines("feature_accepter", settings.accepter)
        + _spec_lines("feature_pruner", settings.pruner)
        + "  split: train\n"
        "github:\n"
        f"  github_owner: {v(settings.github_owner)}\n"
        "  remote: origin\n"
        "  pruning_action: no_action\n"
        "  auto_merge_accepted_features: false\n"
        "  auto_close_rejected_features: false\n"
        "# Each split is a folder holding one file per table.\n"
        "data:\n"
        "  splits:\n"
        f"{splits}"
        "  entities_table_name: entities\n"
        "  targets_table_name: targets\n"
        "  tables:\n"
        "    - name: entities\n"
        "      path: entities.csv\n"
        f"      pd_read_kwargs: {read_kwargs}\n"
        "    - name: targets\n"
        "      path: targets.csv\n"
        f"      pd_read_kwargs: {read_kwargs}\n"
    )
