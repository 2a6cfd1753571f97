"""Outgoing email: compose a rendered letter and queue it in the outbox, in the caller's
transaction. Every email foibot sends goes through here, so every one is a row before it is a
network call and carries the same threading and RFC 3834 headers."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.headerregistry import Address

from sqlmodel import Session

from config.settings import Settings
from intake.cases import record_event
from intake.inbox import ACK_PURPOSE, local_time
from intake.models import Case, EventKind, OutboxKind
from intake.outbox import count_sent_to, queue_message
from intake.regime import Regime
from replies.acknowledgement import (
    AcknowledgementFacts,
    acknowledgement_subject,
    render_acknowledgement,
)
from replies.email import AutoSubmitted, Envelope, compose_wire, make_message_id
from replies.render import Rendered


def sender_address(settings: Settings) -> Address:
    local, _, domain = settings.from_address.rpartition("@")
    return Address(display_name=settings.authority.team, username=local, domain=domain)


def new_message_id(settings: Settings) -> str:
    return make_message_id(secrets.token_hex(12), settings.from_address.rpartition("@")[2])


def queue_email(
    session: Session,
    settings: Settings,
    now: datetime,
    *,
    to: str,
    subject: str,
    letter: Rendered,
    purpose: str,
    case: Case | None,
    in_reply_to: str = "",
    references: Sequence[str] = (),
    automatic: bool = True,
    auto_submitted: AutoSubmitted = AutoSubmitted.AUTO_REPLIED,
) -> str:
    """Queue one email; returns its Message-ID (for threading replies back to the case).

    `automatic` is False for letters a person approved; automatic mail is marked per RFC 3834
    (`auto_submitted`: auto-replied for answers to a message, auto-generated otherwise).
    """
    message_id = new_message_id(settings)
    wire = compose_wire(
        Envelope(
            sender=sender_address(settings),
            recipient=to,
            subject=subject,
            message_id=message_id,
            date=local_time(now, settings),
            reference=case.reference if case else "",
            in_reply_to=in_reply_to,
            references=tuple(references),
            automatic=automatic,
            auto_submitted=auto_submitted,
        ),
        letter,
    )
    queue_message(
        session,
        kind=OutboxKind.EMAIL,
        purpose=purpose,
        recipient=to,
        payload=wire.data,
        now=now,
        case_id=case.id if case else None,
        message_id=message_id,
        subject=wire.subject,
    )
    return message_id


def queue_acknowledgement(
    session: Session,
    case: Case,
    settings: Settings,
    now: datetime,
    *,
    subject: str = "",
    in_reply_to: str = "",
    references: Sequence[str] = (),
    rate_limited: bool = True,
) -> bool:
    """Queue a new case's acknowledgement, threaded on the request it answers.

    With `rate_limited`, a sender who already had the configured number of acknowledgements in
    the last hour gets none (a loop or abuse guard, RFC 3834 s2); the case is still opened and
    the suppression recorded.
    """
    recipient = case.requester_email
    if rate_limited:
        recent = count_sent_to(session, recipient, ACK_PURPOSE, now - timedelta(hours=1))
        if recent >= settings.intake.acks_per_sender_per_hour:
            record_event(
                session,
                case,
                EventKind.ACKNOWLEDGEMENT_SUPPRESSED,
                "foibot",
                now,
                reason="rate_limited",
                sent_in_last_hour=recent,
            )
            return False
    letter = render_acknowledgement(
        AcknowledgementFacts(
            reference=case.reference,
            regime=Regime(case.regime) if case.regime else None,
            received=case.received_on,
            due=case.due,
            requester_name=case.requester_name,
            subject=case.subject,
        ),
        settings.authority,
    )
    message_id = queue_email(
        session,
        settings,
        now,
        to=recipient,
        subject=acknowledgement_subject(case.reference, subject or case.subject),
        letter=letter,
        purpose=ACK_PURPOSE,
        case=case,
        in_reply_to=in_reply_to,
        references=references,
    )
    record_event(
        session,
        case,
        EventKind.ACKNOWLEDGEMENT_QUEUED,
        "foibot",
        now,
        message_id=message_id,
        due=case.due.isoformat() if case.due else None,
    )
    return True
