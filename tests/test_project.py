"""The project model: ballet.yml as Ballet writes it, data loading, and errors that say where."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from projects import build_ames_project, write_ballet_yml, write_feature

from jupyter_ext.core.project import (
    ProjectError,
    data_fingerprint,
    find_project_root,
    load_data,
    load_project,
    load_target_encoder,
    parse_project,
)


@pytest.fixture(scope="module")
def ames(tmp_path_factory):
    return build_ames_project(tmp_path_factory.mktemp("ames") / "ames-house-prices")


def test_reads_the_keys_ballets_template_writes(tmp_path):
    # Given: the ballet.yml of Ballet's project template
    write_ballet_yml(tmp_path)
    # When
    project = load_project(tmp_path)
    # Then
    assert project.name == "Predict house prices"
    assert project.package == "ames"
    assert project.problem_type == "regression"
    assert project.scorer == "neg_mean_absolute_error"
    assert project.contrib_module_name == "ames.features.contrib"
    assert project.contrib_module_path == "src/ames/features/contrib"
    assert project.accepter.endswith("GFSSFAccepter")
    assert project.pruner.endswith("GFSSFPruner")
    assert project.split == "train"
    assert project.data.splits == {"train": "data/train"}
    assert [t.name for t in project.data.tables] == ["entities", "targets"]
    assert project.data.tables[0].read_kwargs == {"index_col": 0, "header": 0, "sep": ","}


def test_accepter_spec_in_name_params_form(tmp_path):
    text = textwrap.dedent(
        """
        problem: {problem_type: classification, problem_type_details: {scorer: accuracy}}
        contrib: {module_name: pkg.features.contrib}
        validation:
          feature_accepter:
            name: ballet.validation.feature_acceptance.validator.MutualInformationAccepter
            params: {threshold: 0.1}
        """
    )
    project = parse_project(text, root=tmp_path)
    assert project.accepter == {
        "name": "ballet.validation.feature_acceptance.validator.MutualInformationAccepter",
        "params": {"threshold": 0.1},
    }
    # Defaults follow Ballet's layout when keys are left out.
    assert project.contrib_module_path == "src/pkg/features/contrib"
    assert project.package == "pkg"
    assert project.summary()["accepter"] == "MutualInformationAccepter"


def test_finds_the_project_root_from_any_folder_inside(tmp_path):
    write_ballet_yml(tmp_path)
    nested = tmp_path / "notebooks" / "deep"
    nested.mkdir(parents=True)
    assert find_project_root(nested) == tmp_path.resolve()
    assert find_project_root(nested / "nb.ipynb") == tmp_path.resolve()
    assert find_project_root(tmp_path.parent) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("problem: [1, 2\n", "not valid YAML at line"),
        ("project: {project_name: x}\n", "problem.problem_type is missing"),
        ("problem: {problem_type: ranking}\n", "problem.problem_type is 'ranking'"),
        (
            "problem: {problem_type: regression}\ncontrib: {module_path: /etc}\n",
            "contrib.module_path must be a path inside the project",
        ),
        (
            "problem: {problem_type: regression}\ndata: {tables: {name: x}}\n",
            "data.tables must be a list",
        ),
        (
            "problem: {problem_type: regression}\ndata: {tables: [{name: entities}]}\n",
            "data.tables[0] needs both a name and a path",
        ),
        (
            "problem: {problem_type: regression}\nvalidation: {feature_accepter: {params: {}}}\n",
            "validation.feature_accepter.name",
        ),
        (
            "problem: {problem_type: regression}\ndata: {loader: load_data}\n",
            "data.loader must name a function as module:function",
        ),
        ("problem: regression\n", "problem must be a mapping"),
    ],
)
def test_config_errors_name_the_file_and_the_key(tmp_path, text, expected):
    (tmp_path / "ballet.yml").write_text(text)
    with pytest.raises(ProjectError) as err:
        load_project(tmp_path)
    assert expected in err.value.message
    assert str(tmp_path / "ballet.yml") in err.value.message


def test_no_ballet_yml_says_what_a_project_needs(tmp_path):
    with pytest.raises(ProjectError, match="No ballet.yml found"):
        load_project(tmp_path)


def test_loads_the_split_tables_and_target(ames):
    project = load_project(ames)
    X, y = load_data(project)
    assert X.shape[0] == y.shape[0] == 1963
    assert "Lot Area" in X.columns and "SalePrice" not in X.columns
    assert y.name == "SalePrice"


def test_missing_data_file_names_file_and_table(tmp_path):
    write_ballet_yml(tmp_path)
    (tmp_path / "data" / "train").mkdir(parents=True)
    with pytest.raises(ProjectError) as err:
        load_data(load_project(tmp_path))
    assert err.value.kind == "data"
    assert "entities.csv" in err.value.message and "table 'entities'" in err.value.message


def test_older_ballet_layout_with_the_split_folder_directly_under_data(ames, tmp_path):
    # Given: a ballet.yml in the older layout real projects use (`data: {train: data/train}`,
    # no `splits`), with the same data files
    import shutil

    shutil.copytree(ames / "data", tmp_path / "data")
    (tmp_path / "ballet.yml").write_text(
        textwrap.dedent(
            """\
            project: {project_name: Predict House Prices, project_slug: php, package_slug: php}
            problem:
              problem_type: regression
              problem_type_details: {scorer: neg_mean_squared_log_error, classification_type:}
            contrib: {module_name: php.features.contrib, module_path: src/php/features/contrib}
            validation:
              feature_accepter: ballet.validation.feature_acceptance.validator.AlwaysAccepter
              feature_pruner: ballet.validation.feature_pruning.validator.NoOpPruner
            data:
              s3_bucket:
              train: data/train
              entities_table_name: entities
              targets_table_name: targets
              tables:
                - {name: entities, path: entities.csv, pd_read_kwargs: {index_col: 0, header: 0}}
                - {name: targets, path: targets.csv, pd_read_kwargs: {index_col: 0, header: 0}}
            """
        ),
        encoding="utf-8",
    )
    # When
    X, y = load_data(load_project(tmp_path))
    # Then: the train split is found and loads like the newer layout
    assert X.shape[0] == y.shape[0] == 1963
    assert y.name == "SalePrice"


def test_unknown_split_says_which_exist(ames, tmp_path):
    project = load_project(ames)
    with pytest.raises(ProjectError, match="no 'test' split .known: train"):
        load_data(project, split="test")


def test_loader_function_named_in_ballet_yml(tmp_path):
    # Given: a project whose data comes from a function (e.g. remote storage in real projects)
    write_ballet_yml(tmp_path)
    yml = tmp_path / "ballet.yml"
    yml.write_text(yml.read_text() + "  loader: myproj.load:load_data\n")
    pkg = tmp_path / "src" / "myproj"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").touch()
    (pkg / "load.py").write_text(
        "import pandas as pd\n"
        "def load_data():\n"
        "    X = pd.DataFrame({'a': [1, 2, 3]})\n"
        "    return X, pd.DataFrame({'t': [0.5, 1.5, 2.5]})\n"
    )
    # When
    X, y = load_data(load_project(tmp_path))
    # Then: one-column targets become a Series
    assert list(X.columns) == ["a"]
    assert list(y) == [0.5, 1.5, 2.5]


def test_failing_loader_is_named(tmp_path):
    write_ballet_yml(tmp_path)
    yml = tmp_path / "ballet.yml"
    yml.write_text(yml.read_text() + "  loader: brokenloader:load\n")
    (tmp_path / "brokenloader.py").write_text("def load():\n    raise OSError('bucket gone')\n")
    with pytest.raises(ProjectError) as err:
        load_data(load_project(tmp_path))
    assert "brokenloader:load" in err.value.message and "bucket gone" in err.value.message


def test_discovers_contributed_features_and_their_module_names(ames):
    project = load_project(ames)
    files = project.feature_files()
    assert len(files) == 10
    rels = [project.relative(f) for f in files]
    assert "src/ames/features/contrib/user_alice/feature_log_lot_area.py" in rels
    assert (
        project.module_name_for(files[0]).startswith("ames.features.contrib.user_")
        and project.summary()["feature_count"] == 10
    )


def test_new_feature_file_counts_in_the_summary(tmp_path):
    build_ames_project(tmp_path, features=[])
    assert load_project(tmp_path).summary()["feature_count"] == 0
    write_feature(tmp_path, "zoe", "x", "input = 'Lot Area'\ntransformer = None\n")
    assert load_project(tmp_path).summary()["feature_count"] == 1


def test_target_encoder_from_ballets_encoder_module(ames):
    import numpy as np

    from jupyter_ext.validation import ballet_compat

    ballet_compat.activate()
    try:
        encoder = load_target_encoder(load_project(ames))
        assert np.allclose(encoder.fit_transform(np.array([1.0, np.e])), [0.0, 1.0])
    finally:
        ballet_compat.deactivate()


def test_fingerprint_follows_the_data(ames):
    project = load_project(ames)
    X, y = load_data(project)
    same = data_fingerprint(X.copy(), y.copy())
    assert data_fingerprint(X, y) == same and same.startswith("sha256:")
    X2 = X.copy()
    X2.loc[X2.index[5], "Lot Area"] = -1
    assert data_fingerprint(X2, y) != same


def test_core_imports_no_heavy_libraries():
    # The server imports core at start-up; pandas/numpy/sklearn must stay out of it.
    code = (
        "import sys; import jupyter_ext.core.project, jupyter_ext.core.feature, "
        "jupyter_ext.core.transformer\n"
        "from jupyter_ext import Feature\n"
        "heavy = [m for m in ('pandas', 'numpy', 'sklearn', 'yaml') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert out.stdout.strip() == ""
