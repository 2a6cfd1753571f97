from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings
from intake.regime import Jurisdiction

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "foibot.example.toml"


def test_defaults_need_no_file() -> None:
    settings = load_settings(env={})
    assert settings.smtp.host == "127.0.0.1"
    assert settings.smtp.port == 8025
    assert settings.smtp.mailboxes == ("foi@localhost",)
    assert settings.database.url.startswith("sqlite:///var/")
    assert settings.outbound.relay_host == ""
    assert settings.outbound.maildir == "var/outbox"


def test_example_file_loads_and_documents_every_key() -> None:
    settings = load_settings(EXAMPLE, env={})
    assert settings.authority.jurisdiction in set(Jurisdiction)
    text = EXAMPLE.read_text()
    import dataclasses

    for section in dataclasses.fields(settings):
        assert f"[{section.name}]" in text
        for key in dataclasses.fields(getattr(settings, section.name)):
            assert f"{key.name} =" in text or f"# {key.name} =" in text, key.name


def test_file_values_and_env_overrides(tmp_path: Path) -> None:
    path = tmp_path / "foibot.toml"
    path.write_text(
        '[authority]\nname = "Borsetshire County Council"\njurisdiction = "scotland"\n'
        '[smtp]\nport = 2500\nmailboxes = ["foi@borsetshire.example", "dpo@borsetshire.example"]\n'
    )
    settings = load_settings(
        path, env={"FOIBOT_SMTP_PORT": "2525", "FOIBOT_OUTBOUND_STARTTLS": "true"}
    )
    assert settings.authority.name == "Borsetshire County Council"
    assert settings.authority.jurisdiction is Jurisdiction.SCOTLAND
    assert settings.smtp.port == 2525  # the environment wins
    assert settings.smtp.mailboxes == ("foi@borsetshire.example", "dpo@borsetshire.example")
    assert settings.outbound.starttls is True


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_text('[references]\nprefix = "FOI"\n')
    assert load_settings(env={"FOIBOT_CONFIG": str(path)}).references.prefix == "FOI"


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[smtp]\nprot = 25\n", {}, "[smtp] prot: unknown key"),
        ("[smpt]\nport = 25\n", {}, "[smpt]: unknown section"),
        ('[smtp]\nport = "25"\n', {}, "[smtp] port: expected a whole number"),
        ("[smtp]\nport = 70000\n", {}, "[smtp] port:"),
        ("[smtp]\nmailboxes = []\n", {}, "[smtp] mailboxes:"),
        ('[smtp]\nmailboxes = "foi@x"\n', {}, "[smtp] mailboxes: expected a list"),
        ('[authority]\njurisdiction = "wales"\n', {}, "[authority] jurisdiction:"),
        ('[smtp]\ntls_cert = "a.pem"\n', {}, "[smtp] tls_key:"),
        ("", {"FOIBOT_SMTP_PORT": "abc"}, "FOIBOT_SMTP_PORT: expected a whole number"),
        ("", {"FOIBOT_SMTP_PROT": "25"}, "FOIBOT_SMTP_PROT: unknown setting"),
        ("", {"FOIBOT_OUTBOUND_STARTTLS": "maybe"}, "FOIBOT_OUTBOUND_STARTTLS: expected true"),
        ('[slack]\nbot_token = "xoxb-1"\n', {}, "[slack] signing_secret:"),
        ("[smtp\n", {}, "not valid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, toml: str, env: dict[str, str], message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(SettingsError) as info:
        load_settings(path, env=env)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file() -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_settings("/nonexistent/foibot.toml", env={})
