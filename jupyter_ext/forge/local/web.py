"""Human pages: an index of repositories and one page per pull request with its diff.

Enough for demos and screenshots: a PR page shows the title, who wants to merge
what into what, the body, and the diff coloured line by line.
"""

from __future__ import annotations

import re
from html import escape

from .base import ForgeHandler, locked, not_found
from .pulls import refresh

STYLE = """
body { font: 14px/1.5 system-ui, sans-serif; margin: 0; color: #1f2328; }
header { background: #24292f; color: #fff; padding: .8em 2em; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
main { max-width: 60em; margin: 1.5em auto; padding: 0 1em; }
.state { display: inline-block; padding: .2em .8em; border-radius: 2em; color: #fff;
         font-weight: 600; }
.open { background: #1f883d; } .closed { background: #cf222e; } .merged { background: #8250df; }
.meta { color: #59636e; } code { background: #eff1f3; padding: .1em .3em; border-radius: 4px; }
.body { border: 1px solid #d1d9e0; border-radius: 6px; padding: 0 1.2em; }
.body table { margin: .5em 0; } .body td, .body th { border: 1px solid #d1d9e0; padding: .2em .6em; }
.body h2 { font-size: 1.3em; } .body h3 { font-size: 1.1em; }
.raw { white-space: pre-wrap; font: 12.5px ui-monospace, monospace; }
.diff { border: 1px solid #d1d9e0; border-radius: 6px; overflow-x: auto; margin-top: 1em;
        font: 12px/1.45 ui-monospace, monospace; }
.diff div { padding: 0 .8em; white-space: pre; }
.add { background: #dafbe1; } .del { background: #ffebe9; } .hunk { background: #ddf4ff; }
.file { background: #f6f8fa; font-weight: 600; border-top: 1px solid #d1d9e0; }
table { border-collapse: collapse; } td { padding: .2em 1em .2em 0; }
"""


def page(title: str, content: str) -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><header><a href='/'>Local forge</a></header>"
        f"<main>{content}</main></body></html>"
    )


# Text glyphs rather than emoji: they render with any font (headless browsers too).
EMOJI = {":white_check_mark:": "\u2713", ":x:": "\u2717", ":warning:": "\u26a0"}


def body_html(body: str) -> str:
    """The PR body as GitHub shows it: Markdown (raw HTML escaped), a few emoji shortcodes.

    mistune comes with jupyter_server (through nbconvert); without it, the text as is.
    """
    if not body.strip():
        return "<i>No description.</i>"
    try:
        import mistune
    except ImportError:
        return f'<pre class="raw">{escape(body)}</pre>'
    for code, char in EMOJI.items():
        body = body.replace(code, char)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)  # hidden on GitHub too
    body = body.replace("<sub>", "").replace("</sub>", "")  # escaped otherwise
    render = mistune.create_markdown(escape=True, plugins=["table"])
    return render(body)


def diff_html(diff: str) -> str:
    rows = []
    for line in diff.splitlines():
        if line.startswith("diff --git"):
            css = "file"
        elif line.startswith(("+++", "---", "index ", "new file", "deleted file")):
            continue
        elif line.startswith("@@"):
            css = "hunk"
        elif line.startswith("+"):
            css = "add"
        elif line.startswith("-"):
            css = "del"
        else:
            css = ""
        text = line.split(" b/", 1)[-1] if css == "file" else line
        rows.append(f'<div class="{css}">{escape(text) or "&nbsp;"}</div>')
    return f'<div class="diff">{"".join(rows)}</div>'


class WebHandler(ForgeHandler):
    kind = "web"

    def html(self, title: str, content: str) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page(title, content))


class IndexPage(WebHandler):
    @locked
    def get(self):
        state = self.forge.state
        rows = []
        for repo in sorted(state.repos.values(), key=lambda r: r.full_name):
            pulls = state.pulls.get(repo.full_name, [])
            links = " ".join(
                f'<a href="/{repo.full_name}/pull/{p.number}">#{p.number}</a>' for p in pulls
            )
            fork = f" (fork of {escape(repo.fork_of)})" if repo.fork_of else ""
            rows.append(
                f"<tr><td><b>{escape(repo.full_name)}</b>{fork}</td>"
                f"<td><code>{escape(repo.default_branch)}</code></td><td>{links}</td></tr>"
            )
        self.html("Local forge", "<h1>Repositories</h1><table>" + "".join(rows) + "</table>")


class PullPage(WebHandler):
    def _load(self, owner, name, number):
        state = self.forge.state
        repo = state.repos.get(f"{owner}/{name}")
        pr = state.find_pull(repo.full_name, int(number)) if repo else None
        if pr is None:
            raise not_found()
        refresh(self.forge, pr)
        base_sha = state.git(repo.full_name).ref_sha(f"refs/heads/{pr.base_ref}")
        diff = state.git(pr.head_repo).diff(base_sha, pr.head_sha) if base_sha else ""
        return repo, pr, diff

    @locked
    def get(self, owner, name, number, suffix=None):
        repo, pr, diff = self._load(owner, name, number)
        if suffix in (".diff", ".patch"):
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(diff)
            return
        status = "merged" if pr.merged_at else pr.state
        head_owner = pr.head_repo.split("/")[0]
        content = f"""
<h1>{escape(pr.title)} <span class="meta">#{pr.number}</span></h1>
<p><span class="state {status}">{status.capitalize()}</span>
<b>{escape(pr.user)}</b> wants to merge into <code>{escape(repo.full_name)}:{escape(pr.base_ref)}</code>
from <code>{escape(head_owner)}:{escape(pr.head_ref)}</code>
<span class="meta">· head {pr.head_sha[:7]} · opened {escape(pr.created_at)}</span></p>
<div class="body">{body_html(pr.body)}</div>
<h2>Files changed</h2>
{diff_html(diff)}
<p class="meta"><a href="/{escape(repo.full_name)}/pull/{pr.number}.diff">raw diff</a></p>"""
        self.html(f"{pr.title} · Pull Request #{pr.number}", content)
