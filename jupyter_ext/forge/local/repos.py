"""Repositories, forks and the contents API (files read and written as commits)."""

from __future__ import annotations

import base64
import binascii

from .base import APIError, ForgeHandler, locked, not_found
from .gitstore import GitError, Person
from .shapes import (
    content_meta_json,
    file_content_json,
    git_commit_json,
    repo_json,
)
from .state import Repo, now_iso

CONTENTS_DOCS = "https://docs.github.com/rest/repos/contents#create-or-update-file-contents"


def valid_repo_path(path: str) -> bool:
    """A file path git can store and GitHub accepts: no empty, `.`, `..` or `.git` parts."""
    return bool(path) and all(
        part not in ("", ".", "..") and part.lower() != ".git" and "\0" not in part
        for part in path.split("/")
    )


class RepoHandler(ForgeHandler):
    @locked
    def get(self, owner, name):
        repo = self.repo_or_404(owner, name, ready=False)
        self.write_json(repo_json(self.urls, self.forge.state, repo, self.login))


class ForksHandler(ForgeHandler):
    """POST answers 202 at once; the fork is usable after `fork_delay` (as on GitHub)."""

    requires_auth = True

    @locked
    def post(self, owner, name):
        state = self.forge.state
        parent = self.repo_or_404(owner, name)
        body = self.json_body()
        new_owner = body.get("organization") or self.login
        if new_owner != self.login:
            org = state.users.get(new_owner)
            if org is None or org.type != "Organization":
                raise not_found()
        if parent.owner == new_owner:
            # Forking your own repository gives you that repository back.
            self.write_json(repo_json(self.urls, state, parent, self.login), 202)
            return
        fork = state.fork_of(parent.full_name, new_owner)
        if fork is None:
            fork = state.create_fork(
                parent,
                new_owner,
                body.get("name"),
                self.forge.config.fork_delay,
                bool(body.get("default_branch_only")),
            )
        self.write_json(repo_json(self.urls, state, fork, self.login), 202)


def resolve_ref(handler: ForgeHandler, repo: Repo, ref: str | None) -> tuple[str, str]:
    """(ref name as given or the default branch, commit sha) or a GitHub 404."""
    git = handler.forge.state.git(repo.full_name)
    if git.is_empty():
        raise APIError(404, "This repository is empty.")
    ref = ref or repo.default_branch
    sha = git.resolve_commit(ref)
    if sha is None:
        raise APIError(404, f"No commit found for the ref {ref}")
    return ref, sha


class ContentsHandler(ForgeHandler):
    @locked
    def get(self, owner, name, path=None):
        path = (path or "").strip("/")
        repo = self.repo_or_404(owner, name)
        ref, commit = resolve_ref(self, repo, self.get_query_argument("ref", None))
        git = self.forge.state.git(repo.full_name)
        entry = git.entry_at(commit, path)
        if entry is None:
            raise not_found()
        if entry.type == "tree":
            items = []
            for child in git.ls_tree(entry.sha):
                child_path = f"{path}/{child.name}" if path else child.name
                kind = "dir" if child.type == "tree" else "file"
                size = len(git.read_blob(child.sha)) if kind == "file" else 0
                items.append(
                    content_meta_json(self.urls, repo, child_path, child.sha, size, kind, ref)
                )
            self.write_json(items)
            return
        data = git.read_blob(entry.sha)
        self.write_json(file_content_json(self.urls, repo, path, entry.sha, data, ref))

    @locked
    def put(self, owner, name, path=None):
        path = (path or "").strip("/")
        state = self.forge.state
        repo = self.repo_or_404(owner, name, need="push")
        body = self.json_body()
        for required in ("message", "content"):
            if not isinstance(body.get(required), str):
                raise APIError(
                    422, f'Invalid request.\n\n"{required}" wasn\'t supplied.', CONTENTS_DOCS
                )
        try:
            data = base64.b64decode(body["content"], validate=True)
        except (binascii.Error, ValueError):
            raise APIError(422, "content is not valid Base64", CONTENTS_DOCS) from None
        if not valid_repo_path(path):
            raise APIError(422, "path contains a malformed path component", CONTENTS_DOCS)
        git = state.git(repo.full_name)
        branch = body.get("branch") or repo.default_branch
        head = git.ref_sha(f"refs/heads/{branch}")
        if head is None and not (git.is_empty() and branch == repo.default_branch):
            raise APIError(404, f"Branch {branch} not found", CONTENTS_DOCS)
        existing = git.entry_at(head, path) if head else None
        if existing is not None and existing.type != "blob":
            raise APIError(422, f"path {path} is a directory", CONTENTS_DOCS)
        given_sha = body.get("sha")
        if existing is not None and not given_sha:
            raise APIError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', CONTENTS_DOCS)
        if given_sha and (existing is None or existing.sha != given_sha):
            raise APIError(409, f"{path} does not match {given_sha}", CONTENTS_DOCS)
        person = self._person(body.get("author") or body.get("committer"))
        try:
            commit = git.commit_files(branch, {path: data}, body["message"], person, head)
        except GitError:
            raise APIError(
                409, f"Could not update {branch}: it moved; retry", CONTENTS_DOCS
            ) from None
        repo.updated_at = now_iso()
        state.save()
        blob = git.entry_at(commit, path)
        self.write_json(
            {
                "content": content_meta_json(
                    self.urls, repo, path, blob.sha, len(data), "file", branch
                ),
                "commit": git_commit_json(self.urls, repo, git.commit_info(commit)),
            },
            200 if existing is not None else 201,
        )

    @locked
    def delete(self, owner, name, path=None):
        path = (path or "").strip("/")
        state = self.forge.state
        repo = self.repo_or_404(owner, name, need="push")
        body = self.json_body()
        git = state.git(repo.full_name)
        branch = body.get("branch") or repo.default_branch
        head = git.ref_sha(f"refs/heads/{branch}")
        if head is None:
            raise APIError(404, f"Branch {branch} not found", CONTENTS_DOCS)
        existing = git.entry_at(head, path)
        if existing is None:
            raise not_found()
        if body.get("sha") != existing.sha:
            raise APIError(409, f"{path} does not match {body.get('sha')}", CONTENTS_DOCS)
        person = self._person(body.get("author") or body.get("committer"))
        commit = git.commit_files(branch, {path: None}, body.get("message", "Delete"), person, head)
        self.write_json(
            {"content": None, "commit": git_commit_json(self.urls, repo, git.commit_info(commit))}
        )

    def _person(self, given: dict | None) -> Person:
        user = self.forge.state.users[self.login]
        given = given if isinstance(given, dict) else {}
        return Person(given.get("name") or user.name, given.get("email") or user.email, now_iso())


class RawHandler(ForgeHandler):
    """`download_url`: the raw bytes of a file at a ref."""

    kind = "web"

    @locked
    def get(self, owner, name, ref_and_path):
        repo = self.repo_or_404(owner, name)
        git = self.forge.state.git(repo.full_name)
        # Branch names contain slashes (submit-feature/x): try the longest ref first.
        parts = ref_and_path.split("/")
        entry = None
        for cut in range(len(parts) - 1, 0, -1):
            commit = git.resolve_commit("/".join(parts[:cut]))
            if commit is not None:
                entry = git.entry_at(commit, "/".join(parts[cut:]))
                break
        if entry is None or entry.type != "blob":
            raise not_found()
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(git.read_blob(entry.sha))
