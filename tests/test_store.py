"""ProfileStore: layout, round trips, modes, corruption, crash safety and concurrent writers."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import random
import stat
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.figures import record_figure
from tests.store_writer import build_state, generation_of
from tui.core.profile import AppConfig, Profile, ProfileSecrets
from tui.core.store import ProfileStore, StoreError, StoreWarning
from tui.hubspot.models import (
    Access,
    AccountReport,
    AccountRole,
    AccountType,
    ProbeResult,
    Region,
    TokenSet,
)

WRITER = Path(__file__).with_name("store_writer.py")
SECRET = "cs-3b1e9f0a-SECRET-do-not-leak"
ACCESS = "CJSP-ACCESS-TOKEN-do-not-leak"
REFRESH = "na1-REFRESH-TOKEN-do-not-leak"


def full_profile(name: str = "default") -> tuple[Profile, ProfileSecrets]:
    """A profile with every field away from its default, several accounts and all enums."""
    app = AppConfig(
        client_id="1a2b3c4d-0000-4000-8000-123456789abc",
        callback_port=9876,
        redirect_uri="https://platform.example.com/oauth",
        partner_id="platform.example.com",
        scopes=("oauth", "crm.objects.deals.read"),
        optional_scopes=(),
        region=Region.EU,
        app_base="https://app-eu1.hubspot.com",
        token_version="v1",
        scopes_confirmed=True,
    )
    main = AccountReport(
        hub_id=44120003,
        hub_domain="acme.com",
        account_type=AccountType.STANDARD,
        role=AccountRole.MAIN,
        region="eu1",
        ui_domain="app-eu1.hubspot.com",
        user="ops@acme.com",
        portal_name='Acme "Inc" \\ ünïcødé\ttab',
        products=ProbeResult(Access.OK, 1, True),
        line_items=ProbeResult(Access.OK, 0, False),
        scopes_granted=("oauth", "crm.objects.deals.read"),
        scopes_requested=("oauth", "crm.objects.deals.read", "e-commerce"),
        checked_at=1_700_000_123.5,
        check_error="",
    )
    dev = AccountReport(
        hub_id=44120001,
        account_type=AccountType.APP_DEVELOPER,
        role=AccountRole.DEVELOPER,
        products=ProbeResult(Access.MISSING_SCOPE, None, False, ("e-commerce",), "needs scope"),
        line_items=ProbeResult(Access.FORBIDDEN, None, False, (), "no seat"),
        check_error="BAD_REFRESH_TOKEN: revoked\nsecond line",
        check_error_code="token_revoked",
    )
    odd = AccountReport(
        hub_id=7,
        account_type=AccountType.SANDBOX,
        role=AccountRole.SANDBOX,
        products=ProbeResult(Access.ERROR, None, False, (), "timeout"),
    )
    profile = Profile(name, app, {a.hub_id: a for a in (main, dev, odd)}, active_hub_id=44120003)
    tokens = {
        44120003: TokenSet(ACCESS, REFRESH, 1_700_001_800.25, 1_700_000_000.0),
        44120001: TokenSet("", REFRESH + "-2", 0.0),
    }
    return profile, ProfileSecrets(SECRET, tokens)


def save(store: ProfileStore, profile: Profile, secrets: ProfileSecrets) -> None:
    def mutate(p: Profile, s: ProfileSecrets) -> None:
        p.app, p.accounts, p.active_hub_id = (
            profile.app,
            dict(profile.accounts),
            profile.active_hub_id,
        )
        s.client_secret, s.tokens = secrets.client_secret, dict(secrets.tokens)

    store.update(profile.name, mutate)


def write(path: Path, content: bytes) -> None:
    """Write a hand-made file the way the store would find it (0600, so no mode warning)."""
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_bytes(content)
    os.chmod(path, 0o600)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "cfg")


# ---- round trip and layout -------------------------------------------------------------------


def test_round_trip_of_a_full_profile(store: ProfileStore) -> None:
    profile, secrets = full_profile()
    save(store, profile, secrets)
    other, other_secrets = full_profile("work")
    other.accounts.pop(7)
    save(store, other, other_secrets)

    fresh = ProfileStore(store.paths.dir)
    assert fresh.load() == (profile, secrets)
    assert fresh.load("work") == (other, other_secrets)
    assert fresh.warnings == []


def test_every_dataclass_field_is_written(store: ProfileStore) -> None:
    """A field added to the models must reach the file (the codec is driven by the dataclasses)."""
    profile, secrets = full_profile()
    save(store, profile, secrets)
    config = tomllib.loads(store.paths.config.read_text())
    table = config["profiles"]["default"]
    assert set(table["app"]) == {f.name for f in dataclasses.fields(AppConfig)}
    account = table["accounts"]["44120003"]
    assert set(account) == {f.name for f in dataclasses.fields(AccountReport)} - {"hub_id"}
    assert set(account["products"]) == {f.name for f in dataclasses.fields(ProbeResult)}
    assert "count" not in table["accounts"]["44120001"]["products"]  # None is an absent key
    credentials = tomllib.loads(store.paths.credentials.read_text())
    token = credentials["profiles"]["default"]["tokens"]["44120003"]
    assert set(token) == {f.name for f in dataclasses.fields(TokenSet)}


def test_layout_is_stable_and_readable(store: ProfileStore) -> None:
    profile, secrets = full_profile()
    save(store, profile, secrets)
    text = store.paths.config.read_text()
    assert text.startswith("version = 1\n\n[profiles.default]\nactive_hub_id = 44120003\n")
    assert '[profiles.default.accounts."44120003"]' in text
    assert 'account_type = "STANDARD"' in text and 'role = "main"' in text
    assert 'region = "eu"' in text
    assert (
        'products = {access = "ok", count = 1, has_more = true, required_scopes = [], message = ""}'
        in text
    )
    # accounts in hub id order, whatever the dict order was
    assert text.index('accounts."7"') < text.index('accounts."44120001"') < text.index('"44120003"')
    creds = store.paths.credentials.read_text()
    assert creds.startswith("version = 1\n")
    assert '[profiles.default.tokens."44120003"]' in creds

    before = store.paths.config.read_bytes(), store.paths.config.stat().st_mtime_ns
    store.update("default", lambda p, s: None)  # no change: no rewrite
    assert (store.paths.config.read_bytes(), store.paths.config.stat().st_mtime_ns) == before


def test_old_stores_check_errors_get_a_code_on_read(store: ProfileStore) -> None:
    # Written before check errors carried a code: the text is classified once, on read.
    write(
        store.paths.config,
        b"version = 1\n[profiles.default]\nactive_hub_id = 1\n"
        b'[profiles.default.accounts."1"]\ncheck_error = "BAD_REFRESH_TOKEN: revoked"\n'
        b'[profiles.default.accounts."2"]\ncheck_error = "HubSpot had a problem (HTTP 503)"\n'
        b'[profiles.default.accounts."3"]\nchecked_at = 1700000000.0\n',
    )
    profile, _ = store.load("default")
    codes = {hub: a.check_error_code for hub, a in profile.accounts.items()}
    assert codes == {1: "token_revoked", 2: "check_failed", 3: ""}
    assert profile.accounts[1].check_error == "BAD_REFRESH_TOKEN: revoked"


def test_secrets_never_reach_config_toml_or_reprs(store: ProfileStore) -> None:
    profile, secrets = full_profile()
    save(store, profile, secrets)
    config = store.paths.config.read_bytes()
    credentials = store.paths.credentials.read_bytes()
    for secret in (SECRET, ACCESS, REFRESH):
        assert secret.encode() not in config
        assert secret.encode() in credentials
        assert secret not in repr(store.load())


def test_missing_files_give_an_empty_profile_and_create_nothing(store: ProfileStore) -> None:
    assert store.load("anything") == (Profile(name="anything"), ProfileSecrets())
    assert store.profile_names() == []
    assert not store.paths.dir.exists()


def test_update_returns_what_it_wrote_and_keeps_the_key_as_name(store: ProfileStore) -> None:
    def mutate(p: Profile, s: ProfileSecrets) -> None:
        p.name = "renamed"  # must not fork the profile under another key
        p.active_hub_id = 5
        s.client_secret = SECRET

    profile, secrets = store.update("work", mutate)
    assert profile.name == "work" and profile.active_hub_id == 5
    assert store.load("work") == (profile, secrets)
    assert store.profile_names() == ["work"]


def test_a_failing_mutate_writes_nothing(store: ProfileStore) -> None:
    save(store, *full_profile())
    before = store.paths.config.read_bytes()

    def boom(p: Profile, s: ProfileSecrets) -> None:
        p.accounts.clear()
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.update("default", boom)
    assert store.paths.config.read_bytes() == before


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20
    ),
    text=st.text(max_size=30),
    number=st.floats(allow_nan=False, allow_infinity=False),
    count=st.none() | st.integers(-(2**63), 2**63 - 1),
)
def test_any_strings_and_numbers_round_trip(
    tmp_path: Path, name: str, text: str, number: float, count: int | None
) -> None:
    name = name.strip() or "x"
    if not name.isprintable():
        name = "x"
    store = ProfileStore(tmp_path / uuid.uuid4().hex)  # hypothesis reuses tmp_path
    account = AccountReport(
        1, hub_domain=text, products=ProbeResult(count=count, message=text), checked_at=number
    )
    profile = Profile(name, AppConfig(client_id=text, scopes=(text, "")), {1: account}, 1)
    secrets = ProfileSecrets(text, {1: TokenSet(text or "t", text, number, 0.0)})
    save(store, profile, secrets)
    assert store.load(name) == (profile, secrets)
    assert store.profile_names() == [name]


# ---- modes -----------------------------------------------------------------------------------


def test_new_files_are_0600_in_a_0700_dir_whatever_the_umask(store: ProfileStore) -> None:
    old = os.umask(0)  # the most permissive umask: our modes must not depend on it
    try:
        save(store, *full_profile())
    finally:
        os.umask(old)
    assert mode(store.paths.dir) == 0o700
    assert mode(store.paths.config) == 0o600
    assert mode(store.paths.credentials) == 0o600
    assert mode(store.paths.lock) == 0o600


def test_looser_modes_are_tightened_with_a_warning(store: ProfileStore) -> None:
    save(store, *full_profile())
    os.chmod(store.paths.dir, 0o755)
    os.chmod(store.paths.config, 0o644)
    os.chmod(store.paths.credentials, 0o644)

    fresh = ProfileStore(store.paths.dir)
    fresh.load()
    assert mode(store.paths.dir) == 0o700
    assert mode(store.paths.config) == 0o600
    assert mode(store.paths.credentials) == 0o600
    warned = {w.path: w.message for w in fresh.warnings}
    assert set(warned) == {store.paths.dir, store.paths.config, store.paths.credentials}
    assert "mode 0644" in warned[store.paths.credentials]
    assert "0600" in warned[store.paths.credentials]

    os.chmod(store.paths.credentials, 0o640)  # and the write path tightens too
    fresh.update("default", lambda p, s: setattr(p, "active_hub_id", 7))
    assert mode(store.paths.credentials) == 0o600


def test_a_shared_sticky_directory_is_left_alone_and_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    store = ProfileStore(shared)
    with pytest.raises(StoreError, match="shared directory") as caught:
        save(store, *full_profile())
    assert caught.value.code == "UNSAFE_STORE"
    assert mode(shared) == 0o1777  # changing /tmp's mode would break other users
    assert list(shared.iterdir()) == []  # nothing written, not even the lock file


# ---- corruption ------------------------------------------------------------------------------


def test_corrupt_toml_is_kept_aside_with_its_line(store: ProfileStore) -> None:
    profile, secrets = full_profile()
    save(store, profile, secrets)
    broken = b"version = 1\n[profiles.default]\nactive_hub_id = = 3\n"
    write(store.paths.config, broken)

    fresh = ProfileStore(store.paths.dir)
    loaded, loaded_secrets = fresh.load()
    assert loaded == Profile()
    assert loaded_secrets == secrets  # the other file is untouched
    [warning] = fresh.warnings
    assert warning.path == store.paths.config
    assert warning.line == 3
    assert warning.kept_as is not None and warning.kept_as.name.startswith("config.toml.corrupt-")
    assert warning.kept_as.read_bytes() == broken  # nothing lost
    assert mode(warning.kept_as) == 0o600
    assert not store.paths.config.exists()
    assert "line 3" in str(warning) and "not valid TOML" in warning.message

    # The next write starts a fresh file and leaves the kept copy alone.
    fresh.update("default", lambda p, s: setattr(p, "active_hub_id", 1))
    assert fresh.load()[0].active_hub_id == 1
    assert warning.kept_as.read_bytes() == broken


def test_corrupt_credentials_never_echo_their_contents(store: ProfileStore) -> None:
    store.paths.dir.mkdir(mode=0o700)
    store.paths.credentials.write_bytes(f'[profiles.default]\nclient_secret = "{SECRET}\n'.encode())
    os.chmod(store.paths.credentials, 0o600)
    assert store.load()[1] == ProfileSecrets()
    [warning] = store.warnings
    assert warning.line == 2 and warning.kept_as is not None
    assert SECRET not in str(warning) and SECRET not in repr(warning)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"version = 1\n\xff\xfe garbage\n", 2),
        (b"profiles = 5\n", None),
        (b'version = "one"\n', None),
        (b"[profiles\n", 1),
    ],
)
def test_undecodable_or_wrongly_shaped_files_are_kept_aside(
    store: ProfileStore, content: bytes, line: int | None
) -> None:
    write(store.paths.config, content)
    assert store.load() == (Profile(), ProfileSecrets())
    [warning] = store.warnings
    assert warning.line == line
    assert warning.kept_as is not None and warning.kept_as.read_bytes() == content


def test_two_corrupt_files_in_one_second_get_distinct_names(store: ProfileStore) -> None:
    kept = []
    for n in range(3):
        write(store.paths.config, f"bad {n} =".encode())
        fresh = ProfileStore(store.paths.dir)
        fresh.load()
        kept.append(fresh.warnings[0].kept_as)
    assert len(set(kept)) == 3
    assert [p.read_bytes() for p in kept if p] == [b"bad 0 =", b"bad 1 =", b"bad 2 ="]


def test_a_corrupt_file_that_cannot_be_moved_is_reported_not_lost(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(store.paths.config, b"x = [")

    def no_lock(self: ProfileStore) -> None:
        raise StoreError("read-only")

    monkeypatch.setattr(ProfileStore, "_locked", no_lock)
    assert store.load()[0] == Profile()
    [warning] = store.warnings
    assert warning.kept_as is None and warning.line == 1
    assert store.paths.config.read_bytes() == b"x = ["


def test_wrong_types_inside_tables_do_not_crash(store: ProfileStore) -> None:
    store.paths.dir.mkdir(mode=0o700)
    store.paths.config.write_text(
        "version = 1\n"
        "unknown_top = 3\n"
        "[profiles.default]\n"
        'active_hub_id = "x"\n'
        "accounts = 5\n"
        "[profiles.default.app]\n"
        'callback_port = "x"\n'
        "scopes = [1, 2]\n"
        'region = "mars"\n'
        "scopes_confirmed = 1\n"
        'client_id = "kept"\n'
        "future_setting = true\n"
        "[profiles.other]\n"
        "app = 3\n"
        "[profiles.other.accounts.12]\n"
        'account_type = "QUANTUM"\n'
        "role = 5\n"
        'products = "ok"\n'
        'line_items = {access = "ok", count = "many", has_more = "yes"}\n'
        "checked_at = nan\n"
        "[profiles.other.accounts.not-a-hub]\n"
        "[profiles.third]\n"
    )
    store.paths.credentials.write_text(
        "[profiles.default]\n"
        "client_secret = 5\n"
        '[profiles.default.tokens."12"]\n'
        f'access_token = "{ACCESS}"\n'
        'expires_at = "soon"\n'
        '[profiles.default.tokens."13"]\n'
        "expires_at = 5\n"
    )
    os.chmod(store.paths.config, 0o600)
    os.chmod(store.paths.credentials, 0o600)

    profile, secrets = store.load()
    assert profile.app == AppConfig(client_id="kept")
    assert profile.accounts == {} and profile.active_hub_id is None
    assert secrets.client_secret == ""
    assert secrets.tokens == {12: TokenSet(ACCESS, "", 0.0, 0.0)}  # 13 holds no token
    other = store.load("other")[0]
    account = other.accounts[12]
    assert account.account_type is AccountType.UNKNOWN and account.role is AccountRole.UNKNOWN
    assert account.products == ProbeResult()
    assert account.line_items == ProbeResult(Access.OK)
    assert account.checked_at == 0.0
    assert store.load("third")[0] == Profile(name="third")
    assert store.profile_names() == ["default", "other", "third"]
    assert all(isinstance(w, StoreWarning) for w in store.warnings)
    assert any("callback_port is not an integer" in w.message for w in store.warnings)
    assert not any(ACCESS in str(w) for w in store.warnings)

    # Saving drops what we couldn't use, but keeps the hand-edited originals aside.
    store.warnings.clear()
    store.update("default", lambda p, s: None)
    kept = {w.path: w.kept_as for w in store.warnings if w.kept_as is not None}
    assert set(kept) == {store.paths.config, store.paths.credentials}
    assert b"callback_port" in kept[store.paths.config].read_bytes()
    assert mode(kept[store.paths.credentials]) == 0o600
    assert store.load() == (profile, secrets)
    store.warnings.clear()
    store.load("other")
    assert store.warnings == []  # the rewritten files are clean


def test_newer_format_is_read_but_never_downgraded(store: ProfileStore) -> None:
    store.paths.dir.mkdir(mode=0o700)
    store.paths.config.write_text('version = 2\n[profiles.default.app]\nclient_id = "x"\n')
    assert store.load()[0].app.client_id == "x"
    assert any("newer" in w.message for w in store.warnings)
    with pytest.raises(StoreError, match="newer"):
        store.update("default", lambda p, s: None)


# ---- errors ----------------------------------------------------------------------------------


def test_a_directory_in_place_of_a_file_is_a_store_error(store: ProfileStore) -> None:
    # Root ignores file modes, so an unreadable file is simulated by a directory in its place.
    store.paths.config.mkdir(parents=True)
    with pytest.raises(StoreError) as caught:
        store.load()
    assert caught.value.path == store.paths.config
    assert str(store.paths.config) in str(caught.value)
    with pytest.raises(StoreError):
        store.update("default", lambda p, s: None)
    assert store.paths.config.is_dir()  # never renamed


def test_permission_denied_names_the_path_and_the_fix(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    save(store, *full_profile())
    real = os.open

    def denied(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("credentials.toml"):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(StoreError) as caught:
        store.load()
    assert caught.value.path == store.paths.credentials
    assert "chmod 600" in caught.value.action
    assert store.paths.credentials.exists()  # never renamed what we couldn't read
    assert SECRET not in str(caught.value)


def test_config_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "cfg").write_text("")
    with pytest.raises(StoreError, match="not a directory"):
        ProfileStore(tmp_path / "cfg").update("default", lambda p, s: None)


def test_bad_profile_names_are_refused(store: ProfileStore) -> None:
    for name in ("", " x", "a\nb", "x" * 65):
        with pytest.raises(StoreError):
            store.update(name, lambda p, s: None)


def test_lock_timeout_is_a_store_error(store: ProfileStore) -> None:
    save(store, *full_profile())
    fd = os.open(store.paths.lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        impatient = ProfileStore(store.paths.dir, lock_timeout=0.1)
        with pytest.raises(StoreError, match="still writing"):
            impatient.update("default", lambda p, s: None)
        assert impatient.load()[0].active_hub_id == 44120003  # reads need no lock
    finally:
        os.close(fd)


# ---- profiles --------------------------------------------------------------------------------


def test_profile_names_and_delete(store: ProfileStore) -> None:
    for name in ("zeta", "default", "alpha"):
        save(store, *full_profile(name))
    store.update("secret-only", lambda p, s: setattr(s, "client_secret", SECRET))
    assert store.profile_names() == ["default", "alpha", "secret-only", "zeta"]

    store.delete_profile("alpha")
    assert store.profile_names() == ["default", "secret-only", "zeta"]
    assert store.load("alpha") == (Profile(name="alpha"), ProfileSecrets())
    assert b"alpha" not in store.paths.credentials.read_bytes()
    with pytest.raises(StoreError, match="No profile named 'nope'") as caught:
        store.delete_profile("nope")
    assert "default" in caught.value.action


def test_stale_temp_files_are_removed_on_update(store: ProfileStore) -> None:
    save(store, *full_profile())
    old = store.paths.dir / ".config.toml.abc123.tmp"
    fresh = store.paths.dir / ".credentials.toml.def456.tmp"
    unrelated = store.paths.dir / ".other.tmp"
    for path in (old, fresh, unrelated):
        path.write_text("partial")
    os.utime(old, (time.time() - 60, time.time() - 60))
    os.utime(unrelated, (time.time() - 60, time.time() - 60))
    store.load()
    assert old.exists()  # reads never clean up
    store.update("default", lambda p, s: None)
    assert not old.exists()
    assert fresh.exists() and unrelated.exists()


# ---- crash safety and concurrency --------------------------------------------------------------


def _assert_one_written_state(config_dir: Path) -> int:
    """Both files parse, and each is exactly one generation the writer produced."""
    tomllib.loads(config_dir.joinpath("config.toml").read_text())
    tomllib.loads(config_dir.joinpath("credentials.toml").read_text())
    store = ProfileStore(config_dir)
    profile, secrets = store.load()
    assert store.warnings == []
    gen = generation_of(profile.app.client_id)
    assert profile == build_state(gen)[0]
    # Secrets are written first, so they may be one generation ahead, never behind.
    secret_gen = int(secrets.client_secret.removeprefix("secret-"))
    assert secret_gen in (gen, gen + 1)
    assert secrets == build_state(secret_gen)[1]
    assert not list(config_dir.glob("*.corrupt-*"))
    return gen


@pytest.mark.slow
def test_killed_writer_never_leaves_a_partial_file(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    save(ProfileStore(config_dir), *build_state(0))  # generation 0 exists before any kill
    rng = random.Random(20240229)
    started, kills, torn = time.monotonic(), 0, 0
    while kills < 30 or (kills < 60 and time.monotonic() - started < 3):
        proc = subprocess.Popen(
            [sys.executable, str(WRITER), "loop", str(config_dir)], stdout=subprocess.PIPE
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.08))
        proc.kill()
        proc.wait()
        proc.stdout.close()
        kills += 1
        torn += any(config_dir.glob(".*.tmp"))  # killed mid-write: a temp file was left
        _assert_one_written_state(config_dir)
    assert _assert_one_written_state(config_dir) >= 10  # the writers really wrote
    assert time.monotonic() - started < 20
    print(f"{kills} kills, {torn} mid-write")
    record_figure("store: writer processes killed mid-save (old or new file every time)", kills)
    record_figure("store: kills that landed with a temp file half-written", torn)


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    procs = [
        subprocess.Popen([sys.executable, str(WRITER), "add", str(config_dir), str(w), "25"])
        for w in range(4)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    profile, secrets = ProfileStore(config_dir).load()
    expected = {50_000_000 + w * 1000 + i for w in range(4) for i in range(25)}
    assert set(profile.accounts) == expected
    assert set(secrets.tokens) == expected
    record_figure("store: concurrent writer processes (25 accounts each, none lost)", len(procs))
