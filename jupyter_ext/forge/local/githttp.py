"""Git smart HTTP (read-only): `git clone http://forge/owner/repo.git` works.

Proxies to `git http-backend` as a CGI, which implements the protocol
(v0 and v2, gzip request bodies) exactly as git servers do. Pushing over HTTP
is off: writes go through the API, like a PR submission does.
"""

from __future__ import annotations

import asyncio

from .base import ForgeHandler, not_found
from .gitstore import git_env


class GitHTTPHandler(ForgeHandler):
    kind = "git"

    async def get(self, owner, name, service_path):
        await self._backend(owner, name, service_path)

    async def post(self, owner, name, service_path):
        await self._backend(owner, name, service_path)

    async def _backend(self, owner, name, service_path):
        name = name.removesuffix(".git")
        with self.forge.state.lock:
            repo = self.forge.state.repos.get(f"{owner}/{name}")
            if repo is None or repo.private or not repo.ready():
                raise not_found()
            root = self.forge.state.data_dir / "repos"
        if service_path not in ("info/refs", "git-upload-pack", "HEAD"):
            raise not_found()
        env = {
            **git_env(),
            "GIT_PROJECT_ROOT": str(root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": f"/{owner}/{name}.git/{service_path}",
            "REQUEST_METHOD": self.request.method,
            "QUERY_STRING": self.request.query,
            "CONTENT_TYPE": self.request.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(self.request.body or b"")),
            "REMOTE_ADDR": self.request.remote_ip or "",
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        if "Content-Encoding" in self.request.headers:
            env["HTTP_CONTENT_ENCODING"] = self.request.headers["Content-Encoding"]
        if "Git-Protocol" in self.request.headers:
            env["GIT_PROTOCOL"] = self.request.headers["Git-Protocol"]
        proc = await asyncio.create_subprocess_exec(
            "git",
            "http-backend",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        out, _ = await proc.communicate(self.request.body or b"")
        head, _, body = out.partition(b"\r\n\r\n")
        if not _:
            head, _, body = out.partition(b"\n\n")
        self.clear_header("Content-Type")
        for line in head.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                self.set_status(int(value.strip().split()[0]))
            elif key:
                self.set_header(key.strip(), value.strip())
        self.finish(body)
