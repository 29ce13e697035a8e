"""Bare git repositories driven through the `git` CLI (plumbing commands only).

Everything the forge stores is a real git object or ref, so `git clone` of a
forge repository shows exactly what the API reported. Writes go through
`hash-object` / `mktree` / `commit-tree` and land with a compare-and-swap
`update-ref`, so a concurrent writer can never silently lose an update.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Keep the forge's repositories independent of whoever runs it: no system or
# global config, no hooks, no pager, stable output.
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}

ZERO_SHA = "0" * 40


class GitError(Exception):
    """A git command failed; `stderr` says why."""

    def __init__(self, args: list[str], returncode: int, stderr: str):
        super().__init__(f"git {' '.join(args)} failed ({returncode}): {stderr.strip()}")
        self.stderr = stderr


@dataclass(frozen=True)
class Person:
    """Author or committer of a commit."""

    name: str
    email: str
    date: str  # ISO 8601, UTC, GitHub style: 2024-01-02T03:04:05Z


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str  # blob | tree | commit
    sha: str
    name: str


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: list[str]
    author: Person
    committer: Person
    message: str


def git_env() -> dict[str, str]:
    return {**os.environ, **_GIT_ENV}


class GitRepo:
    """One bare repository on disk."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    # -- plumbing -------------------------------------------------------------

    def git(self, *args: str, input: bytes | None = None, env: dict | None = None) -> bytes:
        cmd = ["git", f"--git-dir={self.path}", *args]
        proc = subprocess.run(
            cmd,
            input=input,
            capture_output=True,
            env={**git_env(), **(env or {})},
            check=False,
        )
        if proc.returncode != 0:
            raise GitError(list(args), proc.returncode, proc.stderr.decode(errors="replace"))
        return proc.stdout

    @classmethod
    def init_bare(cls, path: str | os.PathLike, default_branch: str) -> GitRepo:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "--quiet", "--bare", str(path)],
            check=True,
            capture_output=True,
            env=git_env(),
        )
        repo = cls(path)
        repo.set_default_branch(default_branch)
        # Served over smart HTTP by `git http-backend`.
        repo.git("config", "http.uploadpack", "true")
        repo.git("config", "http.receivepack", "false")
        return repo

    def set_default_branch(self, branch: str) -> None:
        self.git("symbolic-ref", "HEAD", f"refs/heads/{branch}")

    def fork_to(self, path: str | os.PathLike, branches: list[str] | None = None) -> GitRepo:
        """A new bare repo sharing this one's objects (GitHub forks share a network).

        Objects are reached through `objects/info/alternates`, so a commit of the
        upstream can be the target of a ref created in the fork, as on GitHub.
        """
        head = self.git("symbolic-ref", "HEAD").decode().strip().removeprefix("refs/heads/")
        fork = GitRepo.init_bare(path, head)
        alternates = fork.path / "objects" / "info" / "alternates"
        alternates.write_text(str((self.path / "objects").resolve()) + "\n")
        lines = []
        for ref, sha in self.refs("refs/heads/"):
            if branches is None or ref.removeprefix("refs/heads/") in branches:
                lines.append(f"create {ref} {sha}\n")
        if lines:
            fork.git("update-ref", "--stdin", input="".join(lines).encode())
        return fork

    # -- refs -----------------------------------------------------------------

    def resolve_commit(self, rev: str) -> str | None:
        """The commit a branch name, tag, full ref or sha points at, or None."""
        candidates = (
            [rev]
            if rev.startswith("refs/")
            else [
                f"refs/heads/{rev}",
                f"refs/tags/{rev}",
                rev,
            ]
        )
        for candidate in candidates:
            try:
                out = self.git(
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    "--end-of-options",
                    f"{candidate}^{{commit}}",
                )
            except GitError:
                continue
            return out.decode().strip()
        return None

    def ref_sha(self, ref: str) -> str | None:
        """The object a full ref name (refs/heads/x) points at, or None."""
        try:
            out = self.git("rev-parse", "--verify", "--quiet", "--end-of-options", ref)
        except GitError:
            return None
        return out.decode().strip()

    def refs(self, prefix: str = "refs/") -> list[tuple[str, str]]:
        out = self.git("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return [tuple(line.split(" ", 1)) for line in out.decode().splitlines() if line]

    def update_ref(self, ref: str, new: str, old: str | None) -> None:
        """Point `ref` at `new` only if it still points at `old` (ZERO_SHA: must not exist)."""
        args = ["update-ref", "--no-deref", ref, new]
        if old is not None:
            args.append(old)
        self.git(*args)

    def delete_ref(self, ref: str, old: str | None = None) -> None:
        args = ["update-ref", "--no-deref", "-d", ref]
        if old is not None:
            args.append(old)
        self.git(*args)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        try:
            self.git("merge-base", "--is-ancestor", ancestor, descendant)
        except GitError:
            return False
        return True

    def is_empty(self) -> bool:
        return not self.refs("refs/heads/")

    # -- objects --------------------------------------------------------------

    def object_type(self, sha: str) -> str | None:
        try:
            return self.git("cat-file", "-t", sha).decode().strip()
        except GitError:
            return None

    def read_blob(self, sha: str) -> bytes:
        return self.git("cat-file", "blob", sha)

    def hash_blob(self, data: bytes) -> str:
        return self.git("hash-object", "-w", "--stdin", input=data).decode().strip()

    def ls_tree(self, treeish: str, recursive: bool = False) -> list[TreeEntry]:
        args = ["ls-tree", "-z", "--full-tree"]
        if recursive:
            args.append("-r")
        out = self.git(*args, treeish)
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, name = record.split(b"\t", 1)
            mode, type_, sha = meta.decode().split(" ")
            entries.append(TreeEntry(mode, type_, sha, name.decode()))
        return entries

    def entry_at(self, commit: str, path: str) -> TreeEntry | None:
        """The tree entry at `path` in `commit` ('' is the root tree)."""
        if path in ("", "/"):
            tree = self.git("rev-parse", f"{commit}^{{tree}}").decode().strip()
            return TreeEntry("040000", "tree", tree, "")
        out = self.git("ls-tree", "-z", "--full-tree", commit, "--", path)
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, name = record.split(b"\t", 1)
            if name.decode() == path:
                mode, type_, sha = meta.decode().split(" ")
                return TreeEntry(mode, type_, sha, path)
        return None

    def tree_of(self, commit: str) -> str:
        return self.git("rev-parse", f"{commit}^{{tree}}").decode().strip()

    def mktree(self, entries: list[TreeEntry]) -> str:
        body = b"".join(
            f"{e.mode} {e.type} {e.sha}\t{e.name}".encode() + b"\0"
            for e in sorted(entries, key=lambda e: e.name)
        )
        return self.git("mktree", "-z", input=body).decode().strip()

    def write_tree(self, base_tree: str | None, changes: dict[str, TreeEntry | None]) -> str:
        """A new tree: `base_tree` with `changes` applied (path -> entry, None deletes).

        Paths may be nested (`a/b/c.py`). Blob changes go through a throwaway index
        (three git calls whatever the depth); tree entries need the recursive rebuild.
        """
        if all(e is None or e.type == "blob" for e in changes.values()):
            return self._write_tree_via_index(base_tree, changes)
        return self._write_tree_recursive(base_tree, changes)

    def _write_tree_via_index(
        self, base_tree: str | None, changes: dict[str, TreeEntry | None]
    ) -> str:
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            if base_tree:
                self.git("read-tree", base_tree, env=env)
            else:
                self.git("read-tree", "--empty", env=env)
            lines = b"".join(
                (f"0 {ZERO_SHA}\t{path}" if e is None else f"{e.mode} {e.sha}\t{path}").encode()
                + b"\0"
                for path, e in changes.items()
            )
            self.git("update-index", "-z", "--index-info", input=lines, env=env)
            return self.git("write-tree", env=env).decode().strip()

    def _write_tree_recursive(
        self, base_tree: str | None, changes: dict[str, TreeEntry | None]
    ) -> str:
        entries = {e.name: e for e in self.ls_tree(base_tree)} if base_tree else {}
        nested: dict[str, dict[str, TreeEntry | None]] = {}
        for path, entry in changes.items():
            head, _, rest = path.partition("/")
            if rest:
                nested.setdefault(head, {})[rest] = entry
            elif entry is None:
                entries.pop(head, None)
            else:
                entries[head] = TreeEntry(entry.mode, entry.type, entry.sha, head)
        for name, sub_changes in nested.items():
            existing = entries.get(name)
            sub_base = existing.sha if existing is not None and existing.type == "tree" else None
            sub_tree = self._write_tree_recursive(sub_base, sub_changes)
            if not self.ls_tree(sub_tree):
                entries.pop(name, None)  # git has no empty directories
            else:
                entries[name] = TreeEntry("040000", "tree", sub_tree, name)
        return self.mktree(list(entries.values()))

    def commit_tree(
        self, tree: str, parents: list[str], message: str, author: Person, committer: Person
    ) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": author.date,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": committer.date,
        }
        return self.git(*args, input=message.encode(), env=env).decode().strip()

    def commit_info(self, sha: str) -> CommitInfo:
        fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
        out = self.git("show", "-s", f"--format={fmt}", "--end-of-options", sha).decode()
        parts = out.split("\0", 9)
        return CommitInfo(
            sha=parts[0],
            tree=parts[1],
            parents=parts[2].split() if parts[2] else [],
            author=Person(parts[3], parts[4], _utc(parts[5])),
            committer=Person(parts[6], parts[7], _utc(parts[8])),
            message=parts[9].rstrip("\n"),
        )

    def commit_files(
        self,
        branch: str,
        files: dict[str, bytes | None],
        message: str,
        author: Person,
        expected_head: str | None,
    ) -> str:
        """One commit on `branch` writing (or, with None, deleting) `files`.

        `expected_head` is the branch tip the caller saw; the ref moves only if
        it is unchanged (compare-and-swap), else GitError.
        """
        changes: dict[str, TreeEntry | None] = {}
        for path, data in files.items():
            changes[path] = (
                None if data is None else TreeEntry("100644", "blob", self.hash_blob(data), path)
            )
        base_tree = self.tree_of(expected_head) if expected_head else None
        tree = self.write_tree(base_tree, changes)
        parents = [expected_head] if expected_head else []
        commit = self.commit_tree(tree, parents, message, author, author)
        self.update_ref(f"refs/heads/{branch}", commit, expected_head or ZERO_SHA)
        return commit

    def snapshot_directory(
        self, directory: str | os.PathLike, branch: str, message: str, author: Person
    ) -> str:
        """Commit the files of a working directory (honouring its .gitignore) as `branch`."""
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index"), "GIT_WORK_TREE": str(directory)}
            self.git("add", "--all", ".", env=env)
            tree = self.git("write-tree", env=env).decode().strip()
        commit = self.commit_tree(tree, [], message, author, author)
        self.update_ref(f"refs/heads/{branch}", commit, ZERO_SHA)
        return commit

    # -- comparisons ----------------------------------------------------------

    def merge_base(self, a: str, b: str) -> str | None:
        try:
            return self.git("merge-base", a, b).decode().strip()
        except GitError:
            return None

    def diff(self, base: str, head: str) -> str:
        """The PR diff: changes on `head` since it forked from `base` (three-dot)."""
        merge_base = self.merge_base(base, head) or base
        return self.git("diff", "--no-color", "--no-ext-diff", merge_base, head).decode(
            errors="replace"
        )

    def numstat(self, base: str, head: str) -> tuple[int, int, int]:
        """(additions, deletions, changed files) of the PR diff."""
        merge_base = self.merge_base(base, head) or base
        out = self.git("diff", "--numstat", merge_base, head).decode()
        additions = deletions = files = 0
        for line in out.splitlines():
            added, deleted, _ = line.split("\t", 2)
            files += 1
            additions += int(added) if added.isdigit() else 0
            deletions += int(deleted) if deleted.isdigit() else 0
        return additions, deletions, files

    def count_commits(self, base: str, head: str) -> int:
        return int(self.git("rev-list", "--count", f"{base}..{head}").decode().strip())


def _utc(iso: str) -> str:
    """git's strict ISO date (with offset) -> GitHub's `YYYY-MM-DDTHH:MM:SSZ` in UTC."""
    from datetime import datetime, timezone

    return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
