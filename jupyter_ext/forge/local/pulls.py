"""Pull requests: records pointing at real branches.

As on GitHub, the base repository also gets `refs/pull/<n>/head` (fetched from
the head repository), so CI can `git fetch origin pull/3/head` and validate
exactly what the PR contains.
"""

from __future__ import annotations

import subprocess

from .base import APIError, ForgeHandler, locked, not_found, validation_failed
from .gitstore import GitError, Person, git_env
from .shapes import pull_json
from .state import PullRequest, Repo, now_iso

PULLS_DOCS = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"


def refresh(forge, pr: PullRequest) -> None:
    """Follow the head branch: a push to it updates the PR (and refs/pull/<n>/head)."""
    head_repo = forge.state.repos.get(pr.head_repo)
    if head_repo is None:
        return
    sha = forge.state.git(pr.head_repo).ref_sha(f"refs/heads/{pr.head_ref}")
    if sha and sha != pr.head_sha:
        pr.head_sha = sha
        pr.updated_at = now_iso()
        publish_pull_ref(forge, pr)
        forge.state.save()


def publish_pull_ref(forge, pr: PullRequest) -> None:
    base_git = forge.state.git(pr.repo)
    if pr.head_repo != pr.repo:
        subprocess.run(
            [
                "git",
                f"--git-dir={base_git.path}",
                "fetch",
                "--quiet",
                "--no-tags",
                str(forge.state.repo_path(pr.head_repo)),
                f"+refs/heads/{pr.head_ref}:refs/pull/{pr.number}/head",
            ],
            check=False,
            capture_output=True,
            env=git_env(),
        )
    else:
        base_git.update_ref(f"refs/pull/{pr.number}/head", pr.head_sha, None)


def _check_title(title: str) -> None:
    if len(title) > 256:  # GitHub's limit for issue and PR titles
        raise validation_failed(
            "title is too long (maximum is 256 characters)",
            "Issue",
            field_name="title",
            doc=PULLS_DOCS,
        )


class PullsHandler(ForgeHandler):
    @locked
    def get(self, owner, name):
        state = self.forge.state
        repo = self.repo_or_404(owner, name)
        wanted_state = self.get_query_argument("state", "open")
        head = self.get_query_argument("head", None)
        base = self.get_query_argument("base", None)
        pulls = []
        for pr in state.pulls.get(repo.full_name, []):
            refresh(self.forge, pr)
            if wanted_state != "all" and pr.state != wanted_state:
                continue
            if head is not None:
                head_owner = state.repos[pr.head_repo].owner if pr.head_repo in state.repos else ""
                if head != f"{head_owner}:{pr.head_ref}":
                    continue
            if base is not None and base != pr.base_ref:
                continue
            pulls.append(pr)
        sort = self.get_query_argument("sort", "created")
        key = {"updated": lambda p: p.updated_at}.get(sort, lambda p: (p.created_at, p.number))
        default_direction = "desc" if sort == "created" else "asc"
        reverse = self.get_query_argument("direction", default_direction) == "desc"
        pulls.sort(key=key, reverse=reverse)
        self.write_json(
            [pull_json(self.urls, state, pr, self.login, full=False) for pr in self.paginate(pulls)]
        )

    def paginate(self, items: list) -> list:
        """GitHub's page/per_page with a `Link` header (PyGithub follows rel="next")."""
        try:
            per_page = min(max(int(self.get_query_argument("per_page", "30")), 1), 100)
            page = max(int(self.get_query_argument("page", "1")), 1)
        except ValueError:
            raise APIError(422, "Invalid page or per_page") from None
        last = max((len(items) + per_page - 1) // per_page, 1)
        links = []
        base_url = f"{self.request.protocol}://{self.request.host}{self.request.path}"
        args = {k: v[-1].decode() for k, v in self.request.query_arguments.items()}

        def url(n):
            from urllib.parse import urlencode

            return f"{base_url}?{urlencode({**args, 'per_page': per_page, 'page': n})}"

        if page < last:
            links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        if page > 1:
            links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
        if links:
            self.set_header("Link", ", ".join(links))
        return items[(page - 1) * per_page : page * per_page]

    @locked
    def post(self, owner, name):
        state = self.forge.state
        login = self.require_login()
        base_repo = self.repo_or_404(owner, name)
        body = self.json_body()
        title, head, base = body.get("title"), body.get("head"), body.get("base")
        for field_name, value in (("title", title), ("head", head), ("base", base)):
            if not isinstance(value, str) or not value:
                raise validation_failed("", "PullRequest", "missing_field", field_name, PULLS_DOCS)
        _check_title(title)
        head_owner, _, head_ref = head.rpartition(":")
        head_repo = self._head_repo(base_repo, head_owner or base_repo.owner, body.get("head_repo"))
        base_git = state.git(base_repo.full_name)
        base_sha = base_git.ref_sha(f"refs/heads/{base}")
        if base_sha is None:
            raise validation_failed("", "PullRequest", "invalid", "base", PULLS_DOCS)
        head_sha = None
        if head_repo is not None and head_repo.ready():
            head_sha = state.git(head_repo.full_name).ref_sha(f"refs/heads/{head_ref}")
        if head_sha is None:
            raise validation_failed("", "PullRequest", "invalid", "head", PULLS_DOCS)
        label = f"{head_repo.owner}:{head_ref}"
        for pr in state.pulls.get(base_repo.full_name, []):
            if (
                pr.state == "open"
                and pr.head_repo == head_repo.full_name
                and pr.head_ref == head_ref
                and pr.base_ref == base
            ):
                raise validation_failed(
                    f"A pull request already exists for {label}.", "PullRequest", doc=PULLS_DOCS
                )
        try:
            ahead = state.git(head_repo.full_name).count_commits(base_sha, head_sha)
        except GitError:
            ahead = 1
        if ahead == 0:
            raise validation_failed(
                f"No commits between {base} and {label}", "PullRequest", doc=PULLS_DOCS
            )
        pr = state.add_pull(
            repo=base_repo.full_name,
            title=title,
            body=body.get("body") or "",
            user=login,
            head_repo=head_repo.full_name,
            head_ref=head_ref,
            base_ref=base,
            head_sha=head_sha,
            maintainer_can_modify=bool(body.get("maintainer_can_modify")),
            draft=bool(body.get("draft")),
        )
        publish_pull_ref(self.forge, pr)
        data = pull_json(self.urls, state, pr, self.login)
        self.set_header("Location", data["url"])
        self.write_json(data, 201)

    def _head_repo(self, base_repo: Repo, head_owner: str, head_repo_name) -> Repo | None:
        """The repository `owner:branch` refers to: `owner`'s repo in the base's network."""
        state = self.forge.state
        if isinstance(head_repo_name, str) and head_repo_name:
            repo = state.repos.get(f"{head_owner}/{head_repo_name}")
            return repo if repo and state.same_network(repo, base_repo) else None
        if head_owner == base_repo.owner:
            return base_repo
        candidates = [
            r
            for r in state.repos.values()
            if r.owner == head_owner and state.same_network(r, base_repo)
        ]
        return candidates[0] if candidates else None


class PullHandler(ForgeHandler):
    def _pull(self, owner, name, number) -> tuple[Repo, PullRequest]:
        repo = self.repo_or_404(owner, name)
        pr = self.forge.state.find_pull(repo.full_name, int(number))
        if pr is None:
            raise not_found()
        refresh(self.forge, pr)
        return repo, pr

    @locked
    def get(self, owner, name, number):
        _, pr = self._pull(owner, name, number)
        self.write_json(pull_json(self.urls, self.forge.state, pr, self.login))

    @locked
    def patch(self, owner, name, number):
        state = self.forge.state
        login = self.require_login()
        repo, pr = self._pull(owner, name, number)
        if login != pr.user and repo.permission(login) not in ("push", "admin"):
            raise APIError(403, "Resource not accessible by personal access token")
        body = self.json_body()
        if "title" in body and isinstance(body["title"], str):
            _check_title(body["title"])
            pr.title = body["title"]
        if "body" in body:
            pr.body = body["body"] or ""
        if "maintainer_can_modify" in body:
            pr.maintainer_can_modify = bool(body["maintainer_can_modify"])
        if "base" in body:
            if state.git(repo.full_name).ref_sha(f"refs/heads/{body['base']}") is None:
                raise validation_failed("", "PullRequest", "invalid", "base", PULLS_DOCS)
            pr.base_ref = body["base"]
        new_state = body.get("state")
        if new_state in ("open", "closed") and pr.merged_at is None and new_state != pr.state:
            if new_state == "open":
                for other in state.pulls.get(repo.full_name, []):
                    if (
                        other is not pr
                        and other.state == "open"
                        and other.head_repo == pr.head_repo
                        and other.head_ref == pr.head_ref
                        and other.base_ref == pr.base_ref
                    ):
                        raise validation_failed(
                            "A pull request already exists for this head",
                            "PullRequest",
                            doc=PULLS_DOCS,
                        )
            pr.state = new_state
            pr.closed_at = now_iso() if new_state == "closed" else None
        pr.updated_at = now_iso()
        state.save()
        self.write_json(pull_json(self.urls, state, pr, self.login))


class MergeHandler(PullHandler):
    """`PUT .../pulls/{n}/merge`: a real merge commit on the base branch (for demos)."""

    @locked
    def put(self, owner, name, number):
        state = self.forge.state
        repo, pr = self._pull(owner, name, number)
        self.repo_or_404(owner, name, need="push")
        if pr.state != "open":
            raise APIError(405, "Pull Request is not mergeable")
        body = self.json_body()
        expected = body.get("sha")
        if expected and expected != pr.head_sha:
            raise APIError(409, "Head branch was modified. Review and try the merge again.")
        git = state.git(repo.full_name)
        publish_pull_ref(self.forge, pr)
        base_sha = git.ref_sha(f"refs/heads/{pr.base_ref}")
        try:
            tree = git.git("merge-tree", "--write-tree", base_sha, pr.head_sha).decode().split()[0]
        except GitError:
            raise APIError(405, "Pull Request is not mergeable") from None
        user = state.users[self.login]
        person = Person(user.name, user.email, now_iso())
        method = body.get("merge_method", "merge")
        title = body.get("commit_title") or (
            f"{pr.title} (#{pr.number})"
            if method == "squash"
            else f"Merge pull request #{pr.number} from {pr.head_repo.split('/')[0]}/{pr.head_ref}"
        )
        message = title + ("\n\n" + body["commit_message"] if body.get("commit_message") else "")
        parents = [base_sha] if method == "squash" else [base_sha, pr.head_sha]
        sha = git.commit_tree(tree, parents, message, person, person)
        git.update_ref(f"refs/heads/{pr.base_ref}", sha, base_sha)
        pr.state, pr.merged_at = "closed", now_iso()
        pr.closed_at = pr.updated_at = pr.merged_at
        state.save()
        self.write_json({"sha": sha, "merged": True, "message": "Pull Request successfully merged"})
