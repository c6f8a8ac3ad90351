"""A small asyncio HTTP/1.1 client for the load benchmarks (loopback only).

50 Python threads with ``requests`` cost the 2-core machine as much CPU as the
server they measure; one event loop with keep-alive connections costs a few
percent. Enough HTTP for our own server: Content-Length or chunked bodies,
the session cookie, form and multipart POSTs, JSON.

    client = await Client.login("127.0.0.1", port, "anna", "password")
    status, body = await client.get("/objects")
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
import uuid
from typing import Any

COOKIE = "geoleads_session"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Client:
    """One browser-like client: its own keep-alive connection and session cookie."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookie = ""
        self.csrf = ""
        self._rw: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    @classmethod
    async def login(cls, host: str, port: int, user: str, password: str) -> Client:
        """A client logged in as ``user`` (with the CSRF token of its session)."""
        c = cls(host, port)
        _, page = await c.get("/login")
        body = {"username": user, "password": password, "csrf_token": csrf_of(page)}
        status, _ = await c.post_form("/login", body)
        if status != 302:
            raise RuntimeError(f"login of {user} failed: HTTP {status}")
        c.csrf = csrf_of((await c.get("/account"))[1])
        return c

    def clone(self) -> Client:
        """Another connection with the same session (cookie and CSRF token)."""
        c = Client(self.host, self.port)
        c.cookie, c.csrf = self.cookie, self.csrf
        return c

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self.request("GET", path)

    async def post_form(self, path: str, fields: Any) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(fields).encode()
        return await self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    async def post_json(self, path: str, data: Any) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf}
        return await self.request("POST", path, json.dumps(data).encode(), headers)

    async def post_file(
        self, path: str, fields: dict[str, str], name: str, content: bytes
    ) -> tuple[int, bytes]:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return await self.request("POST", path, b"".join(parts), headers)

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        retry: bool = True,
    ) -> tuple[int, bytes]:
        """Send one request on the keep-alive connection; (status, body)."""
        if self._rw is None:
            self._rw = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._rw
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookie:
            lines.append(f"Cookie: {COOKIE}={self.cookie}")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            return await self._response(reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not retry:
                raise
            # the server closed an idle keep-alive connection: once more on a new one
            return await self.request(method, path, body, headers, retry=False)

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        length, chunked, close = None, False, False
        for line in head[1:]:
            if ":" not in line:
                continue
            key, value = (x.strip() for x in line.split(":", 1))
            key = key.lower()
            if key == "content-length":
                length = int(value)
            elif key == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif key == "connection" and value.lower() == "close":
                close = True
            elif key == "set-cookie" and value.startswith(COOKIE + "="):
                self.cookie = value.split(";", 1)[0].split("=", 1)[1]
        if chunked:
            data = bytearray()
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                data += await reader.readexactly(size)
                await reader.readexactly(2)
            body = bytes(data)
        elif length is not None:
            body = await reader.readexactly(length)
        else:
            body = await reader.read()
            close = True
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self._rw is not None:
            self._rw[1].close()
            self._rw = None


def csrf_of(page: bytes | str) -> str:
    """The CSRF token of a page's form."""
    text = page.decode("utf-8", "replace") if isinstance(page, bytes) else page
    found = _CSRF.search(text)
    if found is None:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1)
