"""GitHub REST v3 JSON shapes (the fields PyGithub and our frontend read).

Each builder takes `Urls` because GitHub answers with absolute URLs that
clients follow (PyGithub calls `repo.url + "/forks"`, paginates by `Link`), so
they must point back at this forge, under the prefix the client used
(`/` like api.github.com, or `/api/v3` like GitHub Enterprise).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from .gitstore import CommitInfo, GitRepo
from .state import ForgeState, PullRequest, Repo, User

DOCS = "https://docs.github.com/rest"


@dataclass(frozen=True)
class Urls:
    api: str  # e.g. http://127.0.0.1:8765 or http://127.0.0.1:8765/api/v3
    web: str  # e.g. http://127.0.0.1:8765


def user_json(urls: Urls, user: User, private: bool = False) -> dict:
    data = {
        "login": user.login,
        "id": user.id,
        "node_id": f"U_{user.id:08d}",
        "avatar_url": f"{urls.web}/{user.login}.png",
        "gravatar_id": "",
        "url": f"{urls.api}/users/{user.login}",
        "html_url": f"{urls.web}/{user.login}",
        "repos_url": f"{urls.api}/users/{user.login}/repos",
        "type": user.type,
        "site_admin": False,
        "name": user.name,
        "email": user.email,
        "created_at": user.created_at,
        "updated_at": user.created_at,
    }
    if private:
        data.update({"two_factor_authentication": False, "plan": {"name": "free"}})
    return data


def permissions_json(level: str) -> dict:
    order = ["none", "pull", "triage", "push", "maintain", "admin"]
    rank = order.index(level) if level in order else 0
    return {
        name: rank >= order.index(name) for name in ("admin", "maintain", "push", "triage", "pull")
    }


def repo_json(
    urls: Urls, state: ForgeState, repo: Repo, viewer: str | None, nested: bool = False
) -> dict:
    owner = state.users[repo.owner]
    api = f"{urls.api}/repos/{repo.full_name}"
    data = {
        "id": repo.id,
        "node_id": f"R_{repo.id:08d}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "owner": user_json(urls, owner),
        "html_url": f"{urls.web}/{repo.full_name}",
        "description": repo.description or None,
        "fork": repo.fork_of is not None,
        "url": api,
        "forks_url": f"{api}/forks",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "clone_url": f"{urls.web}/{repo.full_name}.git",
        "git_url": f"{urls.web}/{repo.full_name}.git",
        "created_at": repo.created_at,
        "updated_at": repo.updated_at,
        "pushed_at": repo.updated_at,
        "default_branch": repo.default_branch,
        "archived": False,
        "disabled": False,
        "has_issues": True,
        "allow_forking": True,
        "forks_count": sum(1 for r in state.repos.values() if r.fork_of == repo.full_name),
        "open_issues_count": sum(
            1 for p in state.pulls.get(repo.full_name, []) if p.state == "open"
        ),
    }
    if viewer is not None:
        data["permissions"] = permissions_json(repo.permission(viewer))
    if not nested and repo.fork_of and repo.fork_of in state.repos:
        parent = state.repos[repo.fork_of]
        data["parent"] = repo_json(urls, state, parent, viewer, nested=True)
        data["source"] = repo_json(urls, state, state.source_of(repo), viewer, nested=True)
    return data


def ref_json(urls: Urls, repo: Repo, ref: str, sha: str, obj_type: str = "commit") -> dict:
    api = f"{urls.api}/repos/{repo.full_name}"
    kind = "commits" if obj_type == "commit" else f"{obj_type}s"
    return {
        "ref": ref,
        "node_id": f"REF_{sha[:12]}",
        "url": f"{api}/git/{ref}",
        "object": {"type": obj_type, "sha": sha, "url": f"{api}/git/{kind}/{sha}"},
    }


def person_json(person) -> dict:
    return {"name": person.name, "email": person.email, "date": person.date}


def git_commit_json(urls: Urls, repo: Repo, info: CommitInfo) -> dict:
    api = f"{urls.api}/repos/{repo.full_name}"
    return {
        "sha": info.sha,
        "node_id": f"C_{info.sha[:12]}",
        "url": f"{api}/git/commits/{info.sha}",
        "html_url": f"{urls.web}/{repo.full_name}/commit/{info.sha}",
        "author": person_json(info.author),
        "committer": person_json(info.committer),
        "message": info.message,
        "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"},
        "parents": [
            {
                "sha": p,
                "url": f"{api}/git/commits/{p}",
                "html_url": f"{urls.web}/{repo.full_name}/commit/{p}",
            }
            for p in info.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
        },
    }


def content_meta_json(
    urls: Urls, repo: Repo, path: str, sha: str, size: int, kind: str, ref: str
) -> dict:
    api = f"{urls.api}/repos/{repo.full_name}"
    git_kind = "trees" if kind == "dir" else "blobs"
    html_kind = "tree" if kind == "dir" else "blob"
    data = {
        "type": kind,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "size": size,
        "url": f"{api}/contents/{path}?ref={ref}",
        "html_url": f"{urls.web}/{repo.full_name}/{html_kind}/{ref}/{path}",
        "git_url": f"{api}/git/{git_kind}/{sha}",
        "download_url": None if kind == "dir" else f"{urls.web}/{repo.full_name}/raw/{ref}/{path}",
    }
    data["_links"] = {"self": data["url"], "git": data["git_url"], "html": data["html_url"]}
    return data


def file_content_json(urls: Urls, repo: Repo, path: str, sha: str, data: bytes, ref: str) -> dict:
    meta = content_meta_json(urls, repo, path, sha, len(data), "file", ref)
    encoded = base64.b64encode(data).decode()
    # GitHub wraps base64 content at 60 characters with newlines.
    meta["content"] = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
    meta["encoding"] = "base64"
    return meta


def pull_json(
    urls: Urls, state: ForgeState, pr: PullRequest, viewer: str | None, full: bool = True
) -> dict:
    base_repo = state.repos[pr.repo]
    head_repo = state.repos.get(pr.head_repo)
    api = f"{urls.api}/repos/{pr.repo}"
    html = f"{urls.web}/{pr.repo}/pull/{pr.number}"
    base_sha = state.git(pr.repo).ref_sha(f"refs/heads/{pr.base_ref}") or ""

    def part(repo: Repo | None, ref: str, sha: str) -> dict:
        owner = repo.owner if repo else "unknown"
        return {
            "label": f"{owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": user_json(urls, state.users[owner]) if owner in state.users else None,
            "repo": repo_json(urls, state, repo, viewer, nested=True) if repo else None,
        }

    data = {
        "id": pr.id,
        "node_id": f"PR_{pr.id:08d}",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "body": pr.body or None,
        "user": user_json(urls, state.users[pr.user]),
        "url": f"{api}/pulls/{pr.number}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{pr.number}",
        "commits_url": f"{api}/pulls/{pr.number}/commits",
        "created_at": pr.created_at,
        "updated_at": pr.updated_at,
        "closed_at": pr.closed_at,
        "merged_at": pr.merged_at,
        "merge_commit_sha": None,
        "draft": pr.draft,
        "head": part(head_repo, pr.head_ref, pr.head_sha),
        "base": part(base_repo, pr.base_ref, base_sha),
        "author_association": "OWNER" if pr.user == base_repo.owner else "CONTRIBUTOR",
        "_links": {
            "self": {"href": f"{api}/pulls/{pr.number}"},
            "html": {"href": html},
        },
    }
    if full:
        # Only the single-PR endpoint computes these, as on GitHub.
        additions = deletions = changed = commits = 0
        if head_repo is not None and base_sha and pr.head_sha:
            git: GitRepo = state.git(head_repo.full_name)
            additions, deletions, changed = git.numstat(base_sha, pr.head_sha)
            commits = git.count_commits(base_sha, pr.head_sha)
        data.update(
            {
                "merged": pr.merged_at is not None,
                "mergeable": None,
                "mergeable_state": "unknown",
                "merged_by": None,
                "comments": 0,
                "review_comments": 0,
                "maintainer_can_modify": pr.maintainer_can_modify,
                "commits": commits,
                "additions": additions,
                "deletions": deletions,
                "changed_files": changed,
            }
        )
    return data


def error_json(
    status: int, message: str, documentation_url: str = DOCS, errors: list[dict] | None = None
) -> dict:
    data = {"message": message, "documentation_url": documentation_url, "status": str(status)}
    if errors:
        data["errors"] = errors
    return data
