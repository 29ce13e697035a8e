"""Names a submission puts on GitHub: slugs, contributed file paths, branches, logins.

Everything that ends up in a git path or ref name passes through here and is
validated, because these strings come from user code (a feature's `name`)
and from GitHub (a login): a name must never escape the contrib folder or
produce a ref git refuses. Ballet's project-structure rules apply: a
contributed file is `<contrib>/user_<login>/feature_<slug>.py`, where both
`<login>` and `<slug>` match `[A-Za-z0-9_]+`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import BadRequest

BRANCH_PREFIX = "submit-feature/"
MAX_SLUG_LENGTH = 60

# GitHub logins: alphanumerics and single hyphens, not at either end, at most 39.
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9_]*[a-z0-9])?$")
_REPO_PART = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def slugify(name: str) -> str:
    """A feature name -> the slug of its file and branch (`Lot area (log)` -> `lot_area_log`).

    Accents are folded to ASCII, anything else that is not a letter or digit becomes `_`.
    Raises BadRequest when nothing usable is left (the user must rename the feature).
    """
    if not isinstance(name, str):
        raise BadRequest("The feature has no name to derive its file name from; set `name`.")
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    slug = slug[:MAX_SLUG_LENGTH].rstrip("_")
    if not slug:
        raise BadRequest(
            f"The feature name {name!r} has no letters or digits to make a file name from; "
            "give the feature a name such as 'lot_area_log'."
        )
    return slug


def check_slug(slug: str) -> str:
    if not isinstance(slug, str) or not _SLUG.match(slug) or len(slug) > MAX_SLUG_LENGTH:
        raise BadRequest(f"{slug!r} is not a valid feature slug (lowercase letters, digits, _).")
    return slug


def check_login(login: str) -> str:
    """A GitHub login, as GitHub allows them (so a path or ref built from it is safe)."""
    if not isinstance(login, str) or not _LOGIN.match(login):
        raise BadRequest(f"{login!r} is not a valid GitHub login.")
    return login


def user_dir(login: str) -> str:
    """`user_<login>`: Ballet allows only [A-Za-z0-9_], so hyphens become underscores."""
    return "user_" + check_login(login).replace("-", "_")


def check_repo_full_name(full_name: str) -> tuple[str, str]:
    """`owner/name` -> (owner, name), or BadRequest naming the setting's expected form."""
    owner, sep, name = (full_name or "").partition("/")
    if (
        not sep
        or not _LOGIN.match(owner)
        or not _REPO_PART.match(name)
        or name in (".", "..")
        or name.endswith(".git")
    ):
        raise BadRequest(f"{full_name!r} is not a GitHub repository; expected 'owner/name'.")
    return owner, name


def check_module_path(module_path: str) -> str:
    """The contrib folder, relative to the repository root, with no way out of it."""
    if not isinstance(module_path, str):
        raise BadRequest("contrib.module_path must be a string.")
    path = module_path.replace("\\", "/").strip("/")
    parts = path.split("/")
    if (
        not path
        or module_path.startswith("/")
        or any(part in ("", ".", "..") or part.lower() == ".git" for part in parts)
        or re.search(r"[\x00-\x1f:*?\"<>|]", path)
    ):
        raise BadRequest(
            f"contrib.module_path {module_path!r} must be a relative folder inside the "
            "repository, such as 'src/project/features/contrib'."
        )
    return path


def is_valid_branch_name(name: str) -> bool:
    """git check-ref-format --branch, in Python."""
    if not name or name.startswith(("-", "/")) or name.endswith(("/", ".", ".lock")):
        return False
    if ".." in name or "//" in name or "@{" in name or name == "@":
        return False
    if re.search(r"[\x00-\x20\x7f~^:?*\[\\]", name):
        return False
    return not any(part.startswith(".") or part.endswith(".lock") for part in name.split("/"))


def branch_name(slug: str) -> str:
    branch = BRANCH_PREFIX + check_slug(slug)
    if not is_valid_branch_name(branch):  # cannot happen for a valid slug; belt and braces
        raise BadRequest(f"{branch!r} is not a valid git branch name.")
    return branch


def slug_from_branch(branch: str) -> str | None:
    """The feature slug of one of our branches, or None for any other branch."""
    if not branch.startswith(BRANCH_PREFIX):
        return None
    slug = branch[len(BRANCH_PREFIX) :]
    return slug if _SLUG.match(slug) else None


@dataclass(frozen=True)
class ContribPaths:
    """Where one user's feature lives in the project repository."""

    feature: str  # <contrib>/user_<login>/feature_<slug>.py
    init: str  # <contrib>/user_<login>/__init__.py


def contrib_paths(module_path: str, login: str, slug: str) -> ContribPaths:
    folder = f"{check_module_path(module_path)}/{user_dir(login)}"
    return ContribPaths(
        feature=f"{folder}/feature_{check_slug(slug)}.py",
        init=f"{folder}/__init__.py",
    )


def pull_request_title(feature_name: str) -> str:
    return f"Add feature: {feature_name}"
