"""POST /jupyter-ext/extract through the real server, with auth required."""

from __future__ import annotations

import json

import nbformat
import pytest

FEATURE_CELLS = [
    {"id": "imports", "cell_type": "code", "source": "import math\n%matplotlib inline"},
    {"id": "notes", "cell_type": "markdown", "source": "# Lot area"},
    {
        "id": "helper",
        "cell_type": "code",
        "source": ["def log1p(x):\n", "    return math.log(x + 1)"],
    },
    {"id": "empty", "cell_type": "code", "source": "  "},
    {
        "id": "feature",
        "cell_type": "code",
        "source": "input = 'Lot Area'\ntransformer = log1p\nname = 'log lot area'",
    },
    {"id": "broken", "cell_type": "code", "source": "x = [1,\ny = 2"},
]

EXPECTED_DEPENDENCIES = [
    {"name": "math", "kind": "import", "cell_index": 0},
    {"name": "log1p", "kind": "function", "cell_index": 2},
]


def _write_notebook(folder, name, cells):
    notebook = nbformat.v4.new_notebook()
    for raw in cells:
        make = nbformat.v4.new_markdown_cell if raw["cell_type"] == "markdown" else None
        make = make or nbformat.v4.new_code_cell
        source = raw["source"] if isinstance(raw["source"], str) else "".join(raw["source"])
        cell = make(source)
        cell.id = raw["id"]
        notebook.cells.append(cell)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


async def test_extracts_unsaved_browser_content(api):
    # Given: the notebook as the browser has it, never saved, with the feature cell selected
    body = {"cells": FEATURE_CELLS, "cell_id": "feature", "path": "work/unsaved.ipynb"}
    # When: the frontend asks for the cell's module
    status, payload = await api("extract", method="POST", body=body)
    # Then: it gets the module with the helper and import the cell needs, and no magic
    assert status == 200, payload
    assert payload["cell_id"] == "feature" and payload["cell_index"] == 4
    assert payload["dependencies"] == EXPECTED_DEPENDENCIES
    assert payload["module"] == (
        "# Extracted by jupyter-ext from work/unsaved.ipynb (cell feature).\n"
        "\n"
        "import math\n"
        "\n"
        "\n"
        "def log1p(x):\n"
        "    return math.log(x + 1)\n"
        "\n"
        "\n"
        'input = "Lot Area"\n'
        "transformer = log1p\n"
        'name = "log lot area"\n'
    )
    assert payload["warnings"] == []


async def test_unsaved_edits_win_over_the_saved_file(api, jp_root_dir):
    # Given: a saved notebook, and browser content where the feature cell was edited since
    _write_notebook(jp_root_dir, "nb.ipynb", FEATURE_CELLS)
    edited = [dict(cell) for cell in FEATURE_CELLS]
    edited[4] = {**edited[4], "source": "input = 'Lot Area'\ntransformer = math.sqrt\nname = 'r'"}
    # When: the browser sends its content along with the path
    status, payload = await api(
        "extract", method="POST", body={"cells": edited, "path": "nb.ipynb", "cell_index": 4}
    )
    # Then: the module is the edited cell's
    assert status == 200, payload
    assert "transformer = math.sqrt" in payload["module"]
    assert payload["dependencies"] == [{"name": "math", "kind": "import", "cell_index": 0}]


@pytest.mark.parametrize("reference", [{"cell_id": "feature"}, {"cell_index": 4}])
async def test_extracts_a_saved_notebook_by_path(api, jp_root_dir, reference):
    # Given: a notebook saved in a subfolder of the Jupyter root
    _write_notebook(jp_root_dir, "work/saved.ipynb", FEATURE_CELLS)
    # When: the cell is named by the notebook's path and the cell's id or index
    status, payload = await api(
        "extract", method="POST", body={"path": "work/saved.ipynb", **reference}
    )
    # Then: the module is built from the file's cells
    assert status == 200, payload
    assert payload["cell_id"] == "feature" and payload["cell_index"] == 4
    assert payload["dependencies"] == EXPECTED_DEPENDENCIES
    assert payload["module"].startswith(
        "# Extracted by jupyter-ext from work/saved.ipynb (cell feature).\n"
    )


async def test_warnings_reach_the_client(api):
    cells = [
        {
            "id": "a",
            "cell_type": "code",
            "source": "import pandas as pd\ndf = pd.read_csv('x.csv')",
        },
        {"id": "b", "cell_type": "code", "source": "!ls\ninput = 'x'\ntransformer = df\nname = y"},
    ]
    status, payload = await api("extract", method="POST", body={"cells": cells, "cell_id": "b"})
    assert status == 200, payload
    assert [(w["code"], w["cell_index"], w["line"]) for w in payload["warnings"]] == [
        ("magic-dropped", 1, 1),
        ("runtime-state", 1, 3),
        ("unresolved-name", 1, 4),
    ]
    assert "`df` is not copied" in payload["warnings"][1]["message"]
    assert "`y` is not defined" in payload["warnings"][2]["message"]


BROWSER = {"cells": FEATURE_CELLS}

ERRORS = [
    # (id, body, status, message fragment)
    ("unknown-cell-id", {**BROWSER, "cell_id": "gone"}, 404, "No cell with id 'gone'"),
    ("index-out-of-range", {**BROWSER, "cell_index": 40}, 404, "No cell 40 in the notebook"),
    ("unknown-path", {"path": "nope.ipynb", "cell_id": "x"}, 404, "No notebook at 'nope.ipynb'"),
    ("path-outside-root", {"path": "../x.ipynb", "cell_index": 0}, 404, "No notebook at"),
    ("markdown-cell", {**BROWSER, "cell_id": "notes"}, 400, "Cell 1 is a markdown cell"),
    ("empty-cell", {**BROWSER, "cell_id": "empty"}, 400, "Cell 3 is empty"),
    (
        "syntax-error",
        {**BROWSER, "cell_id": "broken"},
        400,
        "Cell 5 has a syntax error at line 1, column 5: '[' was never closed",
    ),
    ("no-cell-named", {**BROWSER}, 400, "give `cell_id` or `cell_index`"),
    ("no-content", {"cell_id": "a"}, 400, "Give either `cells`"),
    ("cells-not-a-list", {"cells": "x", "cell_index": 0}, 400, "`cells` must be a list"),
    ("cell-not-an-object", {"cells": [3], "cell_index": 0}, 400, "cells[0] must be an object"),
    (
        "cell-without-type",
        {"cells": [{"source": "x"}], "cell_index": 0},
        400,
        "cells[0].cell_type must be a string",
    ),
    (
        "source-not-text",
        {"cells": [{"cell_type": "code", "source": 5}], "cell_index": 0},
        400,
        "cells[0].source must be a string or a list of strings",
    ),
    ("index-as-text", {**BROWSER, "cell_index": "4"}, 400, "`cell_index` must be a whole number"),
    ("index-as-bool", {**BROWSER, "cell_index": True}, 400, "`cell_index` must be a whole number"),
    ("negative-index", {**BROWSER, "cell_index": -1}, 400, "`cell_index` must be a whole number"),
    ("id-not-text", {**BROWSER, "cell_id": 4}, 400, "`cell_id` must be a non-empty string"),
    ("path-not-text", {"path": ["a"], "cell_index": 0}, 400, "`path` must be a non-empty string"),
    (
        "id-and-index-disagree",
        {**BROWSER, "cell_id": "feature", "cell_index": 0},
        400,
        "cell_id 'feature' is cell 4, but cell_index says 0",
    ),
    ("body-is-a-list", [1, 2], 400, "The request body must be a JSON object"),
]


@pytest.mark.parametrize("body,status,message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
async def test_extract_errors(api, body, status, message):
    got_status, payload = await api("extract", method="POST", body=body)
    assert (got_status, set(payload)) == (status, {"message"}), payload
    assert message in payload["message"]
    assert "Traceback" not in payload["message"]


async def test_malformed_request_json_is_a_400(api):
    status, payload = await api("extract", method="POST", body=b'{"cells": [')
    assert status == 400
    assert payload["message"].startswith("The request body is not valid JSON")


@pytest.mark.parametrize(
    "content,message",
    [
        ('{"cells": [', "broken.ipynb is not valid notebook JSON: Expecting value"),
        ('{"nbformat": 4}', "broken.ipynb is not a Jupyter notebook: its JSON has no cells"),
        (
            json.dumps(
                {
                    "nbformat": 4,
                    "nbformat_minor": 5,
                    "metadata": {},
                    "cells": [{"id": "a", "cell_type": "code", "source": "x = 1"}],
                }
            ),
            "broken.ipynb is not a valid Jupyter notebook",
        ),
    ],
    ids=["malformed-json", "no-cells", "fails-nbformat-validation"],
)
async def test_broken_notebook_files_are_a_400(api, jp_root_dir, content, message):
    # Given: a notebook file that the user broke (or that another tool wrote badly)
    (jp_root_dir / "broken.ipynb").write_text(content)
    # When: a cell of it is extracted by path
    status, payload = await api(
        "extract", method="POST", body={"path": "broken.ipynb", "cell_index": 0}
    )
    # Then: the user is told what is wrong with the file
    assert status == 400
    assert message in payload["message"]


async def test_a_folder_is_not_a_notebook(api, jp_root_dir):
    (jp_root_dir / "work").mkdir()
    status, payload = await api("extract", method="POST", body={"path": "work", "cell_index": 0})
    assert status == 400
    assert "Can't read 'work'" in payload["message"]
