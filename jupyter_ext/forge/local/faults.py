"""Fault injection and request counting, per endpoint.

An endpoint is named by its method and GitHub's route template, exactly as
GitHub's documentation writes it: `POST /repos/{owner}/{repo}/forks`. Tests
say "fail the 2nd `PUT /repos/{owner}/{repo}/contents/{path}` with a 502",
or "delay it by 3 s", and the figures read call counts by the same names.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

# What a fault answers. `rate_limit` is GitHub's primary rate limit (403 with
# X-RateLimit-Remaining: 0 and a reset time), the one clients must explain.
KINDS = {
    500: "server_error",
    502: "bad_gateway",
    403: "rate_limit",
    422: "validation",
}


@dataclass
class Fault:
    method: str
    route: str
    nth: int = 1  # fire on the nth matching call after the fault was added ...
    times: int = 1  # ... and on the following times-1 calls
    status: int | None = 500  # None: only delay
    delay: float = 0.0  # seconds before answering
    message: str | None = None
    after: bool = False  # perform the request, then answer with the error (a lost response)
    reset_in: int = 3600  # rate limit: seconds until X-RateLimit-Reset
    seen: int = field(default=0, compare=False)
    fired: int = field(default=0, compare=False)

    def matches(self, method: str, route: str) -> bool:
        return self.method == method.upper() and self.route == route

    def to_json(self) -> dict:
        return {
            k: getattr(self, k)
            for k in (
                "method",
                "route",
                "nth",
                "times",
                "status",
                "delay",
                "message",
                "after",
                "reset_in",
                "seen",
                "fired",
            )
        }


class FaultPlan:
    """The active faults; thread-safe (tests configure it from another thread)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, method: str, route: str, **kwargs) -> Fault:
        status = kwargs.get("status", 500)
        if status is not None and status not in KINDS:
            raise ValueError(f"unsupported fault status {status}; use one of {sorted(KINDS)}")
        fault = Fault(method=method.upper(), route=route, **kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def fail(
        self, method: str, route: str, status: int = 500, nth: int = 1, times: int = 1, **kwargs
    ) -> Fault:
        return self.add(method, route, status=status, nth=nth, times=times, **kwargs)

    def delay(self, method: str, route: str, seconds: float, nth: int = 1, times: int = 1) -> Fault:
        return self.add(method, route, status=None, delay=seconds, nth=nth, times=times)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, method: str, route: str) -> Fault | None:
        """Count this call against every matching fault; the one that fires, if any."""
        firing = None
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, route):
                    continue
                fault.seen += 1
                if firing is None and fault.nth <= fault.seen < fault.nth + fault.times:
                    fault.fired += 1
                    firing = fault
        return firing


class CallCounter:
    """Requests per endpoint (`"POST /repos/{owner}/{repo}/forks"` -> n)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._log: list[str] = []

    def record(self, method: str, route: str) -> None:
        key = f"{method.upper()} {route}"
        with self._lock:
            self._counts[key] += 1
            self._log.append(key)

    def counts(self) -> Counter:
        with self._lock:
            return Counter(self._counts)

    def log(self) -> list[str]:
        """Every counted call in order (to show what a submission did)."""
        with self._lock:
            return list(self._log)

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._log.clear()
