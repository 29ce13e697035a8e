"""The docs stay true: the maintainer guide's configuration reference is the traitlets' help."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_config_reference_matches_the_settings():
    # Given every JupyterExt setting's help text
    from jupyter_ext.app import JupyterExt

    guide = (REPO / "docs" / "maintainer-guide.md").read_text()
    # Then the guide documents each one, and regenerating it changes nothing
    for name, trait in JupyterExt.class_own_traits(config=True).items():
        assert f"#### `JupyterExt.{name}`" in guide
        assert " ".join(trait.help.split())[:60] in guide
    check = subprocess.run(
        [sys.executable, "docs/gen_config.py", "--check"], cwd=REPO, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr + " (run: python docs/gen_config.py)"
