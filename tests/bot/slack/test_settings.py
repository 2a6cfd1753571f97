"""[slack] settings come from the TOML file with FOIBOT_SLACK_* environment overrides, like
every other section; an app-level token means Socket Mode."""

from __future__ import annotations

from pathlib import Path

from config.settings import load_settings


def test_slack_settings_from_the_file_with_environment_overrides(tmp_path: Path) -> None:
    path = tmp_path / "foibot.toml"
    path.write_text(
        "[slack]\n"
        'bot_token = "xoxb-file"\n'
        'signing_secret = "from-file"\n'
        'staff_channel = "CSTAFF"\n'
        'intake_channel = "CINTAKE"\n'
        'approvers = ["UFILE"]\n'
        'approver_group = "SGROUP"\n',
        encoding="utf-8",
    )
    env = {
        "FOIBOT_SLACK_APPROVERS": "U1, U2",
        "FOIBOT_SLACK_API_URL": "https://slack-gov.com/api/",
        "FOIBOT_SLACK_APP_TOKEN": "xapp-1",
        "FOIBOT_SLACK_PORT": "3100",
    }
    slack = load_settings(path, env=env).slack
    assert slack.enabled and slack.bot_token == "xoxb-file"
    assert slack.approvers == ("U1", "U2") and slack.approver_group == "SGROUP"
    assert slack.api_url == "https://slack-gov.com/api/" and slack.port == 3100
    assert slack.app_token == "xapp-1" and not slack.allow_self_approval
    assert not load_settings(env={}).slack.enabled  # no token: email-only
