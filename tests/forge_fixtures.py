"""A local forge on a free port, with a seeded upstream, for submission and forge tests.

Used through the unmodified PyGithub client over HTTP, as the product uses GitHub.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ALICE, BOB, CAROL = "alice-token-0123456789", "bob-token-0123456789", "carol-token-0123456789"

BALLET_YML = """\
project:
  project_name: Tiny
  project_slug: tiny
  package_slug: tiny
problem:
  problem_type: regression
contrib:
  module_name: tiny.features.contrib
  module_path: src/tiny/features/contrib
github:
  github_owner: demo
"""


def write_seed(root: Path) -> Path:
    """A minimal Ballet-layout repository: ballet.yml and the contrib package."""
    contrib = root / "src" / "tiny" / "features" / "contrib"
    contrib.mkdir(parents=True)
    (root / "ballet.yml").write_text(BALLET_YML)
    for folder in (root / "src" / "tiny", root / "src" / "tiny" / "features", contrib):
        (folder / "__init__.py").write_text("")
    (root / "README.md").write_text("# Tiny\n")
    return root


def github(forge, token: str, enterprise: bool = False):
    """A plain PyGithub client on the forge (no retries, no pacing: tests see every answer)."""
    from github import Auth, Github

    url = forge.enterprise_api_url if enterprise else forge.api_url
    return Github(
        base_url=url,
        auth=Auth.Token(token),
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(name="forge")
def forge_fixture(tmp_path):
    """A forge serving demo/tiny (default branch main) to alice, bob and carol."""
    from jupyter_ext.forge.local import LocalForge

    forge = LocalForge(tmp_path / "forge", fork_delay=0.0, device_interval=1)
    forge.add_user("alice", token=ALICE)
    forge.add_user("bob", token=BOB)
    forge.add_user("carol", token=CAROL)
    forge.create_repo("demo", "tiny", seed_dir=write_seed(tmp_path / "seed"))
    forge.start()
    yield forge
    forge.stop()
