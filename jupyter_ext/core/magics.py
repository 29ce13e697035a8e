"""IPython syntax -> plain Python, line for line, so that `ast` can parse notebook cells.

Notebook cells may hold IPython-only lines: line magics (`%matplotlib inline`), cell magics
(`%%time`, `%%bash`), shell commands (`!pip install x`, `files = !ls`) and help requests
(`np.mean?`). None of them can run in a plain module, so they are replaced by blank lines
(or `pass` inside an indented block, to keep the block valid). Line numbers and columns of
everything else are unchanged, so syntax errors and warnings still point into the cell the
user sees.

Only lines that start a logical line count: a `%` that continues an expression inside
brackets (`x = (a\\n % b)`) or a line inside a triple-quoted string is ordinary Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Cell magics whose body is ordinary Python run once: keep the body, drop the magic line.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})

_IDENT = r"[A-Za-z_]\w*"
# `x = !ls`, `a, b = %sx cmd`: the names bound by a shell command or magic.
_MAGIC_ASSIGN = re.compile(rf"^[ \t]*({_IDENT}(?:[ \t]*,[ \t]*{_IDENT})*)[ \t]*=[ \t]*([!%])")
_LINE_MAGIC = re.compile(r"^[ \t]*[%!]")
# `?obj`, `obj?`, `obj.attr??`
_HELP = re.compile(rf"^[ \t]*(?:\?.*|{_IDENT}(?:\.{_IDENT})*(?:\(\))?[ \t]*\?\??[ \t]*)$")
# A quick filter so that cells without any candidate line skip the scanner.
_CANDIDATE = re.compile(r"^[ \t]*[%!?]|\?[ \t]*$|=[ \t]*[!%]", re.M)


@dataclass(frozen=True)
class Magic:
    """One IPython-only construct found in a cell."""

    line: int  # 1-based line in the cell
    text: str  # the line as written (without its newline)
    kind: str  # "line-magic" | "shell" | "help" | "cell-magic"
    assigns: tuple[str, ...] = ()  # names bound by `x = !cmd` / `x = %magic`


@dataclass(frozen=True)
class CleanSource:
    """A cell's source with IPython syntax blanked out, and what was removed."""

    source: str
    magics: tuple[Magic, ...]


def may_have_magics(source: str) -> bool:
    """Cheap test: False means `source` certainly has no IPython-only line."""
    return source.lstrip().startswith("%%") or _CANDIDATE.search(source) is not None


def strip_magics(source: str) -> CleanSource:
    """Replace IPython-only lines of `source` by blank lines, keeping line numbers."""
    lines = source.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        return _strip_cell_magic(lines, first)
    if not _CANDIDATE.search(source):
        return CleanSource(source, ())
    return _strip_line_magics(lines)


def _strip_cell_magic(lines: list[str], first: int) -> CleanSource:
    text = lines[first].strip()
    name = text[2:].split(maxsplit=1)[0] if len(text) > 2 else ""
    magic = Magic(line=first + 1, text=text, kind="cell-magic")
    if name in PYTHON_BODY_CELL_MAGICS:
        body = _strip_line_magics(lines[first + 1 :], offset=first + 1)
        head = "".join(_newline(line) for line in lines[: first + 1])
        return CleanSource(head + body.source, (magic, *body.magics))
    # %%bash, %%html, %%writefile...: the whole cell is not Python.
    return CleanSource("".join(_newline(line) for line in lines), (magic,))


def _strip_line_magics(lines: list[str], offset: int = 0) -> CleanSource:
    out: list[str] = []
    magics: list[Magic] = []
    scanner = _LogicalLines()
    continues_magic = False
    for number, line in enumerate(lines, start=offset + 1):
        if continues_magic:
            # The previous magic line ended with a backslash: this line belongs to it.
            out.append(_newline(line))
            continues_magic = line.rstrip("\r\n").endswith("\\")
            continue
        magic = _classify(line, number) if scanner.at_statement_start else None
        if magic is None:
            scanner.feed(line)
            out.append(line)
            continue
        magics.append(magic)
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        # Inside a block, `pass` keeps `for x in y:\n    !echo` valid Python.
        out.append(indent + "pass" + _newline(line) if indent else _newline(line))
        continues_magic = line.rstrip("\r\n").endswith("\\")
    return CleanSource("".join(out), tuple(magics))


def _classify(line: str, number: int) -> Magic | None:
    text = line.rstrip("\r\n")
    assign = _MAGIC_ASSIGN.match(text)
    if assign:
        names = tuple(name.strip() for name in assign.group(1).split(","))
        kind = "shell" if assign.group(2) == "!" else "line-magic"
        return Magic(number, text.strip(), kind, names)
    if _LINE_MAGIC.match(text):
        kind = "shell" if text.lstrip().startswith("!") else "line-magic"
        return Magic(number, text.strip(), kind)
    if _HELP.match(text):
        return Magic(number, text.strip(), "help")
    return None


def _newline(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


class _LogicalLines:
    """Tracks, line by line, whether the next physical line starts a new statement.

    A tiny tokenizer: brackets, string literals (single, triple, with escapes), comments
    and backslash continuations. Good enough to tell `%magic` from `% operand`.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None  # the open string's delimiter
        self.continued = False

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> None:
        self.continued = False
        i, n = 0, len(line)
        while i < n:
            ch = line[i]
            if self.quote is not None:
                if ch == "\\":
                    i += 2
                    continue
                if line.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = None
                    continue
                i += 1
                continue
            if ch == "#":
                break
            if ch in "([{":
                self.depth += 1
            elif ch in ")]}":
                self.depth = max(0, self.depth - 1)
            elif ch in "'\"":
                triple = line[i : i + 3]
                self.quote = triple if triple in ('"""', "'''") else ch
                i += len(self.quote)
                continue
            elif ch == "\\" and not line[i + 1 :].strip():
                self.continued = True
            i += 1
        if self.quote in ("'", '"') and not line.rstrip("\r\n").endswith("\\"):
            # An unterminated one-line string: a syntax error that ast will report.
            self.quote = None
