"""Run an extracted module the way a contributor's CI would: alone, in a new interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_RUNNER = (
    "import runpy, sys\n"
    "ns = runpy.run_path(sys.argv[1])\n"
    "missing = [n for n in sys.argv[3:] if n not in ns]\n"
    "assert not missing, f'not defined: {missing}'\n"
    "assert eval(sys.argv[2], ns), sys.argv[2]\n"
)


def run_fresh(module: str, folder: Path, *names: str, check: str = "True") -> None:
    """Write `module` to an empty `folder` and run it in a new interpreter (no notebook
    state, nothing else imported); it must define `names` and make `check` true."""
    path = folder / "feature.py"
    path.write_text(module)
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(path), check, *names],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{done.stderr}\n--- module ---\n{module}"
