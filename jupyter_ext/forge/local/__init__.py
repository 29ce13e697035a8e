"""A local, GitHub-compatible forge (REST v3 subset + device flow + git over HTTP).

Backed by real bare git repositories: branches are refs, files written through
the API are commits, PRs point at real branches. The unmodified PyGithub client
talks to it through `Github(base_url=forge.api_url, ...)`. Used by the tests,
the UI tests and the offline demo; never imported by the Jupyter server.

Modules: `app` (routes, `LocalForge`), `base` (request pipeline), `gitstore`
(git plumbing), `state` (records), `shapes` (GitHub JSON), `repos`, `gitdata`,
`pulls`, `users`, `oauth` + `device` (device flow), `web` (PR pages),
`githttp` (smart HTTP), `faults` (injection, counting), `admin` (`/_forge`).
"""

from .app import LocalForge

__all__ = ["LocalForge"]
