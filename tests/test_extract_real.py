"""Extraction on patterns found in real notebooks (see benchmarks/extract_sweep.py).

Each fixture is a small, self-written notebook in the style of the public notebooks the
sweep ran on (Kaggle kernels, textbooks, lecture notes): IPython automagic, magics that
span lines, Python 2 leftovers, a typo at the end of the imports cell, `display()`,
pandas query strings, other kernels, older notebook formats. The assertions are what a
user sees: the module runs in a fresh interpreter and defines the cell's names, the
warning's words, the 4xx message.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from fresh_interpreter import run_fresh

from jupyter_ext.core.notebook import Cell, extract_cell, read_notebook_cells
from jupyter_ext.errors import BadRequest


def cells(*sources: str) -> list[Cell]:
    return [Cell(f"c{i}", "code", textwrap.dedent(s)) for i, s in enumerate(sources)]


def messages(extraction, code: str) -> str:
    return "\n".join(w.message for w in extraction.warnings if w.code == code)


# -- IPython syntax -----------------------------------------------------------------------


def test_magics_written_without_percent_are_dropped(tmp_path):
    # Given: lecture-style cells using IPython's automagic (`pylab inline`, `timeit ...`)
    notebook = cells(
        "pylab inline\nimport numpy as np\nSIZES = [1, 2, 3]\n",
        "timeit np.array(SIZES) * 2\nls data/\ndoubled = np.array(SIZES) * 2\n",
    )
    # When: the feature cell is extracted
    extraction = extract_cell(notebook, cell_index=1)
    # Then: the earlier cell is not lost to a "syntax error", the magics are named as dropped
    assert [d.name for d in extraction.dependencies] == ["np", "SIZES"]
    dropped = messages(extraction, "magic-dropped")
    assert "Dropped `timeit np.array(SIZES) * 2`" in dropped
    assert "Dropped `ls data/`" in dropped
    assert not messages(extraction, "syntax-error")
    run_fresh(extraction.module, tmp_path, "doubled", check="list(doubled) == [2, 4, 6]")


def test_a_variable_named_like_a_magic_is_still_python():
    # Given: valid Python that uses magic names as variables
    notebook = cells("ls = ['a', 'b']\ntime = 3\n", "files = ls * time\n")
    # When / Then: nothing is taken for a magic
    extraction = extract_cell(notebook, cell_index=1, format=False)
    assert "ls = ['a', 'b']\ntime = 3" in extraction.module
    assert not extraction.warnings


def test_a_cell_of_automagics_only_is_a_400_that_says_so():
    with pytest.raises(BadRequest, match="has no Python code to extract, only comments or IPy"):
        extract_cell(cells("timeit sum(range(10))\ncat data/README.txt\n"), cell_index=0)


def test_a_line_magic_continued_inside_brackets_is_dropped_whole(tmp_path):
    # Given: `%timeit` whose call runs over two lines, as IPython allows
    notebook = cells(
        "values = [1.0, 2.0, 3.0]\n",
        "%timeit sum(v * 2 for v in values\n                   if v > 0)\n"
        "doubled = [v * 2 for v in values]\n",
    )
    # When
    extraction = extract_cell(notebook, cell_index=1)
    # Then: no half of the magic is left in the module, and it runs
    assert "if v > 0" not in extraction.module
    assert "Dropped `%timeit sum(v * 2 for v in values`" in messages(extraction, "magic-dropped")
    run_fresh(extraction.module, tmp_path, "doubled", check="doubled == [2.0, 4.0, 6.0]")


def test_display_and_get_ipython_statements_are_left_out(tmp_path):
    # Given: a feature cell that shows its result, nbconvert-style magic calls included
    notebook = cells(
        "import math\n",
        "get_ipython().run_line_magic('matplotlib', 'inline')\n"
        "radius = 2.0\narea = math.pi * radius**2\n"
        "display(area,\n        radius)\n",
    )
    # When
    extraction = extract_cell(notebook, cell_index=1)
    # Then: the module runs without IPython, and the warnings say what was dropped and why
    dropped = messages(extraction, "magic-dropped")
    assert "Dropped `display(area, radius)`: `display()` is provided by IPython" in dropped
    assert "only shows output" in dropped
    assert "Dropped `get_ipython().run_line_magic('matplotlib', 'inline')`" in dropped
    assert not messages(extraction, "unresolved-name")
    run_fresh(extraction.module, tmp_path, "radius", "area", check="round(area, 2) == 12.57")


def test_a_display_the_notebook_imports_is_kept():
    notebook = cells("from IPython.display import display\n", "x = 1\ndisplay(x)\n")
    extraction = extract_cell(notebook, cell_index=1, format=False)
    assert extraction.module.rstrip().endswith("display(x)")
    assert [d.name for d in extraction.dependencies] == ["display"]


def test_a_cell_that_only_displays_is_a_400():
    with pytest.raises(BadRequest, match=r"only shows output with IPython's `display\(\)`"):
        extract_cell(cells("x = 1\n", "display(x)\n"), cell_index=1)


# -- syntax errors ------------------------------------------------------------------------


def test_the_code_before_a_syntax_error_in_an_earlier_cell_is_used(tmp_path):
    # Given: an imports cell that ends in a typo, and a helper cut by a Python 2 print
    notebook = cells(
        "import math\nimport statistics as st\nfrom importlib \n",
        "def area(r):\n    a = math.pi * r ** 2\n    print a\n    return a\n",
        "mean_size = st.mean([1, 2, 3]) * math.e\nbig = area(10)\n",
    )
    # When
    extraction = extract_cell(notebook, cell_index=2)
    # Then: the imports above the typo are copied, and the warnings say what was used
    assert [d.name for d in extraction.dependencies] == ["math", "st"]
    errors = messages(extraction, "syntax-error")
    assert "Cell 0 has a syntax error at line 3" in errors
    assert "Only its lines 1-2, before the error, are used" in errors
    # ...and the helper cut by the error is not copied half-way: the user is told where it is
    assert "def area" not in extraction.module
    assert "Cell 1 has a syntax error at line 3" in errors
    assert "It was skipped, so nothing it defines is in the module" in errors
    unresolved = messages(extraction, "unresolved-name")
    assert "`area` is not defined where extraction can read it: cell 1 mentions it" in unresolved
    assert "not defined in this cell or an earlier one" not in unresolved


def test_python_2_code_in_the_feature_cell_is_a_400_that_says_so():
    with pytest.raises(BadRequest) as raised:
        extract_cell(cells("total = 3\nprint total\n"), cell_index=0)
    message = raised.value.message
    assert message.startswith("Cell 0 has a syntax error at line 2, column 1: Missing paren")
    assert "Did you mean print(...)? This is Python 2 code; a feature module must be Python 3." in (
        message
    )
    assert "?." not in message


# -- pandas names in strings --------------------------------------------------------------


def test_names_in_pandas_query_strings_are_dependencies(tmp_path):
    # Given: a threshold in an earlier cell, used with `@` in a query string
    notebook = cells(
        "import pandas as pd\nMIN_AREA = 8000\nRATE = 2\n",
        "def big_lots(df):\n    return df.query('area > @MIN_AREA').eval('area * @RATE')\n"
        "lots = big_lots(pd.DataFrame({'area': [5000, 9000]}))\n"
        "total = pd.eval('MIN_AREA + RATE')\n",
    )
    # When
    extraction = extract_cell(notebook, cell_index=1)
    # Then: the constants are copied and the module runs
    assert [d.name for d in extraction.dependencies] == ["pd", "MIN_AREA", "RATE"]
    run_fresh(extraction.module, tmp_path, "lots", "total", check="list(lots) == [18000] and total")


# -- notebook files -----------------------------------------------------------------------


def _v4(source_cells, minor=4, language="python", with_ids=False):
    notebook = {
        "nbformat": 4,
        "nbformat_minor": minor,
        "metadata": {
            "kernelspec": {"name": "k", "display_name": language, "language": language},
            "language_info": {"name": language},
        },
        "cells": [],
    }
    for index, source in enumerate(source_cells):
        cell = {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source.splitlines(True),  # the on-disk list-of-lines form
        }
        if with_ids:
            cell["id"] = f"cell{index}"
        notebook["cells"].append(cell)
    return json.dumps(notebook)


V3_NOTEBOOK = json.dumps(
    {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": ""},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "heading", "level": 1, "metadata": {}, "source": "Lots"},
                    {
                        "cell_type": "code",
                        "collapsed": False,
                        "input": ["import math\n", "SCALE = 2"],
                        "language": "python",
                        "metadata": {},
                        "outputs": [],
                        "prompt_number": 1,
                    },
                    {
                        "cell_type": "code",
                        "collapsed": False,
                        "input": "scaled = math.sqrt(SCALE)",
                        "language": "python",
                        "metadata": {},
                        "outputs": [],
                        "prompt_number": 2,
                    },
                ],
                "metadata": {},
            }
        ],
    }
)


def test_cell_ids_in_a_format_4_4_notebook_are_accepted():
    # Given: a 4.4 notebook whose cells have ids (written by newer tools), as JupyterLab opens
    text = _v4(["import math\n", "root = math.sqrt(2)\n"], minor=4, with_ids=True)
    # When
    notebook = read_notebook_cells(text, "old.ipynb")
    # Then: its cells and ids are read, and a cell can be named by its id
    assert [c.id for c in notebook] == ["cell0", "cell1"]
    assert "import math" in extract_cell(notebook, cell_id="cell1").module


def test_a_format_3_notebook_is_read():
    notebook = read_notebook_cells(V3_NOTEBOOK, "v3.ipynb")
    assert [c.cell_type for c in notebook] == ["markdown", "code", "code"]
    extraction = extract_cell(notebook, cell_index=2)
    assert [d.name for d in extraction.dependencies] == ["math", "SCALE"]


def test_a_notebook_of_another_language_is_a_400_that_names_it():
    text = _v4(['library("ggplot2")\n', "ggplot(mtcars, aes(mpg)) + stat_ecdf()\n"], language="R")
    with pytest.raises(BadRequest) as raised:
        read_notebook_cells(text, "cars.ipynb")
    assert raised.value.message == (
        "cars.ipynb is written for R (its kernel's language), not Python; jupyter-ext "
        "extracts features from Python notebooks only."
    )


# -- through the server -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reference", "status", "expected"),
    [
        (V3_NOTEBOOK, {"cell_index": 2}, 200, "scaled = math.sqrt(SCALE)"),
        (_v4(["import math\n", "r = math.tau\n"], with_ids=True), {"cell_id": "cell1"}, 200, "r ="),
        (_v4(["x <- 1\n"], language="R"), {"cell_index": 0}, 400, "is written for R"),
        (_v4(["print 'hi'\n"]), {"cell_index": 0}, 400, "This is Python 2 code"),
        (_v4(["timeit sum([1])\n"]), {"cell_index": 0}, 400, "has no Python code to extract"),
    ],
    ids=["nbformat-3", "ids-in-4.4", "r-kernel", "python-2", "automagic-only"],
)
async def test_saved_real_world_notebooks_through_the_server(
    api, jp_root_dir, text, reference, status, expected
):
    # Given: a saved notebook of a kind found in public projects
    (jp_root_dir / "real.ipynb").write_text(text)
    # When: the panel asks for a cell's module by path
    got, payload = await api("extract", method="POST", body={"path": "real.ipynb", **reference})
    # Then: a module, or a 4xx whose message says what to do; never a 500
    assert got == status, payload
    said = payload["module"] if status == 200 else payload["message"]
    assert expected in said


@pytest.mark.parametrize(
    ("language", "status"),
    [("R", 400), ("julia", 400), ("python", 200), ("python3", 200), (None, 200)],
)
async def test_the_browsers_notebook_language_is_honoured(api, language, status):
    # Given: an unsaved notebook as the browser sends it, with its kernel language
    body = {"cells": [{"id": "c", "cell_type": "code", "source": "x = 1\n"}], "cell_id": "c"}
    body["path"] = "cars.ipynb"
    if language is not None:
        body["language"] = language
    # When
    got, payload = await api("extract", method="POST", body=body)
    # Then: a notebook in another language is a 400 that names it, not a module or a
    # misleading syntax error
    assert got == status, payload
    if status == 400:
        assert f"cars.ipynb is written for {language}" in payload["message"]


async def test_a_language_that_is_not_a_string_is_a_400(api):
    body = {"cells": [{"id": "c", "cell_type": "code", "source": "x = 1\n"}], "cell_id": "c"}
    got, payload = await api("extract", method="POST", body={**body, "language": 3})
    assert got == 400
    assert "`language` must be a string" in payload["message"]


# -- warnings that point at the cause ------------------------------------------------------


def test_a_name_from_pylab_or_run_gets_a_hint_at_the_magic():
    # Given: old-style notebooks that get `arange` from `%pylab` and `helper` from `%run`
    notebook = cells("%pylab inline\n", "xs = arange(3)\n", "run setup.py\nys = helper(xs)\n")
    # When
    first = messages(extract_cell(notebook, cell_index=1), "unresolved-name")
    second = messages(extract_cell(notebook, cell_index=2), "unresolved-name")
    # Then: the warning names the magic that defined it in IPython, and what to do
    assert "cell 0 runs `%pylab inline`, which may define it in IPython" in first
    assert "import or define `arange` in the notebook's code" in first
    assert "cell 2 runs `run setup.py`, which may define it in IPython" in second


def test_a_bare_percent_line_before_an_unknown_name_is_not_a_crash():
    # Given: a stray `%` line (a magic with no name) and a name nothing defines
    notebook = cells("%\nimport math\n", "input = 'x'\ntransformer = lambda v: foo(v)\n")
    # When
    extraction = extract_cell(notebook, cell_index=1)
    # Then: the usual warning about `foo`, no hint at a magic
    said = messages(extraction, "unresolved-name")
    assert "`foo`" in said
    assert "may define it in IPython" not in said


def test_a_value_computed_from_its_own_run_time_value_says_so():
    notebook = cells(
        "import pandas as pd\ntrain = pd.read_csv('train.csv')\n",
        "train = train[:100]\n",
        "n = len(train)\n",
    )
    warning = messages(extract_cell(notebook, cell_index=2), "runtime-state")
    assert "cell 1, line 1 computes it from its value in cell 0, which is itself run-time" in (
        warning
    )
