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
# IPython's own line magics and shell aliases: with automagic (on by default) `timeit f(x)`,
# `ls data/` or `pylab inline` run without the `%`. Only used for lines that are not
# valid Python (see `strip_automagic`), so a variable called `time` is never mistaken.
AUTOMAGICS = frozenset(
    "alias alias_magic autoawait autocall automagic autoreload autosave bookmark cat cd clear "
    "colors conda config connect_info cp debug dhist dirs doctest_mode ed edit env gui hist "
    "history killbgscripts ldir less lf lk ll load load_ext loadpy logoff logon logstart "
    "logstate logstop ls lsmagic lx macro magic man matplotlib mkdir more mv notebook page "
    "pastebin pdb pdef pdoc pfile pinfo pinfo2 pip popd pprint precision prun psearch psource "
    "pushd pwd pycat pylab qtconsole quickref recall rehashx reload_ext rep rerun reset "
    "reset_selective rm rmdir run save sc set_env store sx system tb time timeit unalias "
    "unload_ext who who_ls whos xdel xmode".split()
)
# The name, then nothing or arguments; not `time = (`, `run(`, `ls[0`, `cd: int`.
_AUTOMAGIC = re.compile(rf"^[ \t]*({_IDENT})(?:[ \t]+(?![=(\[,:])\S.*)?$")
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
    magic_line: _LogicalLines | None = None  # the logical line of the last magic, if open
    for number, line in enumerate(lines, start=offset + 1):
        if magic_line is not None and not magic_line.at_statement_start:
            # Like IPython, a magic runs to the end of its logical line: a backslash or an
            # open bracket (`%timeit f(a,\n      b)`) continues it.
            magic_line.feed(line)
            out.append(_newline(line))
            continue
        magic = _classify(line, number) if scanner.at_statement_start else None
        if magic is None:
            scanner.feed(line)
            out.append(line)
            continue
        magics.append(magic)
        out.append(_blank(line))
        magic_line = _LogicalLines()
        magic_line.feed(line)
    return CleanSource("".join(out), tuple(magics))


def strip_automagic(clean: CleanSource, line: int) -> CleanSource | None:
    """`clean` with line `line` blanked if it is a magic written without `%`, else None.

    For a line the parser rejected: `timeit f(x)`, `ls data/`, `run setup.py`. The line
    must start a statement and start with one of IPython's magic names.
    """
    lines = clean.source.splitlines(keepends=True)
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    found = _AUTOMAGIC.match(text.rstrip("\r\n"))
    if found is None or found.group(1) not in AUTOMAGICS:
        return None
    scanner = _LogicalLines()
    for previous in lines[: line - 1]:
        scanner.feed(previous)
    if not scanner.at_statement_start:
        return None
    lines[line - 1] = _blank(text)
    magic = Magic(line, text.strip(), "line-magic")
    magics = sorted((*clean.magics, magic), key=lambda m: m.line)
    return CleanSource("".join(lines), tuple(magics))


def _blank(line: str) -> str:
    """What replaces a magic line: nothing, or `pass` inside a block to keep it valid."""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return indent + "pass" + _newline(line) if indent else _newline(line)


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
