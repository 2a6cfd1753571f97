"""Letters sent from Slack: a case as a letter sees it, and sending one through the outbox.

A letter goes to the requester by email when they gave an address. A request that came by
post has none: the letter text is posted in the case's thread for staff to print and post, so
nothing a person approved is silently dropped.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.outgoing import queue_email
from bot.slack.facts import local_today
from bot.slack.notify import queue_card_update, queue_in_card_thread
from bot.slack.triage import Done, actor_of, open_case_by_id
from config.exemptions import Catalogue
from config.settings import Settings
from intake.cases import add_clock_event, record_event, set_status
from intake.clock import ClockEvent, ClockEventType
from intake.models import Case, CaseStatus, EventKind
from intake.regime import Regime
from replies.case import CaseFacts
from replies.letters import LETTER_REGIMES, LetterError, LetterKind, letter_subject, render_letter
from replies.notices import ClarificationRequest
from replies.render import Rendered

POSTED_BY_HAND = "post"  # where a letter went when there was no email address


def case_facts(case: Case) -> CaseFacts:
    assert case.regime, "a letter needs the case's regime"
    return CaseFacts(
        reference=case.reference,
        regime=Regime(case.regime),
        received=case.received_on,
        requester_name=case.requester_name,
        subject=case.subject,
        text=case.text,
        requester_email=case.requester_email,
    )


def send_letter(
    session: Session,
    case: Case,
    letter: Rendered,
    subject: str,
    purpose: str,
    settings: Settings,
    now: datetime,
    actor: str,
    name: str,
) -> str:
    """Queue the letter to the requester (email, or a print-and-post note in the thread) and
    record it; returns where it went."""
    if case.requester_email:
        message_id = queue_email(
            session,
            settings,
            now,
            to=case.requester_email,
            subject=subject,
            letter=letter,
            purpose=purpose,
            case=case,
            automatic=False,  # a person approved it: not an RFC 3834 automatic reply
        )
        record_event(
            session,
            case,
            EventKind.LETTER_QUEUED,
            actor,
            now,
            letter=name,
            to=case.requester_email,
            message_id=message_id,
            purpose=purpose,
        )
        return case.requester_email
    address = " ".join(case.requester_address.split()) or "the requester's address"
    queue_in_card_thread(
        session,
        case,
        f":mailbox: No email address: please print this {name} and post it to {address}.\n"
        f"```{letter.text}```",
        now,
    )
    record_event(
        session,
        case,
        EventKind.LETTER_QUEUED,
        actor,
        now,
        letter=name,
        to=POSTED_BY_HAND,
        purpose=purpose,
    )
    return POSTED_BY_HAND


def ask_for_clarification(
    session: Session,
    case_id: int,
    question: str,
    user: str,
    settings: Settings,
    now: datetime,
    catalogue: Catalogue,
) -> Done:
    """Send the clarification letter and stop the clock (FOIA s1(3), EIR reg 9(4), FOISA s1(3);
    subject access: UK GDPR Art 12A) until the requester replies."""
    case, refusal = open_case_by_id(session, case_id)
    if case is None:
        return Done(None, refusal)
    regime = Regime(case.regime) if case.regime else None
    if regime is None or regime not in LETTER_REGIMES[LetterKind.CLARIFICATION_REQUEST]:
        kind = regime.short if regime else "a case with no type"
        return Done(None, f"There is no clarification letter for {kind}: set the type first.")
    today = local_today(settings, now)
    letter = ClarificationRequest(case=case_facts(case), on=today, questions=question)
    try:
        rendered = render_letter(letter, settings.authority, catalogue)
    except LetterError as exc:
        return Done(None, f"The letter can't be drafted: {exc}")
    actor = actor_of(user)
    send_letter(
        session,
        case,
        rendered,
        letter_subject(letter),
        "clarification",
        settings,
        now,
        actor,
        "clarification letter",
    )
    add_clock_event(
        session,
        case,
        ClockEvent(ClockEventType.CLARIFICATION_REQUESTED, today),
        settings.authority.jurisdiction,
        now,
        actor,
    )
    set_status(session, case, CaseStatus.AWAITING_CLARIFICATION, now, actor, question=question)
    queue_card_update(session, case, settings, now)
    return Done(case)
