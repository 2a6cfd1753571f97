"""Settings: one TOML file plus `FOIBOT_<SECTION>_<KEY>` environment overrides -> typed Settings.

Every problem (unknown key, wrong type, missing required value) is reported as a SettingsError
whose message names the key, so the CLI can print one line and exit 2 before anything listens.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time as dt_time
from pathlib import Path
from typing import Any

from intake.regime import Jurisdiction

ENV_PREFIX = "FOIBOT_"
CONFIG_ENV = "FOIBOT_CONFIG"


class SettingsError(ValueError):
    """A configuration problem; str() is one line that names the key."""


@dataclass(frozen=True)
class AuthoritySettings:
    name: str = "Example Council"
    team: str = "Information Governance Team"
    address: str = "Town Hall, High Street, Exampleton EX1 1AA"
    email: str = "foi@localhost"
    privacy_url: str = "https://example.org/privacy"
    review_url: str = "https://example.org/foi/internal-review"
    retention_url: str = "https://example.org/retention"
    jurisdiction: Jurisdiction = Jurisdiction.ENGLAND_AND_WALES
    # The Information Commissioner's Office handles FOIA/EIR/UK GDPR complaints; the
    # authority may itself be the regulator (as in the ICO's own letters).
    is_regulator: bool = False
    timezone: str = "Europe/London"
    # The authority's own exemption wording, merged over the shipped catalogue (empty: none).
    exemptions: str = ""


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 8025
    mailboxes: tuple[str, ...] = ("foi@localhost",)
    max_message_bytes: int = 25 * 1024 * 1024
    max_recipients: int = 20
    tls_cert: str = ""
    tls_key: str = ""
    hostname: str = "foibot.localhost"


@dataclass(frozen=True)
class OutboundSettings:
    relay_host: str = ""
    relay_port: int = 25
    starttls: bool = False
    username: str = ""
    password: str = ""
    from_address: str = ""  # default: the authority's email
    maildir: str = "var/outbox"
    # Exponential backoff for relay failures: first retry after base, doubling up to max.
    retry_base_seconds: float = 5.0
    retry_max_seconds: float = 600.0
    # After this long undelivered a message is marked failed for a person to look at.
    give_up_after_hours: float = 72.0
    concurrency: int = 4
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///var/foibot.sqlite3"


DEVELOPMENT_SECRET = "change-me-foibot-development-secret"


@dataclass(frozen=True)
class ReferenceSettings:
    prefix: str = "IC"
    # Used to derive each reference's check code. The default is for trying foibot out only:
    # a deployment sets its own so references can't be forged.
    secret: str = DEVELOPMENT_SECRET
    first_number: int = 100000


@dataclass(frozen=True)
class IntakeSettings:
    # Per-sender cap on automatic acknowledgements (loop and abuse protection, RFC 3834 s2).
    acks_per_sender_per_hour: int = 5
    # Below this classifier confidence a case is marked for a person to triage.
    triage_threshold: float = 0.6
    # An authority's own extra classifier phrases, merged over the shipped ones.
    classifier_rules: str = ""


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""  # set: Socket Mode (no public Request URL needed)
    host: str = "127.0.0.1"
    port: int = 3000
    api_url: str = "https://slack.com/api/"  # GovSlack or a test server
    intake_channel: str = ""
    staff_channel: str = ""
    approvers: tuple[str, ...] = ()
    approver_group: str = ""
    allow_self_approval: bool = False

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token)


@dataclass(frozen=True)
class ReminderSettings:
    # Staff reminders this many working days before the due date; also on the due day and on
    # each working day while overdue. Working days are the case's statutory ones.
    offsets: tuple[int, ...] = (5, 1)
    # The daily digest in the staff channel (or the team mailbox), local time ([authority]
    # timezone), on the authority's working days.
    digest_time: str = "09:00"
    # One polite chaser to a requester who has not clarified after this many working days.
    chaser_after_days: int = 10
    # Reminders, chasers and closures go out on working days between these local times.
    business_hours_start: str = "09:00"
    business_hours_end: str = "17:30"
    # false: no reminder scheduler in `foibot run` (`foibot reminders` still works).
    enabled: bool = True


@dataclass(frozen=True)
class Settings:
    authority: AuthoritySettings = field(default_factory=AuthoritySettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    outbound: OutboundSettings = field(default_factory=OutboundSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    references: ReferenceSettings = field(default_factory=ReferenceSettings)
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)

    @property
    def from_address(self) -> str:
        return self.outbound.from_address or self.authority.email


def _section_types() -> dict[str, type[Any]]:
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in dataclasses.fields(Settings)}


def _coerce(key: str, value: Any, target: Any, from_env: bool) -> Any:
    """Convert a TOML or environment value to the field's type, or raise naming the key."""
    origin = typing.get_origin(target)
    if isinstance(target, type) and issubclass(target, Jurisdiction):
        try:
            return Jurisdiction(str(value))
        except ValueError:
            allowed = ", ".join(j.value for j in Jurisdiction)
            raise SettingsError(f"{key}: {value!r} is not one of {allowed}") from None
    if target is bool:
        if isinstance(value, bool):
            return value
        if from_env and str(value).lower() in {"1", "true", "yes", "on"}:
            return True
        if from_env and str(value).lower() in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"{key}: expected true or false, got {value!r}")
    if target is int:
        if isinstance(value, bool):
            raise SettingsError(f"{key}: expected a whole number, got {value!r}")
        if isinstance(value, int):
            return value
        if from_env:
            try:
                return int(str(value).strip())
            except ValueError:
                pass
        raise SettingsError(f"{key}: expected a whole number, got {value!r}")
    if target is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if from_env:
            try:
                return float(str(value).strip())
            except ValueError:
                pass
        raise SettingsError(f"{key}: expected a number, got {value!r}")
    if target is str:
        if isinstance(value, str):
            return value
        raise SettingsError(f"{key}: expected a string, got {value!r}")
    if origin is tuple:
        if typing.get_args(target)[0] is int:
            return _int_tuple(key, value, from_env)
        if from_env and isinstance(value, str):
            items: list[Any] = [part.strip() for part in value.split(",") if part.strip()]
        elif isinstance(value, list):
            items = value
        else:
            raise SettingsError(f"{key}: expected a list of strings, got {value!r}")
        if not all(isinstance(item, str) for item in items):
            raise SettingsError(f"{key}: expected a list of strings, got {value!r}")
        return tuple(items)
    if isinstance(target, types.UnionType):  # pragma: no cover - no optional fields yet
        raise SettingsError(f"{key}: unsupported type")
    raise SettingsError(f"{key}: unsupported type {target!r}")  # pragma: no cover


def _int_tuple(key: str, value: Any, from_env: bool) -> tuple[int, ...]:
    if from_env and isinstance(value, str):
        try:
            return tuple(int(part) for part in value.split(",") if part.strip())
        except ValueError:
            pass
    elif isinstance(value, list) and all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        return tuple(value)
    raise SettingsError(f"{key}: expected a list of whole numbers, got {value!r}")


def _build_section(
    name: str, cls: type[Any], raw: Mapping[str, Any], env: Mapping[str, str]
) -> Any:
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in hints:
            known = ", ".join(sorted(hints))
            raise SettingsError(f"[{name}] {key}: unknown key (known keys: {known})")
        values[key] = _coerce(f"[{name}] {key}", value, hints[key], from_env=False)
    for key, target in hints.items():
        env_name = f"{ENV_PREFIX}{name.upper()}_{key.upper()}"
        if env_name in env:
            values[key] = _coerce(env_name, env[env_name], target, from_env=True)
    return cls(**values)


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML file (if any) and apply environment overrides; validate everything."""
    env = os.environ if env is None else env
    if path is None and env.get(CONFIG_ENV):
        path = env[CONFIG_ENV]
    data: dict[str, Any] = {}
    if path is not None:
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise SettingsError(f"config file {path}: not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {path}: not valid TOML ({exc})") from None
    sections = _section_types()
    for name, value in data.items():
        if name not in sections:
            known = ", ".join(sorted(sections))
            raise SettingsError(f"[{name}]: unknown section (known sections: {known})")
        if not isinstance(value, dict):
            raise SettingsError(f"[{name}]: expected a table of keys")
    _reject_unknown_env(env, sections)
    built = {
        name: _build_section(name, cls, data.get(name, {}), env) for name, cls in sections.items()
    }
    settings = Settings(**built)
    _validate(settings)
    return settings


def _reject_unknown_env(env: Mapping[str, str], sections: Mapping[str, type[Any]]) -> None:
    """A typo in an environment override would otherwise be silently ignored."""
    reserved = {CONFIG_ENV, "FOIBOT_TEST_DATABASE_URL"}
    for env_name in env:
        if not env_name.startswith(ENV_PREFIX) or env_name in reserved:
            continue
        rest = env_name[len(ENV_PREFIX) :].lower()
        matched = False
        for name, cls in sections.items():
            if rest.startswith(name + "_"):
                key = rest[len(name) + 1 :]
                if key in typing.get_type_hints(cls):
                    matched = True
                    break
        if not matched:
            raise SettingsError(f"{env_name}: unknown setting")


def _validate(settings: Settings) -> None:
    if not settings.smtp.mailboxes:
        raise SettingsError("[smtp] mailboxes: at least one mailbox address is required")
    for mailbox in settings.smtp.mailboxes:
        if "@" not in mailbox:
            raise SettingsError(f"[smtp] mailboxes: {mailbox!r} is not an email address")
    if not 0 < settings.smtp.port < 65536:
        raise SettingsError(f"[smtp] port: {settings.smtp.port} is not a TCP port")
    if bool(settings.smtp.tls_cert) != bool(settings.smtp.tls_key):
        raise SettingsError("[smtp] tls_key: tls_cert and tls_key must be set together")
    if settings.smtp.max_message_bytes <= 0:
        raise SettingsError("[smtp] max_message_bytes: must be positive")
    if not settings.references.prefix.isalnum():
        raise SettingsError("[references] prefix: letters and digits only")
    if not settings.references.secret:
        raise SettingsError("[references] secret: required (a long random string)")
    if "@" not in settings.from_address:
        raise SettingsError("[outbound] from_address: not an email address")
    if not settings.database.url:
        raise SettingsError("[database] url: required")
    slack = settings.slack
    if slack.enabled and not slack.app_token and not slack.signing_secret:
        raise SettingsError("[slack] signing_secret: required for HTTP mode (or set app_token)")
    if slack.enabled and not slack.staff_channel:
        raise SettingsError("[slack] staff_channel: required when Slack is set up")
    if not 0.0 <= settings.intake.triage_threshold <= 1.0:
        raise SettingsError("[intake] triage_threshold: must be between 0 and 1")
    _validate_reminders(settings.reminders)


def clock_time(text: str) -> dt_time:
    """'HH:MM' (24-hour) as a time; ValueError otherwise."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or len(minutes) != 2 or not hours.isdigit() or not minutes.isdigit():
        raise ValueError(text)
    return dt_time(int(hours), int(minutes))


def _validate_reminders(reminders: ReminderSettings) -> None:
    times: dict[str, dt_time] = {}
    for key in ("digest_time", "business_hours_start", "business_hours_end"):
        value = getattr(reminders, key)
        try:
            times[key] = clock_time(value)
        except ValueError:
            raise SettingsError(f"[reminders] {key}: {value!r} is not a time (HH:MM)") from None
    if times["business_hours_start"] >= times["business_hours_end"]:
        raise SettingsError("[reminders] business_hours_end: must be after business_hours_start")
    offsets = reminders.offsets
    if any(n < 1 for n in offsets) or len(set(offsets)) != len(offsets):
        raise SettingsError("[reminders] offsets: distinct whole numbers of days, 1 or more")
    if reminders.chaser_after_days < 1:
        raise SettingsError("[reminders] chaser_after_days: must be 1 or more")
