"""How much of what HubSpot tells us is kept: one answer must not bloat the store for good.

An introspection listing a million scopes once made `config.toml` 97 MB and every later `status`
take seconds. Before a profile is written, each account's report is cut down here: scope lists
keep the scopes that matter (the ones the app requests, then the ones hubspot-tui knows) up to
`MAX_SCOPES`, and free-text fields are cut to `MAX_TEXT` characters. The store then refuses a
file larger than `MAX_STORE_BYTES` rather than writing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, replace

from tui.core.profile import Profile
from tui.hubspot.models import AccountReport, ProbeResult

MAX_SCOPES = 300
"""Scopes kept per list (HubSpot's whole catalogue has about 200)."""
MAX_TEXT = 500
"""Characters kept per free-text field (domains, names, messages)."""
MAX_STORE_BYTES = 4 << 20
"""The largest `config.toml`/`credentials.toml` written (what the store reads back, too)."""


def cap_scopes(scopes: Iterable[str], keep_first: Iterable[str] = ()) -> tuple[str, ...]:
    """At most `MAX_SCOPES` distinct scopes: those in `keep_first`, then known ones, then others.

    The original order is kept within what survives.
    """
    unique = tuple(dict.fromkeys(scopes))
    if len(unique) <= MAX_SCOPES:
        return unique
    from tui.hubspot.scopes import BY_NAME  # only paid when a list is oversized

    wanted = set(keep_first)
    ranked = sorted(
        range(len(unique)),
        key=lambda i: (unique[i] not in wanted, unique[i] not in BY_NAME, i),
    )
    kept = sorted(ranked[:MAX_SCOPES])
    return tuple(unique[i] for i in kept)


def _cap_text(obj: object) -> dict[str, str]:
    return {
        f.name: value[:MAX_TEXT]
        for f in fields(obj)  # type: ignore[arg-type]
        if isinstance(value := getattr(obj, f.name), str) and len(value) > MAX_TEXT
    }


def _cap_probe(probe: ProbeResult) -> ProbeResult:
    changes: dict[str, object] = dict(_cap_text(probe))
    if len(probe.required_scopes) > MAX_SCOPES:
        changes["required_scopes"] = cap_scopes(probe.required_scopes)
    return replace(probe, **changes) if changes else probe  # type: ignore[arg-type]


def cap_report(report: AccountReport, requested: Iterable[str] = ()) -> AccountReport:
    """`report` with its scope lists and text fields cut down to the limits above."""
    wanted = tuple(requested) or report.scopes_requested
    changes: dict[str, object] = dict(_cap_text(report))
    if len(report.scopes_requested) > MAX_SCOPES:
        changes["scopes_requested"] = cap_scopes(report.scopes_requested)
    if len(report.scopes_granted) > MAX_SCOPES:
        changes["scopes_granted"] = cap_scopes(report.scopes_granted, wanted)
    for name in ("products", "line_items"):
        probe = getattr(report, name)
        capped = _cap_probe(probe)
        if capped is not probe:
            changes[name] = capped
    return replace(report, **changes) if changes else report  # type: ignore[arg-type]


def cap_profile(profile: Profile) -> None:
    """Cut every account report of `profile` down to the limits, in place."""
    requested = tuple(profile.app.scopes) + tuple(profile.app.optional_scopes)
    for hub_id, report in list(profile.accounts.items()):
        profile.accounts[hub_id] = cap_report(report, requested)
