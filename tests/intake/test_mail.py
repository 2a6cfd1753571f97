from __future__ import annotations

from pathlib import Path

import pytest

from intake.mail import Automatic, parse_message, safe_filename

CPYTHON = sorted((Path(__file__).parent / "data" / "cpython_email").glob("msg_*.txt"))


def test_corpus_is_present() -> None:
    assert len(CPYTHON) >= 40


@pytest.mark.parametrize("path", CPYTHON, ids=lambda p: p.name)
def test_real_messages_never_raise(path: Path) -> None:
    parsed = parse_message(path.read_bytes())
    assert isinstance(parsed.text, str)
    assert parsed.automatic in set(Automatic)


def test_multipart_report_is_a_bounce() -> None:
    parsed = parse_message((CPYTHON[0].parent / "msg_16.txt").read_bytes())
    assert parsed.automatic is Automatic.BOUNCE


def test_null_envelope_sender_is_a_bounce() -> None:
    raw = b"From: someone@example.org\r\nSubject: hello\r\n\r\nbody\r\n"
    assert parse_message(raw, envelope_sender="").automatic is Automatic.BOUNCE
    assert parse_message(raw, envelope_sender="someone@example.org").automatic is Automatic.NO


def _mail(headers: str, body: str = "Please send me the report.") -> bytes:
    return (
        "From: Ann Example <ann@example.org>\r\nTo: foi@council.example\r\n"
        f"Message-ID: <a1@example.org>\r\n{headers}\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ("Subject: Request\r\nAuto-Submitted: auto-replied\r\n", Automatic.AUTO_REPLY),
        ("Subject: Request\r\nAuto-Submitted: auto-generated\r\n", Automatic.AUTO_REPLY),
        ("Subject: Request\r\nAuto-Submitted: no\r\n", Automatic.NO),
        ("Subject: Request\r\nX-Autoreply: yes\r\n", Automatic.AUTO_REPLY),
        ("Subject: Out of Office: back Monday\r\n", Automatic.AUTO_REPLY),
        ("Subject: Automatic reply: Request\r\n", Automatic.AUTO_REPLY),
        ("Subject: Request\r\nList-Id: <news.example.org>\r\n", Automatic.LIST),
        ("Subject: Request\r\nPrecedence: bulk\r\n", Automatic.LIST),
        ("Subject: Request\r\nPrecedence: junk\r\n", Automatic.LIST),
        ("Subject: Request\r\n", Automatic.NO),
    ],
)
def test_automatic_mail_is_recognised(headers: str, expected: Automatic) -> None:
    assert parse_message(_mail(headers)).automatic is expected


def test_no_reply_sender() -> None:
    raw = b"From: no-reply@service.example\r\nSubject: Your receipt\r\n\r\nThanks\r\n"
    assert parse_message(raw).automatic is Automatic.NO_REPLY_SENDER


def test_our_own_message_coming_back() -> None:
    raw = _mail("Subject: [IC-100000-ABCD] ack\r\nX-Foibot-Case: IC-100000-ABCD\r\n").replace(
        b"ann@example.org", b"foi@council.example"
    )
    assert parse_message(raw, own_domains=("council.example",)).automatic is Automatic.OWN_MESSAGE


def test_rfc2047_subject_and_name_and_legacy_charset() -> None:
    raw = (
        b"From: =?iso-8859-1?q?Ren=E9e_Dupr=E9?= <renee@example.org>\r\n"
        b"Subject: =?utf-8?b?Q2Fmw6kgaW5zcGVjdGlvbnM=?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nPlease send the caf\xe9 hygiene reports.\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.sender_name == "Renée Dupré"
    assert parsed.subject == "Café inspections"
    assert "café hygiene" in parsed.text


def test_html_only_mail_becomes_text() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><body><p>Please provide <b>all contracts</b></p><script>x()</script>"
        b"<ul><li>2023</li><li>2024</li></ul></body></html>\r\n"
    )
    text = parse_message(raw).text
    assert "Please provide all contracts" in text
    assert "<b>" not in text and "x()" not in text
    assert "2023" in text and "2024" in text


def test_multipart_alternative_prefers_plain_and_keeps_attachments() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="OUT"\r\n\r\n'
        b'--OUT\r\nContent-Type: multipart/alternative; boundary="ALT"\r\n\r\n'
        b"--ALT\r\nContent-Type: text/plain\r\n\r\nPlain words\r\n"
        b"--ALT\r\nContent-Type: text/html\r\n\r\n<p>HTML words</p>\r\n--ALT--\r\n"
        b"--OUT\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="../../etc/evil.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--OUT--\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.text == "Plain words"
    assert len(parsed.attachments) == 1
    attachment = parsed.attachments[0]
    assert attachment.filename == "evil.pdf"
    assert attachment.data.startswith(b"%PDF")


def test_garbage_is_flagged_not_raised() -> None:
    parsed = parse_message(b"\x00\xff\xfe not an email at all \r\n\r\n\r\n")
    assert parsed.malformed
    assert parsed.sender_address == ""


def test_threading_headers() -> None:
    raw = _mail(
        "Subject: Re: x\r\nIn-Reply-To: <ack1@council.example>\r\n"
        "References: <r0@example.org> <ack1@council.example>\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.message_id == "<a1@example.org>"
    assert parsed.in_reply_to == ("<ack1@council.example>",)
    assert parsed.references == ("<r0@example.org>", "<ack1@council.example>")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../x.doc", "x.doc"),
        ("C:\\Users\\a\\b.xlsx", "b.xlsx"),
        ("", "attachment-3"),
        ("..", "attachment-3"),
        ("a\x00b\r\n.txt", "ab.txt"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name, 3) == expected


def _headers_only(headers: str) -> bytes:
    return f"To: foi@council.example\r\n{headers}\r\n\r\nPlease send the report.\r\n".encode()


@pytest.mark.parametrize(
    ("value", "name", "address"),
    [
        ("Ann Example <ann@example.org>", "Ann Example", "ann@example.org"),
        ("Ann  Example\t<ann@example.org>", "Ann Example", "ann@example.org"),
        ("Ann Example\r\n <ann@example.org>", "Ann Example", "ann@example.org"),
        ("Ann Example <Ann.Example@Example.ORG>", "Ann Example", "ann.example@example.org"),
        ('"Example, Ann" <ann@example.org>', "Example, Ann", "ann@example.org"),
        ("=?utf-8?q?Ren=C3=A9e?= <renee@example.org>", "Renée", "renee@example.org"),
        ("Mr. Ann Example <ann@example.org>", "Mr. Ann Example", "ann@example.org"),
        ("ann@example.org (Ann Example)", "", "ann@example.org"),
        ("<ann@example.org>", "", "ann@example.org"),
        ("Ann <ann@example.org>, Bob <bob@example.org>", "Ann", "ann@example.org"),
    ],
)
def test_from_header_forms(value: str, name: str, address: str) -> None:
    parsed = parse_message(_headers_only(f"From: {value}"))
    assert (parsed.sender_name, parsed.sender_address) == (name, address)
    assert not parsed.problems


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<a1@example.org>", "<a1@example.org>"),
        ("<a1@example.org> (a comment)", "<a1@example.org>"),
        ("<a1@[127.0.0.1]>", "<a1@[127.0.0.1]>"),
        ("a1@example.org", ""),
    ],
)
def test_message_id_forms(value: str, expected: str) -> None:
    raw = _headers_only(f"From: a@example.org\r\nMessage-ID: {value}")
    assert parse_message(raw).message_id == expected


def test_first_of_repeated_headers_counts_and_folded_headers_are_joined() -> None:
    raw = _headers_only(
        "From: a@example.org\r\nSubject: part one\r\n  part two\r\nSubject: second\r\n"
        'Cc: Bob <BOB@example.org>, "Smith, C" <c@example.org>'
    )
    parsed = parse_message(raw)
    assert parsed.subject == "part one part two"
    assert parsed.to == ("foi@council.example", "bob@example.org", "c@example.org")


def test_encoded_words_in_automatic_headers_are_decoded() -> None:
    bulk = _headers_only("From: a@example.org\r\nPrecedence: =?utf-8?q?bulk?=")
    assert parse_message(bulk).automatic is Automatic.LIST
    blank = _headers_only("From: a@example.org\r\nList-Id: =?utf-8?q?_?=")
    assert parse_message(blank).automatic is Automatic.NO
