"""As-you-type validation of the settings form."""

from __future__ import annotations

import pytest

from tui.hubspot.validate import (
    client_id_problem,
    client_secret_problem,
    hub_id_problem,
    partner_id_problem,
    port_problem,
)

UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SECRET = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (UUID, None),
        (UUID.upper(), None),
        ("", "enter the Client ID"),
        (f" {UUID}", "has spaces — paste again without them"),
        (f"{UUID}\n", "has spaces"),
        (UUID[:18] + "\n" + UUID[18:], "has spaces"),
        (UUID[:-1], "35 characters, expected 36"),
        (UUID + "0", "37 characters, expected 36"),
        ("a", "1 character, expected 36"),
        ("0a1b2c3d_4e5f_4a6b_8c7d_9e0f1a2b3c4d", "shape"),
        ("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4g", "shape"),
        (
            "https://app.hubspot.com/oauth/authorize?client_id=x",
            "that's a URL — use 'paste install URL'",
        ),
        ("1234567", "that looks like the App ID, not the Client ID"),
        ("••••••••••••", "masked"),
    ],
)
def test_client_id(value: str, words: str | None) -> None:
    problem = client_id_problem(value)
    assert problem is None if words is None else (problem is not None and words in problem)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (SECRET, None),
        ("", "enter the Client secret"),
        ("************************************", "that's the masked value; press Show in HubSpot"),
        ("•••• •••• ••••", "masked value"),
        (UUID, "that's the Client ID again — copy the Client secret"),
        (f"{SECRET} ", "has spaces"),
        (SECRET[:35], "35 characters, expected 36"),
        ("https://x.com/a", "URL"),
    ],
)
def test_client_secret(value: str, words: str | None) -> None:
    problem = client_secret_problem(value, client_id=UUID)
    assert problem is None if words is None else (problem is not None and words in problem)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", None),
        ("connect.example.com", None),
        ("Connect.Example.COM", None),
        ("https://connect.example.com", "enter just the host, e.g. connect.example.com"),
        ("connect.example.com/connector/callback", "enter just the host"),
        ("connect.example.com:443", "enter just the host"),
        ("localhost", "full host name"),
        ("10.0.0.1", "not an IP address"),
        ("bad_host.example.com", "not a valid host name"),
        ("-bad.example.com", "not a valid host name"),
        ("connect .example.com", "has spaces"),
    ],
)
def test_partner_id(value: str, words: str | None) -> None:
    problem = partner_id_problem(value)
    assert problem is None if words is None else (problem is not None and words in problem)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("8765", None),
        ("1024", None),
        ("65535", None),
        ("1023", "between 1024 and 65535"),
        ("65536", "between 1024 and 65535"),
        ("9" * 5000, "between 1024 and 65535"),
        ("80a", "must be a number"),
        ("８７６５", "must be a number"),
        ("", "enter a port"),
        (" 8765", "has spaces"),
    ],
)
def test_port(value: str, words: str | None) -> None:
    problem = port_problem(value)
    assert problem is None if words is None else (problem is not None and words in problem)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", None),
        ("123456", None),
        ("0", "positive"),
        ("-5", "must be a number"),
        ("12a", "must be a number"),
        ("9" * 40, "positive number of at most 18 digits"),
        ("https://app.hubspot.com/contacts/123", "URL"),
        ("12 34", "has spaces"),
    ],
)
def test_hub_id(value: str, words: str | None) -> None:
    problem = hub_id_problem(value)
    assert problem is None if words is None else (problem is not None and words in problem)
