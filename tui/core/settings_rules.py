"""App settings rules shared by `hubspot-tui configure` and the Credentials screen (F3).

`apply_settings` is the one way new settings reach a profile: it trims every value, validates all
of them first, and only when none is refused builds the new `AppConfig`. Nothing invalid is ever
written over a valid value, and the outcome says field by field what changed and what was refused
(and why), so both faces can report it in their own words.

An install URL (the app's "Sample install URL") is one more source of values: its client id,
redirect (loopback → callback port, `https://HOST/connector/callback` → partner id, anything else →
redirect URL), region (`app-eu1` → EU), scopes and hub pin go through the same checks as typed ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from tui.core.loopback import is_loopback_redirect, on_localhost, redirect_port
from tui.core.profile import CALLBACK_PATH, AppConfig
from tui.hubspot import validate
from tui.hubspot.models import Region

FIELD_LABELS: dict[str, str] = {
    "install_url": "Install URL",
    "client_id": "Client ID",
    "client_secret": "Client secret",
    "callback_port": "Callback port",
    "redirect_uri": "Redirect URL",
    "partner_id": "Partner id",
    "region": "Region",
    "scopes": "Required scopes",
    "optional_scopes": "Optional scopes",
    "token_version": "Token version",
    "hub_pin": "Account pin",
}
"""Field name → the words both faces use for it."""

CONNECTOR_PATH = "/connector/callback"
"""Path of the integration platform's redirect URL (`https://{partner_id}/connector/callback`)."""

_EU_HOST_RE = re.compile(r"app-eu\d+\.")
_NA_HOST_RE = re.compile(r"app(?:-na\d+)?\.hubspot\.com$")
_TOKEN_VERSIONS = ("v3", "v1")

ScopeText = str | Sequence[str]


@dataclass(frozen=True)
class SettingsInput:
    """Values a user gave; None means "not given, keep what is stored".

    Text comes as typed or pasted: surrounding white space is trimmed by `apply_settings`.
    Scope lists may be one string (`"oauth crm.objects.deals.read"`) or a sequence of names.
    """

    install_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    callback_port: str | int | None = None
    redirect_uri: str | None = None
    partner_id: str | None = None
    region: str | None = None
    scopes: ScopeText | None = None
    optional_scopes: ScopeText | None = None
    token_version: str | None = None


@dataclass(frozen=True)
class Change:
    """One setting that changed: `before`/`after` are display text (never a secret)."""

    field: str
    before: str
    after: str

    @property
    def text(self) -> str:
        """A few words: `port 9000`, `client id 76b36bbc…`, `client secret (new)`."""
        after = self.after
        if self.field == "client_id":
            return f"client id {after[:8]}…" if len(after) > 8 else f"client id {after}"
        if self.field == "client_secret":
            return "client secret (new)"
        if self.field == "callback_port":
            return f"port {after}"
        if self.field == "redirect_uri":
            return f"redirect URL {after}" if after else "redirect URL: this tool's loopback one"
        if self.field in ("scopes", "optional_scopes"):
            kind = "required" if self.field == "scopes" else "optional"
            return f"{len(after.split())} {kind} scopes"
        return f"{FIELD_LABELS.get(self.field, self.field).lower()} {after or '(none)'}"


@dataclass(frozen=True)
class Refusal:
    """One value that was not taken, and why (the value is never a secret)."""

    field: str
    reason: str
    source: str = ""
    """Where it came from when not typed into the field itself (e.g. "install URL")."""

    @property
    def text(self) -> str:
        """`Client ID (from the install URL): 3 characters, expected 36`."""
        label = FIELD_LABELS.get(self.field, self.field)
        origin = f" (from the {self.source})" if self.source else ""
        return f"{label}{origin}: {self.reason}"


@dataclass(frozen=True)
class SettingsOutcome:
    """What `apply_settings` decided.

    Attributes:
        app: the settings to store: the new ones when nothing was refused, else `base` unchanged.
        client_secret: the new secret to store, or None (keep the stored one / refused).
        changes: what differs from `base` (empty when anything was refused).
        refusals: every value not taken, in field order.
        notes: facts worth a word that are not problems (a scope moved out of optional…).
        hub_pin: the account an install URL was pinned to (`/oauth/{hub_id}/authorize`).
    """

    app: AppConfig
    client_secret: str | None = None
    changes: tuple[Change, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    notes: tuple[str, ...] = ()
    hub_pin: int | None = None

    @property
    def ok(self) -> bool:
        """True when every value was accepted (the outcome may be saved)."""
        return not self.refusals

    def refused(self, name: str) -> Refusal | None:
        """The refusal of field `name`, if any."""
        return next((r for r in self.refusals if r.field == name), None)

    def summary(self) -> str:
        """The changes in one line: `client id 76b36bbc…, port 9555, 2 required + 1 optional
        scopes, region EU, account pin 44120003`; "" when nothing changed."""
        parts = [c.text for c in self.changes if c.field not in ("scopes", "optional_scopes")]
        if {c.field for c in self.changes} & {"scopes", "optional_scopes"}:
            required, optional = len(self.app.scopes), len(self.app.optional_scopes)
            parts.append(f"{required} required + {optional} optional scopes")
        if self.hub_pin is not None:
            parts.append(f"account pin {self.hub_pin}")
        return ", ".join(parts)


def clean(text: str) -> str:
    """A pasted/typed value with surrounding white space (spaces, tabs, newlines) trimmed."""
    return text.strip()


def region_of_host(app_base: str) -> Region | None:
    """The region an authorize host belongs to (`app-eu1…` → EU, `app.hubspot.com` → NA)."""
    host = app_base.split("://", 1)[-1].lower()
    if _EU_HOST_RE.match(host):
        return Region.EU
    if _NA_HOST_RE.match(host):
        return Region.NA
    return None  # a QA or unknown host: say nothing about the region


def _scope_names(value: ScopeText) -> tuple[str, ...]:
    from tui.core.scope_rules import parse_scope_list

    if isinstance(value, str):
        return parse_scope_list(value)
    return parse_scope_list(" ".join(value))


class _Collector:
    """Accepted values and refusals as they are found (later values override earlier ones)."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.refusals: dict[str, Refusal] = {}
        self.notes: list[str] = []
        self.hub_pin: int | None = None

    def take(self, name: str, value: object) -> None:
        self.values[name] = value
        self.refusals.pop(name, None)

    def refuse(self, name: str, reason: str, source: str = "") -> None:
        self.refusals[name] = Refusal(name, reason, source)
        self.values.pop(name, None)


def _redirect(out: _Collector, uri: str, source: str = "") -> None:
    """Loopback → callback port (+ path); platform callback → partner id; else the redirect URL."""
    from urllib.parse import urlsplit

    from tui.hubspot.oauth import redirect_uri_problem

    uri = clean(uri)
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
    except ValueError:
        out.refuse("redirect_uri", "is not a valid URL (check the host and port)", source)
        return
    if is_loopback_redirect(uri):
        port = redirect_port(uri)
        problem = validate.port_problem(str(port)) if port is not None else "is not a valid port"
        if port is None or problem:
            out.refuse("redirect_uri", f"{uri}: port {problem}", source)
            return
        out.take("callback_port", port)
        ours = (parts.path or "/") == CALLBACK_PATH and not parts.query
        out.take("redirect_uri", "" if ours else on_localhost(uri, port))
        return
    if source and parts.path == CONNECTOR_PATH and host:
        # The platform's own redirect: the platform catches it, this tool only shows it.
        _partner(out, host, source)
        return
    problem = redirect_uri_problem(uri)
    if problem:
        out.refuse("redirect_uri", problem, source)
    else:
        out.take("redirect_uri", uri)


def _checked(
    out: _Collector, field: str, value: str, problem_of: Callable[[str], str | None], source: str
) -> None:
    """Take `value` (cleaned) for `field`, or refuse it with the reason `problem_of` gives."""
    value = clean(value)
    problem = problem_of(value)
    if problem:
        out.refuse(field, problem, source)
    else:
        out.take(field, value)


def _partner(out: _Collector, value: str, source: str = "") -> None:
    _checked(out, "partner_id", value, validate.partner_id_problem, source)


def _client_id(out: _Collector, value: str, source: str = "") -> None:
    _checked(out, "client_id", value, validate.client_id_problem, source)


def _install_url(out: _Collector, text: str) -> None:
    from tui.hubspot.errors import HubSpotError
    from tui.hubspot.oauth import parse_install_url

    source = "install URL"
    try:
        parsed = parse_install_url(text)
    except HubSpotError as exc:
        out.refuse("install_url", exc.message)
        return
    _client_id(out, parsed.client_id, source)
    if parsed.redirect_uri:
        _redirect(out, parsed.redirect_uri, source)
    region = region_of_host(parsed.app_base)
    if region is not None:
        out.take("region", region)
    if parsed.scopes or parsed.optional_scopes:
        # The URL lists the app's scopes exactly: an absent optional_scope means "none".
        out.take("scopes", parsed.scopes)
        out.take("optional_scopes", parsed.optional_scopes)
    if parsed.hub_id is not None:
        out.hub_pin = parsed.hub_id


def _given_fields(out: _Collector, given: SettingsInput, base: AppConfig) -> None:
    if given.client_id is not None:
        _client_id(out, given.client_id)
    if given.client_secret is not None:
        secret = clean(given.client_secret)
        client_id = str(out.values.get("client_id", base.client_id))
        problem = validate.client_secret_problem(secret, client_id=client_id)
        if problem:
            out.refuse("client_secret", problem)
        else:
            out.take("client_secret", secret)
    if given.callback_port is not None:
        text = clean(str(given.callback_port))
        problem = validate.port_problem(text)
        if problem:
            out.refuse("callback_port", problem)
        else:
            port = int(text)
            redirect = str(out.values.get("redirect_uri", base.redirect_uri))
            out.take("callback_port", port)
            if redirect and is_loopback_redirect(redirect):
                out.take("redirect_uri", on_localhost(redirect, port))  # the port field wins
            elif redirect and port != base.callback_port:
                out.take("redirect_uri", "")  # a new port means: use the loopback listener
    if given.redirect_uri is not None:
        _redirect(out, given.redirect_uri)
    if given.partner_id is not None:
        _partner(out, given.partner_id)
    if given.region is not None:
        try:
            out.take("region", Region(clean(given.region).lower()))
        except ValueError:
            out.refuse("region", "must be na or eu")
    if given.token_version is not None:
        version = clean(given.token_version).lower()
        if version in _TOKEN_VERSIONS:
            out.take("token_version", version)
        else:
            out.refuse("token_version", "must be v3 or v1")
    if given.scopes is not None:
        out.take("scopes", _scope_names(given.scopes))
    if given.optional_scopes is not None:
        out.take("optional_scopes", _scope_names(given.optional_scopes))


def _check_scope_lists(out: _Collector, base: AppConfig, source: str) -> None:
    """Apply the overlap rule and refuse unknown or invalid scope selections."""
    from tui.core.scope_rules import check_scopes

    if "scopes" not in out.values and "optional_scopes" not in out.values:
        return
    required = _names(out.values.get("scopes", base.scopes))
    optional = _names(out.values.get("optional_scopes", base.optional_scopes))
    selection = check_scopes(required, optional)
    for error in selection.errors:
        name = "optional_scopes" if error.scope and error.scope in optional else "scopes"
        if error.scope in required:
            name = "scopes"
        previous = out.refusals.get(name)
        reason = f"{previous.reason}; {error.message}" if previous else error.message
        out.refuse(name, reason, source)
    if selection.ok:
        out.take("scopes", selection.required)
        out.take("optional_scopes", selection.optional)
        out.notes.extend(selection.notes)


def _names(value: object) -> tuple[str, ...]:
    return tuple(str(name) for name in value) if isinstance(value, tuple) else ()


def _display(value: object) -> str:
    if isinstance(value, Region):
        return value.value.upper()
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def apply_settings(base: AppConfig, given: SettingsInput) -> SettingsOutcome:
    """Validate every given value, then build the new settings only if none was refused.

    Args:
        base: the stored settings.
        given: what the user typed, pasted or passed on the command line. The install URL is
            read first; values given directly override what it says.

    Returns:
        The outcome: the settings to save, what changed, what was refused and why.
    """
    out = _Collector()
    if given.install_url is not None:
        _install_url(out, given.install_url)
    from_url = "scopes" in out.values and given.scopes is None
    _given_fields(out, given, base)
    _check_scope_lists(out, base, "install URL" if from_url else "")
    refusals = tuple(out.refusals[name] for name in FIELD_LABELS if name in out.refusals)
    if refusals:
        return SettingsOutcome(app=base, refusals=refusals, hub_pin=out.hub_pin)
    secret = out.values.pop("client_secret", None)
    updates: dict[str, Any] = dict(out.values)
    if "scopes" in updates or "optional_scopes" in updates:
        updates["scopes_confirmed"] = True
    app = replace(base, **updates)
    changes = [
        Change(f.name, _display(getattr(base, f.name)), _display(getattr(app, f.name)))
        for f in fields(AppConfig)
        if f.name in FIELD_LABELS and getattr(base, f.name) != getattr(app, f.name)
    ]
    if secret is not None:
        changes.append(Change("client_secret", "", ""))
    return SettingsOutcome(
        app=app,
        client_secret=str(secret) if secret is not None else None,
        changes=tuple(changes),
        notes=tuple(out.notes),
        hub_pin=out.hub_pin,
    )


__all__ = [
    "FIELD_LABELS",
    "Change",
    "Refusal",
    "SettingsInput",
    "SettingsOutcome",
    "apply_settings",
    "clean",
    "region_of_host",
]
