"""Checks shared by the suites: is the server still alive, and was that an answer a user can use."""

from __future__ import annotations

from .client import Answer, Client
from .figures import Tally
from .stack import Server


def alive(server: Server, tally: Tally, client: Client | None = None) -> bool:
    """GET /api/status answers 200 (and the process still runs); counted and timed."""
    ok, ms = (client or server.client()).status()
    ok = ok and server.proc.alive
    if ok:
        tally.status_ms.append(ms)
    else:
        tally.server_down += 1
    return ok


def count_5xx(answer: Answer, tally: Tally) -> None:
    if answer.status >= 500:
        tally.five_xx += 1


def usable_error(answer: Answer, statuses: tuple[int, ...] | None = None) -> str | None:
    """None if `answer` is a 4xx with a JSON `message` a person can read; else what is wrong."""
    if not 400 <= answer.status < 500:
        return f"expected a 4xx, got {answer.brief()}"
    if statuses and answer.status not in statuses:
        return f"expected {statuses}, got {answer.brief()}"
    message = answer.message
    if not message or not message.strip():
        return f"no `message` in the {answer.status} answer: {answer.text[:200]!r}"
    if "Traceback" in message or 'File "' in message:
        return f"a traceback in the message: {message[:200]!r}"
    return None
