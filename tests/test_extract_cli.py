"""`jupyter-ext extract NOTEBOOK --cell ID_OR_INDEX`, run as a user would (a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from jupyter_ext.core.notebook import extract_cell, read_notebook_cells


def _jupyter_ext(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_ext", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def notebook_path(tmp_path):
    notebook = nbformat.v4.new_notebook()
    sources = [
        ("imports", "import math\nimport json\n%matplotlib inline"),
        ("title", None),
        ("helper", "def log1p(x):\n    return math.log(x + 1)"),
        ("feature", "!echo hi\ninput = 'Lot Area'\ntransformer = log1p\nname = 'log lot area'"),
        ("42", "name = 'the cell whose id looks like an index'"),
    ]
    for cell_id, source in sources:
        cell = (
            nbformat.v4.new_markdown_cell("# Title")
            if source is None
            else nbformat.v4.new_code_cell(source)
        )
        cell.id = cell_id
        notebook.cells.append(cell)
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook, path)
    return path


def test_prints_the_module_and_warnings_go_to_stderr(notebook_path):
    # When: a contributor extracts the feature cell by id
    done = _jupyter_ext("extract", "nb.ipynb", "--cell", "feature", cwd=notebook_path.parent)
    # Then: stdout is exactly the module the endpoint builds, and it runs
    assert done.returncode == 0, done.stderr
    cells = read_notebook_cells(notebook_path.read_text(), "nb.ipynb")
    assert done.stdout == extract_cell(cells, cell_id="feature", path="nb.ipynb").module
    assert "def log1p(x):" in done.stdout and "json" not in done.stdout
    namespace: dict = {}
    exec(compile(done.stdout, "feature.py", "exec"), namespace)
    assert namespace["transformer"](0.0) == 0.0
    assert done.stderr.strip() == (
        "warning[magic-dropped] cell 3 line 1: Dropped `!echo hi`: IPython magics, shell "
        "commands and help requests can't run in a module."
    )


def test_cell_by_index_and_ids_that_look_like_indices(notebook_path):
    by_index = _jupyter_ext("extract", "nb.ipynb", "--cell", "3", cwd=notebook_path.parent)
    assert by_index.returncode == 0, by_index.stderr
    assert "transformer = log1p" in by_index.stdout
    # A cell whose id is "42" is found by id, although the notebook has only 5 cells.
    by_id = _jupyter_ext("extract", "nb.ipynb", "--cell", "42", cwd=notebook_path.parent)
    assert by_id.returncode == 0, by_id.stderr
    assert "the cell whose id looks like an index" in by_id.stdout


def test_json_output_is_the_api_response(notebook_path):
    done = _jupyter_ext("extract", str(notebook_path), "--cell", "feature", "--json", cwd="/")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["cell_id"] == "feature" and payload["cell_index"] == 3
    assert payload["dependencies"] == [
        {"name": "math", "kind": "import", "cell_index": 0},
        {"name": "log1p", "kind": "function", "cell_index": 2},
    ]
    assert [w["code"] for w in payload["warnings"]] == ["magic-dropped"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["nb.ipynb", "--cell", "title"], "error: Cell 1 is a markdown cell"),
        (["nb.ipynb", "--cell", "zzz"], "error: No cell with id 'zzz' in nb.ipynb"),
        (["nb.ipynb", "--cell", "9"], "error: No cell 9 in nb.ipynb: it has 5 cells"),
        (["missing.ipynb", "--cell", "0"], "error: No notebook at missing.ipynb."),
        (["broken.ipynb", "--cell", "0"], "error: broken.ipynb is not valid notebook JSON"),
    ],
    ids=["markdown-cell", "unknown-id", "index-out-of-range", "missing-file", "malformed-json"],
)
def test_errors_exit_2_with_a_clear_message(notebook_path, args, message):
    (notebook_path.parent / "broken.ipynb").write_text('{"cells": [}')
    done = _jupyter_ext("extract", *args, cwd=notebook_path.parent)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(message), done.stderr
    assert "Traceback" not in done.stderr
