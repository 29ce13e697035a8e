"""Cell extraction (jupyter_ext.core.notebook): a table of notebooks, each extracted module
run in a fresh interpreter, the errors a user can act on, and IPython syntax handling."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field

import pytest
from fresh_interpreter import run_fresh

from jupyter_ext.core import formatting
from jupyter_ext.core.magics import strip_magics
from jupyter_ext.core.notebook import Cell, extract_cell, find_cell, read_notebook_cells
from jupyter_ext.core.scopes import analyze
from jupyter_ext.errors import BadRequest, NotFound

FEATURE = ("input", "transformer", "name")


def notebook(*sources: str) -> list[Cell]:
    """Cells from sources; "md:" and "raw:" prefixes make markdown and raw cells."""
    cells = []
    for index, source in enumerate(sources):
        cell_type = "code"
        for prefix, kind in (("md:", "markdown"), ("raw:", "raw")):
            if source.startswith(prefix):
                cell_type, source = kind, source[len(prefix) :]
        cells.append(Cell(id=f"c{index}", cell_type=cell_type, source=textwrap.dedent(source)))
    return cells


@dataclass
class Case:
    id: str
    cells: list[Cell]
    deps: list[tuple[str, str, int]]  # the exact dependencies, in notebook order
    includes: list[str] = field(default_factory=list)  # lines the module must contain
    excludes: list[str] = field(default_factory=list)  # text the module must not contain
    warnings: list[str] = field(default_factory=list)  # the exact warning codes, in order
    warning_text: list[str] = field(default_factory=list)  # said by some warning
    defines: tuple[str, ...] = FEATURE  # names the module defines when it runs
    check: str | None = None  # evaluated in the module's namespace: must be true
    runs: bool = True  # the module runs (cases with unresolved names don't)

    def __str__(self) -> str:
        return self.id


CASES = [
    Case(
        "helper-function",
        notebook(
            "import math",
            "md:# A helper",
            """
            def log1p(x):
                '''log(1 + x), kept as written.'''
                return math.log(x + 1)
            """,
            "input = 'Lot Area'\ntransformer = log1p\nname = 'log lot area'",
        ),
        deps=[("math", "import", 0), ("log1p", "function", 2)],
        includes=["import math", "def log1p(x):", '    """log(1 + x), kept as written."""'],
        check="transformer(0.0) == 0.0 and name == 'log lot area'",
    ),
    Case(
        "helpers-call-helpers-transitively",
        notebook(
            "import math\nimport json",
            "def square(x):\n    return x * x",
            "def norm(a, b):\n    return math.sqrt(square(a) + square(b))",
            "def unused():\n    return json.dumps(1)",
            "input = ['a', 'b']\ntransformer = lambda row: norm(*row)\nname = 'norm'",
        ),
        deps=[("math", "import", 0), ("square", "function", 1), ("norm", "function", 2)],
        excludes=["json", "unused"],
        check="transformer((3, 4)) == 5.0",
    ),
    Case(
        "aliased-import",
        notebook(
            "import numpy as np\nimport pandas as pd\nimport statistics as st",
            "input = 'x'\ntransformer = np.log1p\nname = 'x'",
        ),
        deps=[("np", "import", 0)],
        includes=["import numpy as np"],
        excludes=["pandas", "statistics"],
        check="float(transformer(0.0)) == 0.0",
    ),
    Case(
        "from-import-trimmed-to-used-names",
        notebook(
            "from math import sqrt as root, floor, ceil\nimport os.path",
            "input = 'x'\ntransformer = lambda v: root(v) + floor(v)\nname = os.path.join('a', 'b')",
        ),
        deps=[("root", "import", 0), ("floor", "import", 0), ("os", "import", 0)],
        includes=["from math import sqrt as root, floor", "import os.path"],
        excludes=["ceil"],
        check="transformer(4.5) == 4 + 4.5 ** 0.5 and name == 'a/b'",
    ),
    Case(
        "redefinition-last-before-the-cell-wins",
        notebook(
            "SCALE = 1\ndef scale(v):\n    return v * 10",
            "SCALE = 2\ndef scale(v):\n    return v * SCALE",
            "input = 'x'\ntransformer = scale\nname = 'scaled'",
            "SCALE = 3  # after the cell: ignored",
        ),
        deps=[("SCALE", "constant", 1), ("scale", "function", 1)],
        includes=["SCALE = 2"],
        excludes=["SCALE = 1", "SCALE = 3", "v * 10"],
        check="transformer(5) == 10",
    ),
    Case(
        "constant-computed-from-an-earlier-value-of-a-redefined-name",
        notebook(
            "BASE = 10",
            "LIMIT = 2 * BASE",
            "BASE = 3",
            "input = 'x'\ntransformer = lambda v: min(v, LIMIT) + BASE\nname = 'capped'",
        ),
        # LIMIT was computed from the first BASE; the cell then sees the second one.
        deps=[("BASE", "constant", 0), ("LIMIT", "constant", 1), ("BASE", "constant", 2)],
        check="LIMIT == 20 and BASE == 3 and transformer(100) == 23",
    ),
    Case(
        "class-with-base-class-and-decorator",
        notebook(
            "import functools",
            "class Base:\n    def fit(self, X, y=None):\n        return self",
            "REGISTRY = []\ndef register(cls):\n    REGISTRY.append(cls.__name__)\n    return cls",
            """
            @register
            class Doubler(Base):
                factor = 2
                def transform(self, X):
                    return [self.factor * x for x in X]
            """,
            "class Unused(Base):\n    pass",
            "input = 'x'\ntransformer = Doubler()\nname = 'doubled'",
        ),
        deps=[
            ("Base", "class", 1),
            ("REGISTRY", "constant", 2),
            ("register", "function", 2),
            ("Doubler", "class", 3),
        ],
        includes=["@register", "class Doubler(Base):"],
        excludes=["functools", "Unused"],
        check="transformer.fit([1]).transform([1, 2]) == [2, 4] and REGISTRY == ['Doubler']",
    ),
    Case(
        "decorated-helper-pulls-in-its-decorator",
        notebook(
            "import functools\nimport itertools",
            "@functools.lru_cache(maxsize=None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)",
            "input = 'n'\ntransformer = fib\nname = 'fib'",
        ),
        deps=[("functools", "import", 0), ("fib", "function", 1)],
        includes=["@functools.lru_cache(maxsize=None)"],
        excludes=["itertools"],
        check="transformer(20) == 6765",
    ),
    Case(
        "lambda-assigned-at-top-level",
        notebook(
            "OFFSET = 1\nsquare = lambda v: (v + OFFSET) ** 2",
            "input = 'x'\ntransformer = square\nname = 'square'",
        ),
        deps=[("OFFSET", "constant", 0), ("square", "function", 0)],
        check="transformer(2) == 9",
    ),
    Case(
        "comprehensions-and-parameters-shadow-globals",
        notebook(
            "import math",
            "x = open('data.csv')\nvalue = math.sqrt(2)\nrow = x.readline()",
            """
            input = ['a', 'b']
            doubled = [x * 2 for x in range(3)]
            def transformer(value):
                return {row: value for row in input}
            name = 'shadow'
            """,
        ),
        # The cell's x, value and row are its own, not the notebook's run-time values.
        deps=[],
        excludes=["open(", "sqrt"],
        check="transformer(1) == {'a': 1, 'b': 1} and doubled == [0, 2, 4]",
    ),
    Case(
        "globals-used-inside-the-cells-own-functions",
        notebook(
            "import math\nFACTOR = 3",
            "def transformer(v):\n    return math.floor(v * FACTOR)\ninput = 'x'\nname = 'tripled'",
        ),
        deps=[("math", "import", 0), ("FACTOR", "constant", 0)],
        check="transformer(1.5) == 4",
    ),
    Case(
        "magics-and-shell-lines-dropped",
        notebook(
            "%matplotlib inline\nimport math\n!pip install nothing",
            "files = !ls",
            """
            %%time
            %load_ext autoreload
            input = 'x'
            transformer = math.sqrt
            math.sqrt?
            name = 'root'
            for i in range(2):
                !echo $i
            """,
        ),
        deps=[("math", "import", 0)],
        excludes=["%", "!", "?"],
        warnings=["magic-dropped"] * 4,
        warning_text=["%%time", "%load_ext autoreload", "math.sqrt?", "!echo $i"],
        check="transformer(9) == 3",
    ),
    Case(
        "value-from-a-shell-command-is-reported",
        notebook(
            "files = !ls\nimport os",
            "input = 'x'\ntransformer = lambda v: v in files\nname = 'listed'",
        ),
        deps=[],
        warnings=["magic-dropped"],
        warning_text=["`files` comes from `files = !ls` in cell 0"],
        runs=False,
    ),
    Case(
        "star-import-kept-when-it-may-provide-a-name",
        notebook(
            "from math import *\nfrom os.path import *",
            "input = 'x'\ntransformer = lambda v: floor(v)\nname = 'floor'",
        ),
        deps=[],
        includes=["from math import *", "from os.path import *"],
        warnings=["star-import", "star-import"],
        warning_text=["`floor` may come from it"],
        check="transformer(1.5) == 1",
    ),
    Case(
        "star-import-in-the-cell",
        notebook("from math import *\ninput = 'x'\ntransformer = floor\nname = 'floor'"),
        deps=[],
        warnings=["star-import"],
        warning_text=["`from math import *` hides which names"],
        check="transformer(2.5) == 2",
    ),
    Case(
        "unresolved-names-are-named",
        notebook(
            "import math",
            "input = 'x'\ntransformer = lambda v: v * missing_factor\nname = 'x'\n"
            "shown = display(name)",  # a value, not just output: kept, so reported
            "missing_factor = 2",
        ),
        deps=[],
        warnings=["unresolved-name", "unresolved-name"],
        warning_text=[
            "`missing_factor` is not defined in this cell or an earlier one (cell 2 defines "
            "it, but that cell comes after this one)",
            "`display` is provided by IPython",
        ],
        runs=False,
    ),
    Case(
        "deleted-and-used-before-defined",
        notebook(
            "TMP = 1\ndel TMP",
            "def pick(v, default=FALLBACK):\n    return v or default",
            "FALLBACK = 0",
            "input = 'x'\ntransformer = pick\nname = TMP",
        ),
        deps=[("pick", "function", 1)],
        warnings=["unresolved-name", "unresolved-name"],
        warning_text=[
            "`FALLBACK` is used in cell 1, line 1 before cell 2 defines it",
            "`TMP` is deleted in cell 0, line 2",
        ],
        runs=False,
    ),
    Case(
        "runtime-state-is-not-copied",
        notebook(
            "import pandas as pd",
            "df = pd.DataFrame({'a': [1, 2, 3]})\nCOLS = ['a']\nTHRESH = 2 * len(COLS)",
            "X = df[COLS]",
            "for col in COLS:\n    last = col",
            "input = COLS\ntransformer = lambda X: X > THRESH\nname = 'big'\nn_rows = len(X) + len(last)",
        ),
        deps=[("COLS", "constant", 1), ("THRESH", "constant", 1)],
        includes=['COLS = ["a"]', "THRESH = 2 * len(COLS)"],
        excludes=["pandas", "df"],
        warnings=["runtime-state", "runtime-state"],
        warning_text=[
            "`X` is not copied into the module: cell 2, line 1 computes it from `df`",
            "`last` is not copied into the module: cell 3, line 1 sets it in a `for` loop",
        ],
        runs=False,
    ),
    Case(
        "runtime-state-used-by-a-helper",
        notebook(
            "import pandas as pd\ndata = pd.read_csv('train.csv')",
            "def mean_of(col):\n    return data[col].mean()",
            "input = 'a'\ntransformer = lambda v: v - mean_of('a')\nname = 'centred'",
        ),
        deps=[("mean_of", "function", 1)],
        warnings=["runtime-state"],
        warning_text=["`data` is not copied", "calling `pd.read_csv()`"],
        runs=False,
    ),
    Case(
        "constant-changed-in-place-is-reported",
        notebook(
            "COLS = ['a']",
            "COLS.append('b')",
            "input = COLS\ntransformer = None\nname = 'cols'",
        ),
        deps=[("COLS", "constant", 0)],
        warnings=["runtime-state"],
        warning_text=["`COLS` is changed at run time in cell 1, line 1 (`COLS.append('b')`)"],
        check="input == ['a']",
    ),
    Case(
        "try-import-block-and-main-guard",
        notebook(
            "try:\n    import numpy as np\nexcept ImportError:\n    np = None",
            "if __name__ == '__main__':\n    print('notebook')",
            "input = 'x'\ntransformer = np.sqrt\nname = 'root'",
        ),
        deps=[("np", "import", 0)],
        includes=["try:", "    import numpy as np"],
        excludes=["__main__"],
        check="float(transformer(4.0)) == 2.0",
    ),
    Case(
        "syntax-error-in-an-earlier-cell-is-skipped",
        notebook(
            "import math",
            "def broken(:\n    pass",
            "input = 'x'\ntransformer = math.exp\nname = 'exp'",
        ),
        deps=[("math", "import", 0)],
        warnings=["syntax-error"],
        warning_text=["Cell 1 has a syntax error at line 1, column 12", "It was skipped"],
        check="transformer(0) == 1",
    ),
    Case(
        "statements-sharing-a-line",
        notebook(
            "import math; import json; LIMIT = 4  # cap",
            "input = 'x'\ntransformer = lambda v: min(math.ceil(v), LIMIT)\nname = 'capped'",
        ),
        deps=[("math", "import", 0), ("LIMIT", "constant", 0)],
        excludes=["json"],
        check="transformer(2.5) == 3 and transformer(9) == 4",
    ),
    Case(
        "feature-object-with-sklearn-style-transformer",
        notebook(
            "import numpy as np\nimport pandas as pd",
            """
            class LogTransformer:
                def fit(self, X, y=None):
                    return self
                def transform(self, X):
                    return np.log1p(pd.Series(X))
            """,
            "md:## The feature",
            "input = 'Lot Area'\ntransformer = LogTransformer()\nname = 'log lot area'",
        ),
        deps=[("np", "import", 0), ("pd", "import", 0), ("LogTransformer", "class", 1)],
        check="list(transformer.fit([0]).transform([0.0, 0.0])) == [0.0, 0.0]",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_extraction_table(case: Case):
    # Given: a notebook and its feature cell (the last cell before any "later" cells)
    target = _target(case)
    # When: the cell is extracted
    extraction = extract_cell(case.cells, cell_id=target.id)
    # Then: the module holds exactly what the cell uses, and parses
    ast.parse(extraction.module)
    deps = [(d.name, d.kind, d.cell_index) for d in extraction.dependencies]
    assert deps == case.deps
    lines = extraction.module.splitlines()
    for line in case.includes:
        assert line in lines, f"{line!r} missing from:\n{extraction.module}"
    for text in case.excludes:
        body = "\n".join(lines[1:])  # the header names the notebook, not code
        assert text not in body, f"{text!r} should not be in:\n{extraction.module}"
    assert [w.code for w in extraction.warnings] == case.warnings, extraction.warnings
    said = " | ".join(w.message for w in extraction.warnings)
    for text in case.warning_text:
        assert text in said
    assert extraction.formatted


def _target(case: Case) -> Cell:
    """The feature cell: the last code cell that defines `name` (later cells are context)."""
    return [c for c in case.cells if c.cell_type == "code" and "name =" in c.source][-1]


@pytest.mark.parametrize("case", [c for c in CASES if c.runs], ids=str)
def test_extracted_module_runs_in_a_fresh_interpreter(case: Case, tmp_path):
    # Given: the extracted module
    extraction = extract_cell(case.cells, cell_id=_target(case).id)
    # When: a new Python process runs it (no notebook state, nothing else imported)
    # Then: it runs and defines what the cell defined
    run_fresh(extraction.module, tmp_path, *case.defines, check=case.check or "True")


def test_module_is_formatted_and_has_a_header():
    cells = notebook("import math", "input='x'\ntransformer=lambda v:math.floor( v )\nname='f'")
    extraction = extract_cell(cells, cell_index=1, path="work/nb.ipynb")
    assert extraction.module == (
        "# Extracted by jupyter-ext from work/nb.ipynb (cell c1).\n"
        "\n"
        "import math\n"
        "\n"
        'input = "x"\n'
        "transformer = lambda v: math.floor(v)\n"
        'name = "f"\n'
    )


def test_without_ruff_the_module_is_unformatted_but_valid(monkeypatch):
    # Given: a ruff binary that cannot be started
    monkeypatch.setattr(formatting, "ruff_binary", lambda: "/nonexistent/ruff")
    formatting.format_source.cache_clear()
    cells = notebook("import math", "input='x'\ntransformer=math.floor\nname='unformatted'")
    try:
        # When: the cell is extracted
        extraction = extract_cell(cells, cell_index=1)
    finally:
        formatting.format_source.cache_clear()
    # Then: the module is still there, parses, and a warning says why it isn't formatted
    assert "transformer=math.floor" in extraction.module
    ast.parse(extraction.module)
    assert [w.code for w in extraction.warnings] == ["format-failed"]
    assert "ruff could not be started" in extraction.warnings[0].message
    assert not extraction.formatted


def test_from_future_import_stays_first():
    cells = notebook("import math", "from __future__ import annotations\nname = 'x'\ny = math.pi")
    module = extract_cell(cells, cell_index=1, header=False).module
    assert module.startswith("from __future__ import annotations\n")
    compile(module, "feature.py", "exec")


def test_to_json_is_the_api_shape():
    cells = notebook("import math", "%time x = 1\ninput = 'x'\ntransformer = math.exp\nname = 'e'")
    payload = extract_cell(cells, cell_id="c1").to_json()
    assert set(payload) == {"module", "cell_id", "cell_index", "dependencies", "warnings"}
    assert payload["cell_id"] == "c1" and payload["cell_index"] == 1
    assert payload["dependencies"] == [{"name": "math", "kind": "import", "cell_index": 0}]
    assert payload["warnings"] == [
        {
            "code": "magic-dropped",
            "message": "Dropped `%time x = 1`: IPython magics, shell commands and help "
            "requests can't run in a module.",
            "cell_index": 1,
            "line": 1,
        }
    ]


# -- errors a person can act on ---------------------------------------------------------

ERRORS = [
    ("unknown-cell-id", notebook("x = 1"), {"cell_id": "nope"}, NotFound, "No cell with id 'nope'"),
    (
        "index-out-of-range",
        notebook("x = 1"),
        {"cell_index": 3},
        NotFound,
        "No cell 3 in the notebook: it has 1 cells",
    ),
    (
        "no-cell-named",
        notebook("x = 1"),
        {},
        BadRequest,
        "give cell_id or cell_index",
    ),
    (
        "id-and-index-disagree",
        notebook("x = 1", "y = 2"),
        {"cell_id": "c1", "cell_index": 0},
        BadRequest,
        "cell_id 'c1' is cell 1, but cell_index says 0",
    ),
    (
        "markdown-cell",
        notebook("md:# Title"),
        {"cell_index": 0},
        BadRequest,
        "Cell 0 is a markdown cell, not a code cell",
    ),
    ("raw-cell", notebook("raw:text"), {"cell_index": 0}, BadRequest, "Cell 0 is a raw cell"),
    ("empty-cell", notebook("   \n"), {"cell_index": 0}, BadRequest, "Cell 0 is empty"),
    (
        "comments-only",
        notebook("# just a note\n%matplotlib inline"),
        {"cell_index": 0},
        BadRequest,
        "Cell 0 has no Python code to extract",
    ),
    (
        "shell-cell-magic",
        notebook("%%bash\nls -l"),
        {"cell_index": 0},
        BadRequest,
        "Cell 0 is a `%%bash` cell, not Python code",
    ),
    (
        "syntax-error-with-line-and-column",
        notebook("import math", "x = 1\ny = (2,\n"),
        {"cell_index": 1},
        BadRequest,
        "Cell 1 has a syntax error at line 2, column 5: '(' was never closed",
    ),
    (
        "syntax-error-after-a-magic",
        notebook("%time x = 1\nname = 'a' +"),
        {"cell_index": 0},
        BadRequest,
        "Cell 0 has a syntax error at line 2, column 13: invalid syntax",
    ),
    (
        "top-level-await",
        notebook("import asyncio\nx = await asyncio.sleep(0)"),
        {"cell_index": 0},
        BadRequest,
        "Cell 0 has a syntax error at line 2, column 5: 'await' outside function",
    ),
]


ERRORS += [
    (
        "too-deep-for-the-parser",
        notebook("x = " + "+".join(["1"] * 100_000)),
        {"cell_index": 0},
        BadRequest,
        "Cell 0 has a syntax error: nested too deeply for Python to parse",
    ),
    (
        "too-deep-for-the-analysis",
        notebook("import os", "f = " + "lambda: " * 900 + "1"),
        {"cell_index": 1},
        BadRequest,
        "Cell 1 (or code it uses) is nested too deeply",
    ),
]


@pytest.mark.parametrize(
    "cells,reference,error,message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_extraction_errors(cells, reference, error, message):
    with pytest.raises(error) as raised:
        extract_cell(cells, **reference)
    assert message in raised.value.message


def test_find_cell_prefers_the_id():
    cells = [Cell("3", "code", "x = 1"), Cell("a", "code", "y = 2")]
    assert find_cell(cells, cell_id="a") == 1
    assert find_cell(cells, cell_index=0, path="nb.ipynb") == 0
    with pytest.raises(NotFound, match="in nb.ipynb"):
        find_cell(cells, cell_id="zz", path="nb.ipynb")


# -- reading notebook files -------------------------------------------------------------

NOTEBOOK_JSON = (
    '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": ['
    '{"id": "a1", "cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,'
    ' "source": ["import math\\n", "x = 1"]},'
    '{"id": "m1", "cell_type": "markdown", "metadata": {}, "source": "# Title"}]}'
)


def test_read_notebook_cells_joins_multiline_sources():
    cells = read_notebook_cells(NOTEBOOK_JSON, "nb.ipynb")
    assert cells == [
        Cell("a1", "code", "import math\nx = 1"),
        Cell("m1", "markdown", "# Title"),
    ]


@pytest.mark.parametrize(
    "text,message",
    [
        ("{not json", "nb.ipynb is not valid notebook JSON: Expecting property name"),
        ("[1, 2]", "nb.ipynb is not a Jupyter notebook: its JSON has no cells"),
        (
            NOTEBOOK_JSON.replace('"cell_type": "markdown"', '"cell_type": "picture"'),
            "nb.ipynb is not a valid Jupyter notebook",
        ),
        (NOTEBOOK_JSON.replace('"nbformat": 4', '"nbformat": 99'), "not a valid Jupyter notebook"),
    ],
    ids=["malformed-json", "not-an-object", "invalid-cell-type", "unknown-version"],
)
def test_read_notebook_cells_rejects_broken_files(text, message):
    with pytest.raises(BadRequest) as raised:
        read_notebook_cells(text, "nb.ipynb")
    assert message in raised.value.message


# -- IPython syntax ---------------------------------------------------------------------

MAGIC_LINES = [
    ("line-magic", "%matplotlib inline\nx = 1\n", "\nx = 1\n", ["line-magic"]),
    ("shell", "!pip install x\n", "\n", ["shell"]),
    ("shell-assignment", "files = !ls -l\n", "\n", ["shell"]),
    ("magic-assignment", "a, b = %who_ls\n", "\n", ["line-magic"]),
    ("help-suffix", "np.mean??\n", "\n", ["help"]),
    ("help-prefix", "?print\n", "\n", ["help"]),
    ("inside-a-block", "for i in r:\n    !echo $i\n", "for i in r:\n    pass\n", ["shell"]),
    ("backslash-continued", "!ls \\\n  -l\nx = 1\n", "\n\nx = 1\n", ["shell"]),
    ("python-body-cell-magic", "%%time\nx = 1\n", "\nx = 1\n", ["cell-magic"]),
    ("other-cell-magic", "%%bash\nls\n", "\n\n", ["cell-magic"]),
    ("modulo-continuation", "x = (a\n     % b)\n", "x = (a\n     % b)\n", []),
    ("string-content", 's = """\n%not a magic\n!nor this\n"""\n', None, []),
    ("not-equal", "ok = x != y\n", None, []),
    ("comment-question", "x = 1  # why?\n", None, []),
]


@pytest.mark.parametrize(
    "source,expected,kinds", [m[1:] for m in MAGIC_LINES], ids=[m[0] for m in MAGIC_LINES]
)
def test_strip_magics(source, expected, kinds):
    clean = strip_magics(source)
    assert clean.source == (source if expected is None else expected)
    assert [m.kind for m in clean.magics] == kinds
    assert len(clean.source.splitlines()) == len(source.splitlines())  # lines keep numbers


# -- scope analysis ---------------------------------------------------------------------

SCOPES = [
    # (id, code, eager global reads, deferred global reads)
    ("module-level", "y = x + 1\nz = y", ["x"], []),
    (
        "function-body-is-deferred",
        "@deco(A)\ndef f(p=B):\n    return p + C",
        ["deco", "A", "B"],
        ["C"],
    ),
    ("parameters-and-locals-shadow", "def f(a):\n    b = a\n    return b + a", [], []),
    ("comprehension-variable", "ys = [x for x in xs if x]", ["xs"], []),
    ("nested-comprehension", "m = [[c for c in row] for row in grid]", ["grid"], []),
    ("lambda-params", "f = lambda v, w=W: v + w + K", ["W"], ["K"]),
    ("class-body-sees-its-names", "class A(B):\n    x = 1\n    y = x + Z", ["B", "Z"], []),
    (
        "method-does-not-see-class-names",
        "class A:\n    x = 1\n    def m(self):\n        return x",
        [],
        ["x"],
    ),
    ("global-declaration", "def f():\n    global G\n    G = 1\n    return G", [], ["G"]),
    (
        "nonlocal-and-closures",
        "def f():\n    n = 0\n    def g():\n        nonlocal n\n        n += 1\n        return n + M\n    return g",
        [],
        ["M"],
    ),
    ("except-name", "try:\n    pass\nexcept E as err:\n    print(err)", ["E", "print"], []),
    ("augmented-assignment-reads-first", "total += 1", ["total"], []),
    (
        "walrus-in-function",
        "def f(xs):\n    if (n := len(xs)) > L:\n        return n\n    return [m for m in xs if (k := m)] + [k]",
        [],
        ["len", "L"],
    ),
    ("walrus-in-module-comprehension", "ys = [(y := v) for v in vs]\nz = y", ["vs"], []),
    (
        "match-captures",
        "match p:\n    case [a, *rest]:\n        q = a + rest[0]\n    case {'k': v, **others}:\n        q = v\n    case Point(x=px) as pt:\n        q = pt",
        ["p", "Point"],
        [],
    ),
]


@pytest.mark.parametrize("code,eager,deferred", [s[1:] for s in SCOPES], ids=[s[0] for s in SCOPES])
def test_scope_analysis(code, eager, deferred):
    tree = ast.parse(code)
    for walrus in [True] if ":=" in code else [True, False]:
        uses = analyze(tree.body, walrus)
        assert [name for name, _ in uses.eager] == eager
        assert sorted({name for name, _ in uses.deferred}) == sorted(deferred)


def test_concurrent_extractions_leave_warning_filters_alone():
    # Given: cells whose parsing warns (an invalid escape), extracted from many threads at
    # once, as the server does for simultaneous requests
    import threading
    import warnings

    from jupyter_ext.core import notebook as core

    before = list(warnings.filters)

    def extract_many(worker: int) -> None:
        for round_ in range(30):
            core._parse.cache_clear()
            cells = notebook(f"PAT = '\\d{worker}-{round_}'", "name = PAT")
            extract_cell(cells, cell_index=1, format=False)

    threads = [threading.Thread(target=extract_many, args=(i,)) for i in range(6)]
    # When: they all run
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then: the process's warning filters are what they were (no "ignore" left behind)
    assert warnings.filters == before
