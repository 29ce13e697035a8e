"""`python tests/robustness` (or `python -m robustness` with tests/ on sys.path)."""

import sys
from pathlib import Path

if not __package__:
    # Run as a folder: put tests/ on sys.path (as pytest does) and import as a package.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from robustness.cli import main
else:
    from .cli import main

raise SystemExit(main())
