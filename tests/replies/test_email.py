"""The wire form of an outgoing letter: compose_wire() writes exactly what compose() and
email.generator write, and what it writes reads back as the letter that was rendered."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default

import pytest

from config.settings import AuthoritySettings
from intake.regime import Regime
from replies.acknowledgement import (
    AcknowledgementFacts,
    render_acknowledgement,
)
from replies.email import AutoSubmitted, Envelope, compose, compose_wire
from replies.render import Rendered

LONG_ID = "<" + "x" * 90 + "@requester.example>"

ENVELOPES = {
    "plain": {},
    "non-ascii everywhere": {
        "sender": Address("Équipe Accès à l'information", "foi", "council.example"),
        "recipient": "josé@exämple.org",
        "subject": "Demande d'accès — données 2024 sur les nids-de-poule " * 3,
    },
    "long ascii subject": {"subject": "[FOI-1] " + "request about potholes; and, bins " * 6},
    "one very long word": {"subject": "x" * 200},
    "a line one longer than fits": {"subject": "x" * 30 + " " + "y" * 39},  # 79 with "Subject: "
    "a line that just fits": {"subject": "x" * 30 + " " + "y" * 38},
    "long thread": {
        "in_reply_to": LONG_ID,
        "references": tuple(f"<{i}@a.example>" for i in range(30)),
    },
    "header injection": {"subject": "Hi\r\nBcc: v@x.example", "recipient": "a@b\r\nBcc: v@x"},
    "approved by a person": {"automatic": False, "reference": ""},
    "chaser": {"auto_submitted": AutoSubmitted.AUTO_GENERATED},
}


def envelope(**changes: object) -> Envelope:
    values: dict[str, object] = {
        "sender": Address("Information Governance Team", "foi", "council.example"),
        "recipient": "requester@example.org",
        "subject": "[FOI-2026-00001] We have received your request: potholes",
        "message_id": "<0123456789abcdef@council.example>",
        "date": datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
        "reference": "FOI-2026-00001",
        "in_reply_to": "<request@requester.example>",
    }
    values.update(changes)
    return Envelope(**values)  # type: ignore[arg-type]


def acknowledgement(name: str = "Zoë O'Brien", subject: str = "Potholes £") -> Rendered:
    facts = AcknowledgementFacts(
        "FOI-2026-00001", Regime.FOI, date(2026, 11, 26), date(2026, 12, 24), name, subject
    )
    return render_acknowledgement(facts, AuthoritySettings())


@pytest.mark.parametrize("changes", ENVELOPES.values(), ids=ENVELOPES.keys())
def test_wire_bytes_are_what_email_generates(changes: dict[str, object]) -> None:
    mail, letter = envelope(**changes), acknowledgement()
    random.seed(1)  # the MIME boundary is random
    expected = compose(mail, letter)
    expected_bytes = expected.as_bytes()
    random.seed(1)
    wire = compose_wire(mail, letter)
    assert wire.data == expected_bytes
    assert wire.subject == str(expected["Subject"])


@pytest.mark.parametrize(
    "text",
    ["", "x", "line=\r\nnext\ttab \n", "é" * 100 + " \n", "=" * 80, "a" * 75 + " \n" + "b" * 76],
)
def test_any_body_matches_email_too(text: str) -> None:
    mail, letter = envelope(), Rendered(text=text, html=text or "<p>x</p>\n")
    random.seed(2)
    try:
        expected: bytes | type[Exception] = compose(mail, letter).as_bytes()
    except Exception as error:  # email can't serialise an empty body; neither may we
        expected = type(error)
    random.seed(2)
    if isinstance(expected, bytes):
        assert compose_wire(mail, letter).data == expected
    else:
        with pytest.raises(expected):
            compose_wire(mail, letter)


def test_the_wire_message_reads_back_as_the_letter() -> None:
    subject = "[FOI-2026-00001] We have received your request:" + " données sur les routes" * 4
    mail = envelope(subject=subject, references=("<earlier@requester.example>",))
    letter = acknowledgement(name="", subject="x" * 300)
    parsed = message_from_bytes(compose_wire(mail, letter).data, policy=default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == subject
    assert parsed["From"] == "Information Governance Team <foi@council.example>"
    assert parsed["In-Reply-To"] == "<request@requester.example>"
    assert parsed["References"] == "<earlier@requester.example> <request@requester.example>"
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["X-Foibot-Case"] == "FOI-2026-00001"
    assert parsed.get_content_type() == "multipart/alternative"
    # (on the wire, and so as read back, every line ends CRLF)
    plain, html = (part.get_content().replace("\r\n", "\n") for part in parsed.iter_parts())
    assert plain == letter.text and html == letter.html
    assert "Dear requester," in plain
    assert all(len(line) <= 78 for line in bytes(parsed).split(b"\n")[:12])
