"""Ballet 0.19.5 in its own virtualenv, for side-by-side benchmarks.

Ballet needs pandas<2, numpy<1.24-era APIs and an old sklearn-pandas, so it cannot share our
environment. `ensure()` creates ``build/ballet-venv`` (gitignored) once with the pins that
toolchain.md lists as a tested set, and `run_script()` runs a script there, one at a time
(two concurrent Ballet runs on 2 cores made GFSSF 10-30x slower).

    .venv/bin/python -m benchmarks.ballet_env          # create / check the venv
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "build" / "ballet-venv"
# `six` is an undeclared dependency of ballet; numpy 2 breaks pandas 1.5; sklearn >= 1.7
# lacks what sklearn-pandas 1.8 imports.
PINS = [
    "ballet==0.19.5",
    "numpy==1.26.4",
    "pandas==1.5.3",
    "scikit-learn==1.6.1",
    "sklearn-pandas==1.8.0",
    "six",
]
_MARKER = VENV / "jupyter-ext-pins.json"


def python() -> Path:
    return VENV / "bin" / "python"


def ready() -> bool:
    try:
        return json.loads(_MARKER.read_text()) == PINS and python().exists()
    except (OSError, ValueError):
        return False


def ensure(quiet: bool = False) -> Path:
    """Create the venv and install the pins unless already done; returns its python."""
    if ready():
        return python()
    if not python().exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    env = dict(os.environ)
    # The machine-wide pip config only caps unrelated packages; ignore it so the pins rule.
    env["PIP_CONFIG_FILE"] = os.devnull
    env.pop("PIP_CONSTRAINT", None)
    cmd = [str(python()), "-m", "pip", "install", "--disable-pip-version-check", *PINS]
    if quiet:
        cmd.insert(4, "-q")
    subprocess.run(cmd, check=True, env=env)
    check = subprocess.run(
        [str(python()), "-c", "import ballet, ballet.validation.feature_acceptance.validator"],
        capture_output=True,
        text=True,
    )
    if check.returncode:
        raise RuntimeError(f"ballet does not import in {VENV}:\n{check.stderr}")
    _MARKER.write_text(json.dumps(PINS))
    return python()


def run_script(script: Path, *args: str, timeout: float | None = None) -> dict:
    """Run `script` with Ballet's python; it must print one JSON object as its last line."""
    proc = subprocess.run(
        [str(ensure(quiet=True)), str(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode:
        raise RuntimeError(f"Ballet script {script.name} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    py = ensure()
    version = subprocess.run(
        [str(py), "-c", "import ballet; print(ballet.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"Ballet {version} ready in {VENV}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
