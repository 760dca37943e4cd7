"""The sandbox's shared state: auth codes, tokens, the rate limiter and the optional state file.

Everything here runs under one re-entrant lock because the HTTP server answers each connection on
its own thread. Methods are whole transactions (look up, check, spend, issue, persist), so two
concurrent exchanges of one auth code can never both succeed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from tui.sandbox.accounts import DEMO_USER_ID, DemoApp, SandboxAccount

log = logging.getLogger(__name__)

_PRUNE_AFTER = 86400.0
"""Forget access tokens this long after they expired (they only matter for 'expired N ago')."""


class GrantError(Exception):
    """A token request refused with one of HubSpot's OAuth codes (see `wire.OAUTH_ERRORS`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class AuthCode:
    """An issued, not yet spent authorization code."""

    client_id: str
    redirect_uri: str
    hub_id: int
    scopes: tuple[str, ...]
    code_challenge: str
    issued_at: float


@dataclass
class RefreshRecord:
    """A live refresh token: one app install in one account."""

    token: str
    client_id: str
    hub_id: int
    scopes: tuple[str, ...]
    user_id: int
    issued_at: float


@dataclass
class AccessRecord:
    """An issued access token (kept after expiry so a 401 can say how long ago it expired)."""

    token: str
    refresh_token: str
    client_id: str
    hub_id: int
    scopes: tuple[str, ...]
    user_id: int
    issued_at: float
    expires_at: float


def pkce_s256(verifier: str) -> str:
    """The S256 code challenge of `verifier` (RFC 7636: base64url of SHA-256, no padding)."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def same(a: str, b: str) -> bool:
    """Constant-time string equality for any text (`compare_digest` on str is ASCII-only)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class RateLimiter:
    """A rolling-window limiter per key: at most `max_requests` in any `interval` seconds."""

    def __init__(self, max_requests: int, interval: float, clock: Callable[[], float]) -> None:
        self.max_requests = max_requests
        self.interval = interval
        self._clock = clock
        self._hits: dict[object, deque[float]] = {}

    @property
    def interval_ms(self) -> int:
        """The window length in milliseconds, as `X-HubSpot-RateLimit-Interval-Milliseconds`."""
        return int(self.interval * 1000)

    def _window(self, key: object) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        horizon = self._clock() - self.interval
        while hits and hits[0] <= horizon:
            hits.popleft()
        return hits

    def hit(self, key: object) -> tuple[bool, int]:
        """Count one request for `key` unless the window is full.

        Returns:
            (allowed, remaining after this request). A refused request is not counted.
        """
        hits = self._window(key)
        if len(hits) >= self.max_requests:
            return False, 0
        hits.append(self._clock())
        return True, self.max_requests - len(hits)

    def remaining(self, key: object) -> int:
        """Requests left in `key`'s current window, without counting one."""
        return max(0, self.max_requests - len(self._window(key)))

    def reset(self) -> None:
        """Forget every counted request."""
        self._hits.clear()


class SandboxState:
    """Accounts, registered redirect URIs, codes and tokens, behind one lock.

    Args:
        app: the registered OAuth app.
        accounts: the accounts offered on the chooser (the list object is shared, not copied).
        redirect_uris: the app's registered redirect URLs.
        token_lifetime: access token lifetime in seconds.
        code_ttl: auth code lifetime in seconds.
        clock: returns the current Unix time; injectable for tests.
        state_file: where tokens persist, or None to keep them in memory only.
        rate_limit: (max requests, window seconds) per app and account.
    """

    def __init__(
        self,
        *,
        app: DemoApp,
        accounts: list[SandboxAccount],
        redirect_uris: Iterable[str],
        token_lifetime: int,
        code_ttl: int,
        clock: Callable[[], float],
        state_file: Path | None,
        rate_limit: tuple[int, float],
    ) -> None:
        self.lock = threading.RLock()
        self.app = app
        self.accounts = accounts
        self.redirect_uris: list[str] = list(dict.fromkeys(redirect_uris))
        self.token_lifetime = token_lifetime
        self.code_ttl = code_ttl
        self.clock = clock
        self.state_file = state_file
        self.limiter = RateLimiter(rate_limit[0], rate_limit[1], clock)
        self._codes: dict[str, AuthCode] = {}
        self._refresh: dict[str, RefreshRecord] = {}
        self._access: dict[str, AccessRecord] = {}
        if state_file is not None:
            self._load(state_file)

    # ------------------------------------------------------------------ lookups

    def find_account(self, hub_id: int) -> SandboxAccount | None:
        """The account with `hub_id`, or None."""
        with self.lock:
            return next((a for a in self.accounts if a.hub_id == hub_id), None)

    def redirect_registered(self, uri: str) -> bool:
        """True when `uri` is exactly one of the app's registered redirect URLs."""
        with self.lock:
            return uri in self.redirect_uris

    def register_redirect_uri(self, uri: str) -> None:
        """Add `uri` to the app's registered redirect URLs (idempotent)."""
        with self.lock:
            if uri not in self.redirect_uris:
                self.redirect_uris.append(uri)

    def access_record(self, token: str) -> AccessRecord | None:
        """The record of an issued access token (expired or not), or None when unknown."""
        with self.lock:
            return self._access.get(token)

    def refresh_record(self, token: str) -> RefreshRecord | None:
        """The record of a live refresh token, or None when unknown or revoked."""
        with self.lock:
            return self._refresh.get(token)

    def is_live(self, record: AccessRecord) -> bool:
        """True while `record` has not expired."""
        return self.clock() < record.expires_at

    # ------------------------------------------------------------------ codes

    def issue_code(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        hub_id: int,
        scopes: tuple[str, ...],
        code_challenge: str,
    ) -> str:
        """Issue a single-use authorization code.

        Returns:
            The code: unguessable (a random UUID4 behind a hublet prefix, as HubSpot's look).
        """
        with self.lock:
            now = self.clock()
            for stale in [c for c, r in self._codes.items() if now - r.issued_at > self.code_ttl]:
                del self._codes[stale]
            account = self.find_account(hub_id)
            hublet = account.data_hosting_location if account else "na1"
            code = f"{hublet}-{uuid.uuid4()}"
            self._codes[code] = AuthCode(
                client_id, redirect_uri, hub_id, scopes, code_challenge, now
            )
            return code

    def exchange_code(
        self, *, client_id: str, code: str, redirect_uri: str, code_verifier: str
    ) -> AccessRecord:
        """Spend `code` for a refresh token and an access token.

        The code is spent on every use that finds it, successful or not, as HubSpot does, so a
        leaked code cannot be retried with a corrected redirect URI or verifier.

        Raises:
            GrantError: BAD_AUTH_CODE, EXPIRED_AUTH_CODE, BAD_REDIRECT_URI,
                MISMATCH_REDIRECT_URI_AUTH_CODE or BAD_CODE_VERIFIER.
        """
        with self.lock:
            record = self._codes.pop(code, None) if code else None
            if record is None:
                raise GrantError("BAD_AUTH_CODE")
            now = self.clock()
            if now - record.issued_at >= self.code_ttl:
                raise GrantError("EXPIRED_AUTH_CODE")
            if not same(record.client_id, client_id):
                raise GrantError("BAD_AUTH_CODE")
            if redirect_uri != record.redirect_uri:
                if not self.redirect_registered(redirect_uri):
                    raise GrantError("BAD_REDIRECT_URI")
                raise GrantError("MISMATCH_REDIRECT_URI_AUTH_CODE")
            if record.code_challenge and not same(pkce_s256(code_verifier), record.code_challenge):
                raise GrantError("BAD_CODE_VERIFIER")
            account = self.find_account(record.hub_id)
            if account is None:
                raise GrantError("BAD_AUTH_CODE")
            refresh = RefreshRecord(
                token=f"{account.data_hosting_location}-{uuid.uuid4()}",
                client_id=client_id,
                hub_id=record.hub_id,
                scopes=record.scopes,
                user_id=DEMO_USER_ID,
                issued_at=now,
            )
            self._refresh[refresh.token] = refresh
            return self._issue_access(refresh)

    def refresh(self, *, client_id: str, refresh_token: str) -> AccessRecord:
        """A new access token for a live refresh token (the refresh token itself is kept).

        Raises:
            GrantError: BAD_REFRESH_TOKEN when unknown, revoked, another app's, or its
                account no longer exists.
        """
        with self.lock:
            record = self._refresh.get(refresh_token) if refresh_token else None
            if record is None or record.client_id != client_id:
                raise GrantError("BAD_REFRESH_TOKEN")
            if self.find_account(record.hub_id) is None:
                raise GrantError("BAD_REFRESH_TOKEN")
            return self._issue_access(record)

    def _issue_access(self, refresh: RefreshRecord) -> AccessRecord:
        now = self.clock()
        for stale in [t for t, r in self._access.items() if now - r.expires_at > _PRUNE_AFTER]:
            del self._access[stale]
        # HubSpot access tokens are opaque and a few hundred characters long; callers must not
        # assume a length, so 200 random URL-safe characters keep them honest.
        token = ("C" + secrets.token_urlsafe(150))[:200]
        record = AccessRecord(
            token=token,
            refresh_token=refresh.token,
            client_id=refresh.client_id,
            hub_id=refresh.hub_id,
            scopes=refresh.scopes,
            user_id=refresh.user_id,
            issued_at=now,
            expires_at=now + self.token_lifetime,
        )
        self._access[token] = record
        self._save()
        return record

    # ------------------------------------------------------------------ revocation

    def revoke_refresh(self, token: str) -> bool:
        """Revoke a refresh token and every access token issued from it.

        Returns:
            True when the token was live.
        """
        with self.lock:
            record = self._refresh.pop(token, None)
            if record is None:
                return False
            for access in [t for t, r in self._access.items() if r.refresh_token == token]:
                del self._access[access]
            self._save()
            return True

    def revoke_access(self, token: str) -> bool:
        """Revoke one access token. Returns True when it was known."""
        with self.lock:
            if self._access.pop(token, None) is None:
                return False
            self._save()
            return True

    def revoke_account(self, hub_id: int) -> None:
        """Drop every token of `hub_id`, as an uninstall does."""
        with self.lock:
            for token in [t for t, r in self._refresh.items() if r.hub_id == hub_id]:
                del self._refresh[token]
            for token in [t for t, r in self._access.items() if r.hub_id == hub_id]:
                del self._access[token]
            self._save()

    def expire_access_tokens(self) -> None:
        """Make every issued access token expire now."""
        with self.lock:
            now = self.clock()
            for record in self._access.values():
                record.expires_at = min(record.expires_at, now)
            self._save()

    # ------------------------------------------------------------------ persistence

    def _save(self) -> None:
        """Write tokens to the state file atomically (temp file in the same dir, 0600, replace)."""
        path = self.state_file
        if path is None:
            return
        payload = {
            "version": 1,
            "refresh_tokens": [asdict(r) for r in self._refresh.values()],
            "access_tokens": [asdict(r) for r in self._access.values()],
        }
        data = json.dumps(payload, indent=1).encode("utf-8")
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        except OSError as exc:
            log.warning("sandbox: cannot write state file %s: %s", path, exc.strerror)
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("sandbox: cannot write state file %s: %s", path, exc.strerror)
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def _load(self, path: Path) -> None:
        """Read tokens back; a missing or unreadable file just means a fresh start."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            refresh = [_refresh_from(item) for item in raw.get("refresh_tokens", [])]
            access = [_access_from(item) for item in raw.get("access_tokens", [])]
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("sandbox: ignoring unreadable state file %s (%s)", path, type(exc).__name__)
            return
        self._refresh = {r.token: r for r in refresh}
        self._access = {a.token: a for a in access}


def _refresh_from(item: dict[str, object]) -> RefreshRecord:
    return RefreshRecord(
        token=str(item["token"]),
        client_id=str(item["client_id"]),
        hub_id=int(str(item["hub_id"])),
        scopes=tuple(str(s) for s in _list(item["scopes"])),
        user_id=int(str(item["user_id"])),
        issued_at=float(str(item["issued_at"])),
    )


def _access_from(item: dict[str, object]) -> AccessRecord:
    return AccessRecord(
        token=str(item["token"]),
        refresh_token=str(item["refresh_token"]),
        client_id=str(item["client_id"]),
        hub_id=int(str(item["hub_id"])),
        scopes=tuple(str(s) for s in _list(item["scopes"])),
        user_id=int(str(item["user_id"])),
        issued_at=float(str(item["issued_at"])),
        expires_at=float(str(item["expires_at"])),
    )


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value
