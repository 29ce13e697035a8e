"""Requests a careless or confused client could send; each must get a 4xx with a message.

Groups: bad JSON, non-UTF-8, wrong types, missing fields, unknown notebooks and cells,
broken notebooks on disk, path traversal, huge bodies, unknown routes and verbs, and
feature names that would make bad file names or git refs. After every request the server
must still answer `GET /api/status`.

A few requests are legitimate but extreme (a 5 MB module, an 8 MB notebook): for those a
200 is fine too, as long as it is a report (or module) and not a 5xx. Feature names are
submitted for real (`force`): a 200 must put the file under `user_<login>/` with a slug
made of [a-z0-9_], on a branch `git check-ref-format` accepts.
"""

from __future__ import annotations

import functools
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .checks import alive, count_5xx, usable_error
from .client import Answer
from .figures import Tally
from .stack import NOTEBOOK, Forge, Server, outside_notebook

NB = NOTEBOOK
CONTRIB = "src/ames/features/contrib"
MB = 1024 * 1024


@dataclass
class Request:
    name: str
    path: str  # under jupyter-ext/
    body: Any = None
    raw: bytes | None = None
    method: str = "POST"
    expect: tuple[int, ...] | None = None  # which 4xx; None: any 4xx
    ok_200: Callable[[Answer], str | None] | None = None  # a 200 is fine if this says None
    max_s: float = 60.0
    fast: bool = True  # part of the pytest subset


def report_not_passed(answer: Answer) -> str | None:
    body = answer.body if isinstance(answer.body, dict) else {}
    if "passed" not in body or "checks" not in body:
        return f"a 200 that is not a report: {answer.text[:200]!r}"
    if body["passed"]:
        return "the report says passed"
    return None


def a_module(answer: Answer) -> str | None:
    body = answer.body if isinstance(answer.body, dict) else {}
    return None if isinstance(body.get("module"), str) else f"not a module: {answer.text[:200]!r}"


def valid_ref(branch: str) -> bool:
    done = subprocess.run(
        ["git", "check-ref-format", "--branch", branch], capture_output=True, text=True
    )
    return done.returncode == 0


def safe_submission(answer: Answer, login: str) -> str | None:
    body = answer.body if isinstance(answer.body, dict) else {}
    path, branch = body.get("file_path") or "", body.get("branch") or ""
    prefix = f"{CONTRIB}/user_{login}/feature_"
    if not re.fullmatch(rf"{re.escape(prefix)}[a-z0-9_]{{1,60}}\.py", path):
        return f"unsafe or unexpected file path {path!r}"
    slug = path[len(prefix) : -len(".py")]
    if branch != f"submit-feature/{slug}" or not valid_ref(branch):
        return f"unexpected or invalid branch {branch!r}"
    return None


def feature(name_literal: str, column: str = "Lot Area") -> str:
    return f'input = ["{column}"]\ntransformer = None\nname = {name_literal}\n'


def requests_for(server: Server) -> list[Request]:
    outside = outside_notebook(server.home.parent)
    cells = [
        {"id": "i", "cell_type": "code", "source": "import numpy as np"},
        {"id": "f", "cell_type": "code", "source": 'input = "Lot Area"\nname = "x"'},
    ]
    deep_json = b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b', "cell_index": 0}'
    many_cells = [
        {"id": f"c{i}", "cell_type": "code", "source": f"v{i} = {i}  # " + "x" * 2000}
        for i in range(4000)
    ] + [{"id": "last", "cell_type": "code", "source": 'input = "Lot Area"\nname = "last"'}]
    chain = "x = " + "+".join(["1"] * 100_000)
    R = Request
    return [
        # -- bad JSON ---------------------------------------------------------------------
        R("extract: truncated JSON", "extract", raw=b'{"path": "notebooks/feat', expect=(400,)),
        R("extract: a JSON array", "extract", raw=b"[1, 2]", expect=(400,)),
        R("extract: a JSON string", "extract", raw=b'"cells"', expect=(400,)),
        R("extract: JSON null", "extract", raw=b"null", expect=(400,)),
        R("extract: empty body", "extract", raw=b"", expect=(400,)),
        R("validate: Python, not JSON", "validate", raw=b"source = 1", expect=(400,)),
        R("submit: XML, not JSON", "submit", raw=b"<feature/>", expect=(400,)),
        R("validate: NaN as the source", "validate", raw=b'{"source": NaN}', expect=(400,)),
        R(
            "extract: duplicate keys, last one wrong",
            "extract",
            raw=b'{"path": "notebooks/features.ipynb", "cell_index": 3, "cell_index": "3"}',
            expect=(400,),
        ),
        R("extract: JSON nested 100,000 deep", "extract", raw=deep_json, expect=(400,)),
        # -- not UTF-8 ----------------------------------------------------------------------
        R(
            "extract: Latin-1 body",
            "extract",
            raw='{"path": "café.ipynb", "cell_index": 0}'.encode("latin-1"),
            expect=(400,),
        ),
        R("validate: binary body", "validate", raw=b"\xff\xfe\x00\x81" * 64, expect=(400,)),
        R(
            "validate: lone surrogate in the source",
            "validate",
            raw=b'{"source": "input = \\"Lot Area\\"\\nname = \\"\\ud800\\"\\n"}',
            ok_200=report_not_passed,
        ),
        R(
            "extract: lone surrogate in a cell",
            "extract",
            raw=b'{"cells": [{"id": "a", "cell_type": "code", "source": "x = \\"\\udcff\\""}],'
            b' "cell_id": "a"}',
            ok_200=a_module,
        ),
        # -- wrong types --------------------------------------------------------------------
        R("extract: cell_id is a number", "extract", {"path": NB, "cell_id": 5}, expect=(400,)),
        R(
            "extract: cell_index is a string",
            "extract",
            {"path": NB, "cell_index": "3"},
            expect=(400,),
        ),
        R(
            "extract: cell_index is negative",
            "extract",
            {"path": NB, "cell_index": -1},
            expect=(400,),
        ),
        R(
            "extract: cell_index is true",
            "extract",
            {"path": NB, "cell_index": True},
            expect=(400,),
        ),
        R("extract: cell_index is 1.5", "extract", {"path": NB, "cell_index": 1.5}, expect=(400,)),
        R(
            "extract: cells is a string",
            "extract",
            {"cells": "abc", "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: cells is an object",
            "extract",
            {"cells": {"0": cells[0]}, "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: cells are numbers",
            "extract",
            {"cells": [1, 2], "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: cell_type is a number",
            "extract",
            {"cells": [{"cell_type": 5, "source": "x"}], "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: source is a number",
            "extract",
            {"cells": [{"cell_type": "code", "source": 123}], "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: id is a list",
            "extract",
            {"cells": [{"cell_type": "code", "source": "x", "id": []}], "cell_index": 0},
            expect=(400,),
        ),
        R("extract: path is a number", "extract", {"path": 42, "cell_index": 0}, expect=(400,)),
        R("extract: path is empty", "extract", {"path": "", "cell_index": 0}, expect=(400,)),
        R("validate: source is a number", "validate", {"source": 42}, expect=(400,)),
        R("validate: source is empty", "validate", {"source": "  \n"}, expect=(400,)),
        R("validate: source is a list", "validate", {"source": ["input = 'x'"]}, expect=(400,)),
        R(
            "validate: file_path is a number",
            "validate",
            {"source": feature('"fp"'), "file_path": 5},
            expect=(400,),
        ),
        R(
            "submit: force is a string",
            "submit",
            {"path": NB, "cell_id": "feature", "force": "yes"},
            expect=(400,),
        ),
        # -- missing fields -----------------------------------------------------------------
        R("extract: no cell named", "extract", {"path": NB}, expect=(400,)),
        R("extract: no notebook named", "extract", {"cell_id": "feature"}, expect=(400,)),
        R("extract: no cells at all", "extract", {"cells": [], "cell_index": 0}, expect=(404,)),
        R("validate: empty object", "validate", {}, expect=(400,)),
        R("submit: empty object", "submit", {}, expect=(400,)),
        # -- unknown notebooks and cells ----------------------------------------------------
        R(
            "extract: unknown notebook",
            "extract",
            {"path": "nope.ipynb", "cell_index": 0},
            expect=(404,),
        ),
        R("extract: unknown cell id", "extract", {"path": NB, "cell_id": "nope"}, expect=(404,)),
        R(
            "extract: cell index past the end",
            "extract",
            {"path": NB, "cell_index": 999},
            expect=(404,),
        ),
        R(
            "extract: cell index 10**30",
            "extract",
            {"path": NB, "cell_index": 10**30},
            expect=(404,),
        ),
        R(
            "extract: id and index disagree",
            "extract",
            {"path": NB, "cell_id": "feature", "cell_index": 1},
            expect=(400,),
        ),
        R("extract: a markdown cell", "extract", {"path": NB, "cell_id": "notes"}, expect=(400,)),
        R("extract: an empty cell", "extract", {"path": NB, "cell_id": "empty"}, expect=(400,)),
        R("extract: a syntax error", "extract", {"path": NB, "cell_id": "syntax"}, expect=(400,)),
        R(
            "validate: unknown notebook",
            "validate",
            {"path": "gone.ipynb", "cell_index": 0},
            expect=(404,),
        ),
        R("submit: unknown cell", "submit", {"path": NB, "cell_id": "nope"}, expect=(404,)),
        # -- broken notebooks on disk -------------------------------------------------------
        R(
            "extract: broken notebook JSON",
            "extract",
            {"path": "notebooks/broken.ipynb", "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: JSON that is not a notebook",
            "extract",
            {"path": "notebooks/not-a-notebook.ipynb", "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: nbformat violations",
            "extract",
            {"path": "notebooks/invalid.ipynb", "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: Latin-1 notebook",
            "extract",
            {"path": "notebooks/latin1.ipynb", "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: binary file",
            "extract",
            {"path": "notebooks/binary.ipynb", "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: notebook nested 50,000 deep",
            "extract",
            {"path": "notebooks/deep.ipynb", "cell_index": 0},
            expect=(400,),
        ),
        R(
            "extract: a directory",
            "extract",
            {"path": "notebooks", "cell_index": 0},
            expect=(400, 404),
        ),
        R(
            "extract: a CSV file",
            "extract",
            {"path": "data/train/targets.csv", "cell_index": 0},
            expect=(400,),
        ),
        R(
            "validate: its folder's ballet.yml is broken",
            "validate",
            {"path": "notebooks/broken-project/nb.ipynb", "cell_id": "a"},
            ok_200=report_not_passed,
            fast=False,
        ),
        R(
            "submit: its folder's ballet.yml is broken",
            "submit",
            {"path": "notebooks/broken-project/nb.ipynb", "cell_id": "a", "force": True},
            expect=(400,),
        ),
        # -- path traversal -----------------------------------------------------------------
        R(
            "extract: ../../outside.ipynb (exists)",
            "extract",
            {"path": "../../outside.ipynb", "cell_id": "out"},
            expect=(400, 403, 404),
        ),
        R(
            "extract: notebooks/../../../outside.ipynb",
            "extract",
            {"path": "notebooks/../../../outside.ipynb", "cell_id": "out"},
            expect=(400, 403, 404),
        ),
        R(
            "extract: absolute path of outside.ipynb",
            "extract",
            {"path": str(outside), "cell_id": "out"},
            expect=(400, 403, 404),
        ),
        R(
            "extract: /etc/passwd",
            "extract",
            {"path": "/etc/passwd", "cell_index": 0},
            expect=(400, 403, 404),
        ),
        R(
            "extract: URL-encoded ../",
            "extract",
            {"path": "..%2F..%2Foutside.ipynb", "cell_id": "out"},
            expect=(400, 403, 404),
        ),
        R(
            "extract: ~/ path",
            "extract",
            {"path": "~/../outside.ipynb", "cell_id": "out"},
            expect=(400, 403, 404),
        ),
        R(
            "extract: NUL in the path",
            "extract",
            {"path": "notebooks/\x00features.ipynb", "cell_index": 3},
            expect=(400, 403, 404),
        ),
        R(
            "validate: ../../outside.ipynb",
            "validate",
            {"path": "../../outside.ipynb", "cell_id": "out"},
            expect=(400, 403, 404),
        ),
        R(
            "submit: ../../outside.ipynb",
            "submit",
            {"path": "../../outside.ipynb", "cell_id": "out"},
            expect=(400, 403, 404),
        ),
        R(
            "validate: file_path ../../../etc/passwd",
            "validate",
            {"source": feature('"fp escape"'), "file_path": "../../../etc/passwd"},
            expect=(400,),
        ),
        R(
            "validate: absolute file_path",
            "validate",
            {"source": feature('"fp absolute"'), "file_path": "/etc/passwd"},
            expect=(400,),
        ),
        # -- huge bodies --------------------------------------------------------------------
        R("extract: 6 MB of garbage", "extract", raw=b"{" + b"x" * (6 * MB), expect=(400,)),
        R(
            "validate: a 5 MB module",
            "validate",
            {"source": feature('"huge"') + "x = 1\n" * (5 * MB // 6)},
            ok_200=report_not_passed,
            fast=False,
        ),
        R(
            "extract: an 8 MB notebook of 4,001 cells",
            "extract",
            {"cells": many_cells, "cell_id": "last"},
            ok_200=a_module,
            fast=False,
        ),
        R(
            "extract: 200,000 nested parentheses",
            "extract",
            {
                "cells": [{"cell_type": "code", "source": "x = " + "(" * 200_000 + ")" * 200_000}],
                "cell_index": 0,
            },
            expect=(400,),
        ),
        R(
            "extract: 100,000 chained additions",
            "extract",
            {"cells": [{"cell_type": "code", "source": chain}], "cell_index": 0},
            ok_200=a_module,
        ),
        R(
            "validate: 100,000 chained additions",
            "validate",
            {"source": chain},
            ok_200=report_not_passed,
        ),
        # -- unknown routes and verbs -------------------------------------------------------
        R("GET an unknown jupyter-ext route", "nope", method="GET", expect=(404,)),
        R("PUT extract", "extract", {"path": NB, "cell_index": 3}, method="PUT", expect=(405,)),
        R("GET validate", "validate", method="GET", expect=(405,)),
        R("POST info", "info", {}, expect=(405,)),
        # -- feature names that would make bad paths or refs (submitted with force) ---------
        *[
            R(
                f"submit: feature name {label}",
                "submit",
                {"source": feature(literal), "force": True},
                ok_200=functools.partial(safe_submission, login=server.login),
                fast=fast,
            )
            for label, literal, fast in [
                ("'../../../etc/passwd'", '"../../../etc/passwd"', True),
                ("'..'", '".."', True),
                ("'x.lock'", '"x.lock"', False),
                ("'a..b~^:?*[\\\\@{'", '"a..b~^:?*[\\\\@{"', True),
                ("'-rf --force'", '"-rf --force"', False),
                ("'名前' (no ASCII)", '"名前"', False),
                ("'' (empty)", '""', False),
                ("12345 (a number)", "12345", False),
                ("5,000 characters", '"' + "long " * 1000 + '"', False),
                ("'line\\nbreak\\x00nul'", '"line\\nbreak\\x00nul"', False),
                ("'user_bob/feature_x'", '"user_bob/feature_x"', False),
                ("'refs/heads/main'", '"refs/heads/main"', False),
            ]
        ],
    ]


def run(server: Server, tally: Tally, fast: bool = False, forge: Forge | None = None) -> Tally:
    client = server.client()
    notebook_before = server.notebook.read_bytes()
    for req in requests_for(server):
        if fast and not req.fast:
            continue
        start = time.monotonic()
        try:
            answer = client.call(req.method, f"jupyter-ext/{req.path}", req.body, raw=req.raw)
        except Exception as err:  # noqa: BLE001 - a dropped connection is a finding
            tally.case(req.name, False, f"no answer: {type(err).__name__}: {err}")
            alive(server, tally, client)
            continue
        seconds = time.monotonic() - start
        count_5xx(answer, tally)
        if answer.status == 200 and req.ok_200 is not None:
            problem = req.ok_200(answer)
        else:
            problem = usable_error(answer, req.expect)
        if problem is None and seconds > req.max_s:
            problem = f"took {seconds:.1f} s"
        tally.case(req.name, problem is None, problem or "")
        if not alive(server, tally, client):
            tally.notes.append(f"server down after {req.name!r}: {server.proc.log_tail(10)}")
            break
    tally.case(
        "the user's notebook is byte-identical afterwards",
        server.notebook.read_bytes() == notebook_before,
        "the notebook changed",
    )
    tally.case(
        "nothing was written outside the server's root",
        not (server.home.parent / "etc").exists() and not (server.home / "etc").exists(),
        "a folder named etc appeared beside the root",
    )
    if forge is not None:
        titles = [pr["title"] for pr in forge.pulls()]
        bad = [t for t in titles if len(t) > 256 or not t.isprintable()]
        tally.case(
            "PR titles are printable and within GitHub's 256 characters",
            not bad,
            f"{len(bad)} bad titles, e.g. {bad[:1]!r}",
        )
    return tally.finish()
