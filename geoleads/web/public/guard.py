"""Abuse resistance for the public form that does not track people.

* :class:`AddressLimiter` — a sliding-window limit per client address, held in
  memory only; the address is replaced by an HMAC with a random salt made when
  the process starts (never written anywhere), so even a memory dump does not
  list addresses, and nothing survives a restart.
* :class:`FormTokens` — CSRF without cookies: each form carries a signed,
  time-limited, single-use token bound to the object; together with the
  :func:`cross_site` check (``Origin`` / ``Sec-Fetch-Site``) no other site can
  make a visitor's browser post tips.
* :class:`ForgetClient` — WSGI middleware that hides the client address and
  user agent of public requests from everything after the rate limit, including
  the server's access log; :class:`AddressScrubber` — a logging filter that also
  blanks the address in werkzeug's access-log lines of the public pages.

>>> limiter = AddressLimiter(attempts=2, window_s=60)
>>> [limiter.hit("203.0.113.9", now=t) for t in (0.0, 1.0, 2.0)]
[True, True, False]
>>> "203.0.113.9" in repr(limiter._hits)
False
>>> tokens = FormTokens("secret" * 8)
>>> t = tokens.issue("OBJ-1")
>>> tokens.check(t, "OBJ-1"), tokens.claim(t), tokens.check(t, "OBJ-1")
('ok', True, 'used')
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class AddressLimiter:
    """At most ``attempts`` per ``window_s`` seconds per (salted-hash of an) address."""

    def __init__(self, attempts: int = 10, window_s: float = 600.0, max_keys: int = 100_000):
        self.attempts = attempts
        self.window_s = window_s
        self.max_keys = max_keys
        self._salt = secrets.token_bytes(32)  # per process, never stored
        self._hits: OrderedDict[bytes, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _key(self, address: str) -> bytes:
        return hmac.new(self._salt, address.encode(), hashlib.sha256).digest()[:16]

    def hit(self, address: str, now: float | None = None) -> bool:
        """Count one submission from ``address``; False when its limit is reached."""
        if self.attempts <= 0:
            return True
        now = time.monotonic() if now is None else now
        key = self._key(address)
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            allowed = len(hits) < self.attempts
            if allowed:
                hits.append(now)
            self._hits[key] = hits  # most recently used last
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            return allowed

    def retry_after(self, address: str, now: float | None = None) -> int:
        """Seconds until ``address`` may submit again (0 if it may now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(self._key(address))
            if not hits or len(hits) < self.attempts:
                return 0
            return max(1, int(hits[0] + self.window_s - now + 0.999))


class FormTokens:
    """Signed, time-limited, single-use form tokens bound to one object."""

    def __init__(self, secret_key: str, max_age_s: int = 6 * 3600) -> None:
        self.max_age_s = max_age_s
        self._serializer = URLSafeTimedSerializer(secret_key, salt="geoleads.public.tip-form")
        self._used: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self, object_id: str) -> str:
        """A fresh token for the form of ``object_id``."""
        return str(self._serializer.dumps([object_id, secrets.token_urlsafe(12)]))

    def _nonce(self, token: str, object_id: str) -> str | None:
        try:
            bound, nonce = self._serializer.loads(token, max_age=self.max_age_s)
        except SignatureExpired:
            return "expired"
        except (BadSignature, ValueError, TypeError):
            return None
        return str(nonce) if bound == object_id else None

    def check(self, token: str | None, object_id: str) -> str:
        """``"ok"``, ``"expired"``, ``"used"`` or ``"bad"``."""
        nonce = self._nonce(token or "", object_id)
        if nonce is None:
            return "bad"
        if nonce == "expired":
            return "expired"
        with self._lock:
            return "used" if nonce in self._used else "ok"

    def claim(self, token: str) -> bool:
        """Mark a checked token used; False when another request claimed it first."""
        _, nonce = self._serializer.loads(token)
        now = time.monotonic()
        with self._lock:
            while self._used and next(iter(self._used.values())) < now - self.max_age_s:
                self._used.popitem(last=False)
            if nonce in self._used:
                return False
            self._used[nonce] = now
            return True

    def release(self, token: str) -> None:
        """Let a claimed token be used again (the submission could not be stored)."""
        _, nonce = self._serializer.loads(token)
        with self._lock:
            self._used.pop(nonce, None)


def cross_site(headers: Any, host: str) -> bool:
    """True when a browser says the request comes from another site.

    >>> cross_site({"Sec-Fetch-Site": "cross-site"}, "tips.example")
    True
    >>> cross_site({"Origin": "https://tips.example"}, "tips.example")
    False
    >>> cross_site({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, "tips.example")
    False
    """
    site = headers.get("Sec-Fetch-Site")
    if site:  # modern browsers: the most reliable signal
        return site not in ("same-origin", "none")
    origin = headers.get("Origin")
    # "null" is what a browser sends under our Referrer-Policy: no-referrer; the token decides.
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() != host.lower()
    return False


#: Where :class:`ForgetClient` keeps the client address for the rate limit (this request only).
CLIENT_KEY = "geoleads.public.client_address"


class ForgetClient:
    """WSGI middleware: the client address and user agent disappear from public requests.

    For paths under ``prefix`` it moves ``REMOTE_ADDR`` to :data:`CLIENT_KEY` (read
    only by the rate limit), sets ``REMOTE_ADDR`` to ``"-"`` and drops the user
    agent. Servers that write their access log from the request's environ
    (werkzeug's, gunicorn's) then log ``-`` instead of the address.

    >>> seen = {}
    >>> app = ForgetClient(lambda env, start: seen.update(env) or [], "/public")
    >>> _ = app({"PATH_INFO": "/public/", "REMOTE_ADDR": "203.0.113.9",
    ...          "HTTP_USER_AGENT": "Agent/1"}, None)
    >>> seen["REMOTE_ADDR"], "HTTP_USER_AGENT" in seen, seen[CLIENT_KEY]
    ('-', False, '203.0.113.9')
    """

    def __init__(self, app: Any, prefix: str = "/public") -> None:
        self.app = app
        self.prefix = prefix

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if str(environ.get("PATH_INFO", "")).startswith(self.prefix):
            environ[CLIENT_KEY] = environ.get("REMOTE_ADDR") or "-"
            environ["REMOTE_ADDR"] = "-"
            for key in (
                "HTTP_USER_AGENT",
                "HTTP_X_FORWARDED_FOR",
                "HTTP_X_REAL_IP",
                "HTTP_FORWARDED",
                "werkzeug.proxy_fix.orig",
            ):
                environ.pop(key, None)
        return self.app(environ, start_response)


_ADDRESS = re.compile(r"^\S+ - - ")


class AddressScrubber(logging.Filter):
    """Blank the client address of werkzeug access-log lines (of paths under ``prefix``).

    >>> rec = logging.LogRecord("werkzeug", 20, "", 0, '203.0.113.9 - - [x] "%s" %s %s',
    ...                         ("POST /public/objects/A HTTP/1.1", "303", "-"), None)
    >>> AddressScrubber("/public").filter(rec), rec.getMessage()
    (True, '- - - [x] "POST /public/objects/A HTTP/1.1" 303 -')
    """

    def __init__(self, prefix: str | None = None) -> None:
        super().__init__()
        self.prefix = prefix

    def _concerns(self, record: logging.LogRecord) -> bool:
        if self.prefix is None:
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        needle = f" {self.prefix}"
        return any(needle in str(a) for a in args) or needle in str(record.msg)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and self._concerns(record):
            record.msg = _ADDRESS.sub("- - - ", record.msg)
        return True


def scrub_access_log(prefix: str | None) -> AddressScrubber:
    """Install (once per prefix) an :class:`AddressScrubber` on the ``werkzeug`` logger."""
    logger = logging.getLogger("werkzeug")
    for existing in logger.filters:
        if isinstance(existing, AddressScrubber) and existing.prefix == prefix:
            return existing
    scrubber = AddressScrubber(prefix)
    logger.addFilter(scrubber)
    return scrubber


__all__ = [
    "CLIENT_KEY",
    "AddressLimiter",
    "AddressScrubber",
    "ForgetClient",
    "FormTokens",
    "cross_site",
    "scrub_access_log",
]
