"""What the harness counts, per suite, and the table it prints.

A case is one thing tried (a request, a hostile feature, a fault then a retry) with a
verdict and, when it failed, why. Every suite also counts what a user would call a
disaster whether or not a case asked about it: 5xx answers, the server being down after
a case, processes left behind, the token showing up somewhere, and the latency of
`GET /api/status` (is the server still snappy?) measured while the suite ran.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


@dataclass
class Case:
    name: str
    passed: bool
    detail: str = ""


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Tally:
    """One suite's figures."""

    suite: str
    cases: list[Case] = field(default_factory=list)
    five_xx: int = 0
    server_down: int = 0  # times /api/status did not answer 200 after a case
    worker_restarts: int = 0
    orphans: int = 0  # processes left behind by a case
    leaks: int = 0
    status_ms: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    def case(self, name: str, passed: bool, detail: str = "") -> bool:
        self.cases.append(Case(name, bool(passed), "" if passed else detail))
        return bool(passed)

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cases)

    @property
    def failures(self) -> list[Case]:
        return [c for c in self.cases if not c.passed]

    @property
    def ok(self) -> bool:
        return (
            not self.failures
            and self.five_xx == 0
            and self.server_down == 0
            and self.orphans == 0
            and self.leaks == 0
        )

    def finish(self) -> Tally:
        self.ended = time.monotonic()
        return self

    @property
    def wall_s(self) -> float:
        return (self.ended or time.monotonic()) - self.started


COLUMNS = [
    ("suite", "{}", 10),
    ("cases", "{}", 5),
    ("passed", "{}", 6),
    ("5xx", "{}", 4),
    ("down", "{}", 4),
    ("restarts", "{}", 8),
    ("orphans", "{}", 7),
    ("leaks", "{}", 5),
    ("status p50 ms", "{:.1f}", 13),
    ("status p95 ms", "{:.1f}", 13),
    ("probes", "{}", 6),
    ("wall s", "{:.1f}", 6),
]


def _row(t: Tally) -> list:
    return [
        t.suite,
        len(t.cases),
        t.passed,
        t.five_xx,
        t.server_down,
        t.worker_restarts,
        t.orphans,
        t.leaks,
        percentile(t.status_ms, 50),
        percentile(t.status_ms, 95),
        len(t.status_ms),
        t.wall_s,
    ]


def total(tallies: list[Tally]) -> Tally:
    out = Tally("TOTAL")
    for t in tallies:
        out.cases += t.cases
        out.five_xx += t.five_xx
        out.server_down += t.server_down
        out.worker_restarts += t.worker_restarts
        out.orphans += t.orphans
        out.leaks += t.leaks
        out.status_ms += t.status_ms
    out.started = min((t.started for t in tallies), default=out.started)
    out.ended = max((t.ended or time.monotonic() for t in tallies), default=None)
    return out


def table(tallies: list[Tally]) -> str:
    """The figures as a fixed-width table, one row per suite and a total."""
    rows = [_row(t) for t in tallies]
    if len(tallies) > 1:
        rows.append(_row(total(tallies)))
    widths = [max(w, len(h)) for h, _, w in COLUMNS]
    cells = []
    for row in rows:
        line = []
        for (_, fmt, _), value in zip(COLUMNS, row, strict=True):
            line.append("-" if value is None else fmt.format(value))
        cells.append(line)
    widths = [max([w] + [len(r[i]) for r in cells]) for i, w in enumerate(widths)]
    header = "  ".join(
        h.rjust(w) if i else h.ljust(w)
        for i, ((h, _, _), w) in enumerate(zip(COLUMNS, widths, strict=True))
    )
    rule = "-" * len(header)
    body = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in cells
    ]
    if len(tallies) > 1:
        body.insert(len(body) - 1, rule)
    return "\n".join([header, rule, *body])


def failures_report(tallies: list[Tally]) -> str:
    lines = []
    for t in tallies:
        for c in t.failures:
            lines.append(f"FAIL [{t.suite}] {c.name}: {c.detail}")
        for note in t.notes:
            lines.append(f"note [{t.suite}] {note}")
    return "\n".join(lines)
