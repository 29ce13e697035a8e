"""The forge's records: users, tokens, repositories, pull requests.

Git content lives in the bare repositories; everything else GitHub keeps in
its database lives here, persisted as one JSON file next to the repositories
(`state.json`) so a restarted forge shows the same users, forks and PRs.
Tokens are stored as SHA-256 digests, never in clear.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .gitstore import GitRepo


def now_iso(ts: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if ts is None else ts))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class User:
    id: int
    login: str
    name: str
    email: str
    created_at: str
    type: str = "User"  # User | Organization


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    default_branch: str
    created_at: str
    updated_at: str
    description: str = ""
    private: bool = False
    fork_of: str | None = None  # full name of the parent
    ready_at: float = 0.0  # forks are created asynchronously, as on GitHub
    collaborators: dict[str, str] = field(default_factory=dict)  # login -> "push" | "admin"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def ready(self) -> bool:
        return time.time() >= self.ready_at

    def permission(self, login: str | None) -> str:
        """admin | push | pull | none, for `login` (None: anonymous)."""
        if login is not None and login == self.owner:
            return "admin"
        if login is not None and login in self.collaborators:
            return self.collaborators[login]
        return "none" if self.private else "pull"


@dataclass
class PullRequest:
    id: int
    number: int
    repo: str  # base repository full name
    title: str
    body: str
    user: str
    head_repo: str
    head_ref: str
    base_ref: str
    head_sha: str  # last seen tip of the head branch
    created_at: str
    updated_at: str
    state: str = "open"
    closed_at: str | None = None
    merged_at: str | None = None
    maintainer_can_modify: bool = False
    draft: bool = False


class ForgeState:
    """All records, guarded by one lock shared with the request handlers."""

    def __init__(self, data_dir: str | os.PathLike):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.tokens: dict[str, dict] = {}  # digest -> {"login", "scopes", "created_at"}
        self.repos: dict[str, Repo] = {}  # full name -> Repo
        self.pulls: dict[str, list[PullRequest]] = {}  # base full name -> PRs
        self.next_id = 1
        self._load()

    # -- persistence ----------------------------------------------------------

    @property
    def state_file(self) -> Path:
        return self.data_dir / "state.json"

    def repo_path(self, full_name: str) -> Path:
        owner, name = full_name.split("/", 1)
        return self.data_dir / "repos" / owner / f"{name}.git"

    def git(self, full_name: str) -> GitRepo:
        return GitRepo(self.repo_path(full_name))

    def _load(self) -> None:
        if not self.state_file.exists():
            return
        data = json.loads(self.state_file.read_text())
        self.users = {k: User(**v) for k, v in data.get("users", {}).items()}
        self.tokens = data.get("tokens", {})
        self.repos = {k: Repo(**v) for k, v in data.get("repos", {}).items()}
        self.pulls = {k: [PullRequest(**p) for p in v] for k, v in data.get("pulls", {}).items()}
        self.next_id = data.get("next_id", 1)

    def save(self) -> None:
        data = {
            "users": {k: asdict(v) for k, v in self.users.items()},
            "tokens": self.tokens,
            "repos": {k: asdict(v) for k, v in self.repos.items()},
            "pulls": {k: [asdict(p) for p in v] for k, v in self.pulls.items()},
            "next_id": self.next_id,
        }
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp, self.state_file)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    # -- users and tokens -----------------------------------------------------

    def add_user(
        self, login: str, name: str | None = None, email: str | None = None, type: str = "User"
    ) -> User:
        with self.lock:
            if login in self.users:
                return self.users[login]
            user = User(
                id=self.new_id(),
                login=login,
                name=name or login.capitalize(),
                email=email or f"{login}@users.noreply.localhost",
                created_at=now_iso(),
                type=type,
            )
            self.users[login] = user
            self.save()
            return user

    def add_token(self, login: str, token: str, scopes: str = "repo") -> None:
        with self.lock:
            if login not in self.users:
                self.add_user(login)
            self.tokens[token_digest(token)] = {
                "login": login,
                "scopes": scopes,
                "created_at": now_iso(),
            }
            self.save()

    def revoke_token(self, token: str) -> None:
        with self.lock:
            self.tokens.pop(token_digest(token), None)
            self.save()

    def login_for_token(self, token: str) -> str | None:
        record = self.tokens.get(token_digest(token))
        return record["login"] if record else None

    def scopes_for_token(self, token: str) -> str:
        record = self.tokens.get(token_digest(token))
        return record["scopes"] if record else ""

    # -- repositories ---------------------------------------------------------

    def create_repo(
        self,
        owner: str,
        name: str,
        default_branch: str = "main",
        seed_dir: str | os.PathLike | None = None,
        description: str = "",
        collaborators: dict[str, str] | None = None,
        private: bool = False,
    ) -> Repo:
        """A new repository; with `seed_dir`, its files are the first commit."""
        from .gitstore import Person

        with self.lock:
            full_name = f"{owner}/{name}"
            if full_name in self.repos:
                raise ValueError(f"repository {full_name} already exists")
            if owner not in self.users:
                self.add_user(owner, type="Organization")
            git = GitRepo.init_bare(self.repo_path(full_name), default_branch)
            if seed_dir is not None:
                user = self.users[owner]
                git.snapshot_directory(
                    seed_dir,
                    default_branch,
                    "Initial commit",
                    Person(user.name, user.email, now_iso()),
                )
            repo = Repo(
                id=self.new_id(),
                owner=owner,
                name=name,
                default_branch=default_branch,
                created_at=now_iso(),
                updated_at=now_iso(),
                description=description,
                collaborators=dict(collaborators or {}),
                private=private,
            )
            self.repos[full_name] = repo
            self.save()
            return repo

    def fork_of(self, parent: str, owner: str) -> Repo | None:
        """`owner`'s existing fork of `parent`, if any."""
        for repo in self.repos.values():
            if repo.owner == owner and repo.fork_of == parent:
                return repo
        return None

    def create_fork(
        self,
        parent: Repo,
        owner: str,
        name: str | None,
        delay: float,
        default_branch_only: bool = False,
    ) -> Repo:
        with self.lock:
            name = name or parent.name
            candidate, n = name, 0
            while f"{owner}/{candidate}" in self.repos:  # GitHub appends -1, -2, ...
                n += 1
                candidate = f"{name}-{n}"
            full_name = f"{owner}/{candidate}"
            branches = [parent.default_branch] if default_branch_only else None
            self.git(parent.full_name).fork_to(self.repo_path(full_name), branches)
            repo = Repo(
                id=self.new_id(),
                owner=owner,
                name=candidate,
                default_branch=parent.default_branch,
                created_at=now_iso(),
                updated_at=now_iso(),
                description=parent.description,
                fork_of=parent.full_name,
                ready_at=time.time() + delay,
            )
            self.repos[full_name] = repo
            self.save()
            return repo

    def source_of(self, repo: Repo) -> Repo:
        """The root of the fork network."""
        while repo.fork_of and repo.fork_of in self.repos:
            repo = self.repos[repo.fork_of]
        return repo

    def same_network(self, a: Repo, b: Repo) -> bool:
        return self.source_of(a).full_name == self.source_of(b).full_name

    # -- pull requests --------------------------------------------------------

    def add_pull(self, **fields) -> PullRequest:
        with self.lock:
            pulls = self.pulls.setdefault(fields["repo"], [])
            # Issues and PRs share one number sequence per repository on GitHub.
            number = max((p.number for p in pulls), default=0) + 1
            pr = PullRequest(
                id=self.new_id(),
                number=number,
                created_at=now_iso(),
                updated_at=now_iso(),
                **fields,
            )
            pulls.append(pr)
            self.save()
            return pr

    def find_pull(self, repo: str, number: int) -> PullRequest | None:
        for pr in self.pulls.get(repo, []):
            if pr.number == number:
                return pr
        return None
