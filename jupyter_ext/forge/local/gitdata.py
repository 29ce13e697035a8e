"""The git data API: refs, blobs, trees, commits, as real objects and refs."""

from __future__ import annotations

import base64
import binascii
import re

from .base import APIError, ForgeHandler, locked, not_found, validation_failed
from .gitstore import ZERO_SHA, GitError, Person, TreeEntry
from .repos import resolve_ref, valid_repo_path
from .shapes import git_commit_json, ref_json
from .state import now_iso

REFS_DOCS = "https://docs.github.com/rest/git/refs"
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
# git check-ref-format, in short: what GitHub refuses in a ref name.
BAD_REF = re.compile(r"(^|/)\.|\.\.|[\x00-\x20\x7f~^:?*\[\\]|@\{|//|\.lock(/|$)|/$|\.$")


def _refs_of(handler, repo, prefix="refs/"):
    git = handler.forge.state.git(repo.full_name)
    return [(ref, sha, git.object_type(sha) or "commit") for ref, sha in git.refs(prefix)]


class RefHandler(ForgeHandler):
    """`GET /repos/{owner}/{repo}/git/ref/{ref}`: exactly one ref."""

    @locked
    def get(self, owner, name, ref):
        repo = self.repo_or_404(owner, name)
        full = f"refs/{ref}"
        sha = self.forge.state.git(repo.full_name).ref_sha(full)
        if sha is None or BAD_REF.search(ref):
            raise not_found()
        self.write_json(ref_json(self.urls, repo, full, sha))


class RefsHandler(ForgeHandler):
    """List refs (`/git/refs`, `/git/refs/{prefix}`, `/git/matching-refs/{prefix}`),
    create one (POST), move one (PATCH), delete one (DELETE)."""

    @locked
    def get(self, owner, name, ref=None):
        repo = self.repo_or_404(owner, name)
        full = f"refs/{ref}" if ref else "refs/"
        matches = [
            ref_json(self.urls, repo, r, sha, t)
            for r, sha, t in _refs_of(self, repo)
            if r == full
            or r.startswith(full.rstrip("/") + "/")
            or (self.route.endswith("matching-refs/{ref}") and r.startswith(full))
        ]
        if self.route.endswith("/git/refs/{ref}"):
            # Legacy endpoint: an exact match is an object, a prefix a list.
            exact = [m for m in matches if m["ref"] == full]
            if exact:
                self.write_json(exact[0])
                return
            if not matches:
                raise not_found()
        self.write_json(matches)

    @locked
    def post(self, owner, name):
        state = self.forge.state
        repo = self.repo_or_404(owner, name, need="push")
        body = self.json_body()
        ref, sha = body.get("ref"), body.get("sha")
        if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
            raise APIError(
                422,
                "Reference name must start with 'refs/' and have at least two slashes.",
                REFS_DOCS,
            )
        if BAD_REF.search(ref[5:]):
            raise APIError(422, f"{ref} is not a valid ref name.", REFS_DOCS)
        if not isinstance(sha, str) or not SHA_RE.match(sha):
            raise APIError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', REFS_DOCS)
        git = state.git(repo.full_name)
        if git.object_type(sha) is None:
            raise APIError(422, "Object does not exist", REFS_DOCS)
        if git.ref_sha(ref) is not None:
            raise APIError(422, "Reference already exists", REFS_DOCS)
        try:
            git.update_ref(ref, sha, ZERO_SHA)
        except GitError:
            raise APIError(422, "Reference already exists", REFS_DOCS) from None
        repo.updated_at = now_iso()
        state.save()
        self.set_header("Location", f"{self.urls.api}/repos/{repo.full_name}/git/{ref}")
        self.write_json(ref_json(self.urls, repo, ref, sha, git.object_type(sha)), 201)

    @locked
    def patch(self, owner, name, ref=None):
        repo = self.repo_or_404(owner, name, need="push")
        body = self.json_body()
        full = f"refs/{ref}"
        git = self.forge.state.git(repo.full_name)
        current = git.ref_sha(full)
        sha = body.get("sha")
        if current is None:
            raise APIError(422, "Reference does not exist", REFS_DOCS)
        if not isinstance(sha, str) or git.object_type(sha) is None:
            raise APIError(422, "Object does not exist", REFS_DOCS)
        if not body.get("force") and not git.is_ancestor(current, sha):
            raise APIError(422, "Update is not a fast forward", REFS_DOCS)
        git.update_ref(full, sha, current)
        self.write_json(ref_json(self.urls, repo, full, sha, git.object_type(sha)))

    @locked
    def delete(self, owner, name, ref=None):
        repo = self.repo_or_404(owner, name, need="push")
        full = f"refs/{ref}"
        git = self.forge.state.git(repo.full_name)
        if git.ref_sha(full) is None:
            raise APIError(422, "Reference does not exist", REFS_DOCS)
        git.delete_ref(full)
        self.set_status(204)
        self.finish()


class BlobsHandler(ForgeHandler):
    @locked
    def get(self, owner, name, sha):
        repo = self.repo_or_404(owner, name)
        git = self.forge.state.git(repo.full_name)
        if git.object_type(sha) != "blob":
            raise not_found()
        data = git.read_blob(sha)
        self.write_json(
            {
                "sha": sha,
                "size": len(data),
                "encoding": "base64",
                "content": base64.b64encode(data).decode(),
                "url": f"{self.urls.api}/repos/{repo.full_name}/git/blobs/{sha}",
            }
        )

    @locked
    def post(self, owner, name, sha=None):
        repo = self.repo_or_404(owner, name, need="push")
        body = self.json_body()
        content = body.get("content")
        if not isinstance(content, str):
            raise validation_failed("content is missing", "Blob", "missing_field", "content")
        data = _decode(content, body.get("encoding", "utf-8"))
        sha = self.forge.state.git(repo.full_name).hash_blob(data)
        self.write_json(
            {"sha": sha, "url": f"{self.urls.api}/repos/{repo.full_name}/git/blobs/{sha}"}, 201
        )


def _decode(content: str, encoding: str) -> bytes:
    if encoding == "base64":
        try:
            return base64.b64decode(content)
        except (binascii.Error, ValueError):
            raise APIError(422, "content is not valid Base64") from None
    return content.encode()


def tree_json(urls, repo, git, sha, recursive=False) -> dict:
    api = f"{urls.api}/repos/{repo.full_name}"
    items = []
    for e in git.ls_tree(sha, recursive=recursive):
        item = {
            "path": e.name,
            "mode": e.mode,
            "type": e.type,
            "sha": e.sha,
            "url": f"{api}/git/{e.type}s/{e.sha}",
        }
        if e.type == "blob":
            item["size"] = len(git.read_blob(e.sha))
        items.append(item)
    return {"sha": sha, "url": f"{api}/git/trees/{sha}", "tree": items, "truncated": False}


class TreesHandler(ForgeHandler):
    @locked
    def get(self, owner, name, sha):
        repo = self.repo_or_404(owner, name)
        git = self.forge.state.git(repo.full_name)
        kind = git.object_type(sha)
        if kind is None:
            _, sha = resolve_ref(self, repo, sha)  # GitHub also accepts a branch name
            kind = "commit"
        if kind == "commit":
            sha = git.tree_of(sha)
        elif kind != "tree":
            raise not_found()
        recursive = self.get_query_argument("recursive", "") not in ("", "0", "false")
        self.write_json(tree_json(self.urls, repo, git, sha, recursive))

    @locked
    def post(self, owner, name, sha=None):
        repo = self.repo_or_404(owner, name, need="push")
        body = self.json_body()
        git = self.forge.state.git(repo.full_name)
        base_tree = body.get("base_tree")
        if base_tree is not None and git.object_type(base_tree) not in ("tree", "commit"):
            raise APIError(422, "base_tree is not a valid tree oid")
        if base_tree is not None and git.object_type(base_tree) == "commit":
            base_tree = git.tree_of(base_tree)
        tree = body.get("tree")
        if not isinstance(tree, list):
            raise validation_failed("tree is missing", "Tree", "missing_field", "tree")
        changes: dict[str, TreeEntry | None] = {}
        for item in tree:
            path, mode, type_ = (
                item.get("path"),
                item.get("mode", "100644"),
                item.get("type", "blob"),
            )
            if not isinstance(path, str) or not valid_repo_path(path):
                raise APIError(422, f"tree.path {path!r} is invalid")
            if "content" in item:
                changes[path] = TreeEntry(
                    mode, "blob", git.hash_blob(item["content"].encode()), path
                )
            elif item.get("sha") is None:
                changes[path] = None
            else:
                if git.object_type(item["sha"]) is None:
                    raise APIError(422, f"tree.sha {item['sha']} is not a valid {type_}")
                changes[path] = TreeEntry(mode, type_, item["sha"], path)
        sha = git.write_tree(base_tree, changes)
        self.write_json(tree_json(self.urls, repo, git, sha), 201)


class CommitsHandler(ForgeHandler):
    @locked
    def get(self, owner, name, sha):
        repo = self.repo_or_404(owner, name)
        git = self.forge.state.git(repo.full_name)
        if git.object_type(sha) != "commit":
            raise not_found()
        self.write_json(git_commit_json(self.urls, repo, git.commit_info(sha)))

    @locked
    def post(self, owner, name, sha=None):
        repo = self.repo_or_404(owner, name, need="push")
        body = self.json_body()
        git = self.forge.state.git(repo.full_name)
        tree, parents = body.get("tree"), body.get("parents", [])
        if not isinstance(tree, str) or git.object_type(tree) != "tree":
            raise APIError(422, "Tree SHA does not exist")
        for parent in parents:
            if git.object_type(parent) != "commit":
                raise APIError(422, "Parent SHA does not exist or is not a commit object")
        user = self.forge.state.users[self.login]

        def person(given):
            given = given if isinstance(given, dict) else {}
            return Person(
                given.get("name") or user.name,
                given.get("email") or user.email,
                given.get("date") or now_iso(),
            )

        author = person(body.get("author"))
        committer = person(body.get("committer") or body.get("author"))
        message = body.get("message")
        if not isinstance(message, str):
            raise validation_failed("message is missing", "Commit", "missing_field", "message")
        sha = git.commit_tree(tree, parents, message, author, committer)
        self.write_json(git_commit_json(self.urls, repo, git.commit_info(sha)), 201)
