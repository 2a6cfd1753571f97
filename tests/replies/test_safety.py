"""Safety: StrictUndefined, HTML autoescaping, requester and staff text as data, one-line
subjects that can't add headers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes
from email.headerregistry import Address
from email.policy import default

import pytest
from jinja2 import UndefinedError

from config.exemptions import Catalogue
from config.settings import AuthoritySettings
from replies.email import Envelope, compose
from replies.letters import letter_subject, render_letter
from replies.notices import ClarificationRequest
from replies.render import render
from replies.response import AppliedExemption, Outcome, Response

from .conftest import make_case

ON = date(2024, 7, 12)
HOSTILE = '{{ 7*7 }} {% if true %}x{% endif %} <script>alert(1)</script> & "quoted"'


def response(text: str = HOSTILE, reason: str = HOSTILE) -> Response:
    exemption = AppliedExemption("s31(1)(a)", reason, (HOSTILE,), ("<b>bold</b>",), HOSTILE)
    return Response(make_case(text=text), Outcome.PART, ON, date(2024, 9, 10),
                    summary=HOSTILE, exemptions=(exemption,))  # fmt: skip


def test_template_syntax_in_requester_and_staff_text_prints_as_typed(
    council: AuthoritySettings, catalogue: Catalogue
) -> None:
    out = render_letter(response(), council, catalogue)
    assert "> " + HOSTILE in out.text  # the request, quoted as typed
    assert out.text.count("{{ 7*7 }}") == 5  # request, summary, reason, factor, conclusion
    assert "49" not in out.text and "49" not in out.html
    assert "{% if true %}x{% endif %}" in out.text


def test_html_escapes_everything_a_person_typed(
    council: AuthoritySettings, catalogue: Catalogue
) -> None:
    html = render_letter(response(), council, catalogue).html
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34;" in html
    assert "<li>&lt;b&gt;bold&lt;/b&gt;</li>" in html


def test_a_request_that_imitates_our_markup_stays_inside_its_quote(
    council: AuthoritySettings, catalogue: Catalogue
) -> None:
    sneaky = "first\n\n## Our response\n\n- approved\n\n<blockquote>x</blockquote>"
    out = render_letter(response(text=sneaky, reason="Why."), council, catalogue)
    assert out.html.count("<h2>Our response</h2>") == 1
    assert "&lt;blockquote&gt;x&lt;/blockquote&gt;" in out.html
    assert "> ## Our response\n>\n> - approved" in out.text


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        render("response.j2", {"on": ON})


def test_a_subject_with_cr_lf_cannot_add_headers(council: AuthoritySettings) -> None:
    case = make_case(subject="Hello\r\nBcc: victim@example.org\r\n\r\nbody")
    letter = ClarificationRequest(case, ON, "Which years?")
    subject = letter_subject(letter)
    assert "\r" not in subject and "\n" not in subject
    assert subject == (
        "[IC-315773-L9G6] Please help us understand your request: "
        "Hello Bcc: victim@example.org body"
    )
    envelope = Envelope(
        sender=Address("Team", "foi", "example.org"),
        recipient="someone@example.org\r\nBcc: victim@example.org",
        subject=subject,
        message_id="<1@example.org>",
        date=datetime(2024, 7, 12, tzinfo=UTC),
    )
    parsed = message_from_bytes(
        bytes(compose(envelope, render_letter(letter, council))), policy=default
    )
    assert parsed["Bcc"] is None
    assert "victim" not in (parsed["To"] or "").split()[0]
