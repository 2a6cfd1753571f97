"""Route one stored inbound message: ignore, attach to its case, or open a new case.

Pure domain logic over a database session: the caller passes `now` and owns the transaction, so
the case, its events and the acknowledgement it queues commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from config.rules import Rules
from config.settings import Settings
from intake.calendar import WorkingCalendar
from intake.cases import NewCase, open_case, open_cases_of, record_event
from intake.classifier import Classification, Flag, Incoming, Label, classify, is_reply_subject
from intake.clock import Deadline
from intake.history import History
from intake.mail import Automatic, ParsedMessage, parse_message
from intake.models import (
    Attachment,
    Case,
    CaseStatus,
    Channel,
    EventKind,
    InboundMessage,
    InboundState,
    Outbox,
)
from intake.reference import find_references, mentions_reference
from intake.regime import Jurisdiction, Regime
from intake.rows import table_of, update_row
from intake.similarity import (
    find_quoted_case,
    find_repeats,
    find_round_robins,
    match_mistyped_reference,
    match_quoted_subject,
)


class CaseFlag:
    """Flags a case carries for staff, beyond the classifier's own."""

    MALFORMED = "malformed_mail"
    THIRD_PARTY_REFERENCE = "reference_from_third_party"
    REPEAT = "repeat_request"
    ROUND_ROBIN = "round_robin"
    UNMATCHED_REFERENCE = "unmatched_reference"  # quotes a reference we can't pin to a case


@dataclass(frozen=True)
class Routing:
    state: InboundState
    case: Case | None = None
    acknowledge: bool = False  # a new statutory case whose requester should hear at once
    deadline: Deadline | None = None
    parsed: ParsedMessage | None = None
    reason: str = ""


ACK_PURPOSE = "acknowledgement"


def regime_for(label: Label, jurisdiction: Jurisdiction) -> Regime | None:
    """The law a classified request falls under. Scottish public authorities answer
    information requests under FOISA (s1), and reviews under FOISA s20."""
    scottish = jurisdiction is Jurisdiction.SCOTLAND
    if label is Label.FOI:
        return Regime.FOISA if scottish else Regime.FOI
    if label is Label.EIR:
        return Regime.EIR
    if label is Label.SAR:
        return Regime.SAR
    if label is Label.INTERNAL_REVIEW:
        return Regime.FOISA_REVIEW if scottish else Regime.REVIEW
    return None


def own_domains(settings: Settings) -> tuple[str, ...]:
    addresses = (*settings.smtp.mailboxes, settings.from_address)
    return tuple(sorted({a.rsplit("@", 1)[-1].lower() for a in addresses}))


def local_time(moment: datetime, settings: Settings) -> datetime:
    return moment.astimezone(ZoneInfo(settings.authority.timezone))


def route_inbound(
    session: Session,
    inbound: InboundMessage,
    settings: Settings,
    now: datetime,
    history: History | None = None,
    rules: Rules | None = None,
) -> Routing:
    """Decide what this message is and act on it. `history` is the recent requests to compare
    against for repeats (without one it is read from the database); `rules` the classifier's
    (default: the shipped ones)."""
    if history is None:
        history = History()
        history.refresh(session, now)
    parsed = parse_message(inbound.raw, inbound.mail_from, own_domains(settings))
    routing = _route(session, inbound, parsed, settings, now, history, rules)
    outcome = {
        "problems": list(parsed.problems),
        "state": routing.state.value,
        "case_id": routing.case.id if routing.case else None,
        "processed_at": now,
    }
    update_row(session, inbound, outcome)
    return routing


def _route(
    session: Session,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    settings: Settings,
    now: datetime,
    history: History,
    rules: Rules | None,
) -> Routing:
    if _is_retry(session, inbound, parsed):
        return Routing(InboundState.DUPLICATE, parsed=parsed, reason="same Message-ID and sender")
    if parsed.automatic is not Automatic.NO:
        return Routing(InboundState.IGNORED, parsed=parsed, reason=parsed.automatic.value)
    if parsed.unusable:
        return Routing(
            InboundState.NEEDS_ATTENTION,
            parsed=parsed,
            reason="; ".join(parsed.problems) or "no content",
        )

    decision = classify(
        Incoming(
            subject=parsed.subject,
            text=parsed.text,
            sender=parsed.sender_address,
            sender_name=parsed.sender_name,
        ),
        rules,
    )
    existing, how = _match_case(session, parsed, settings, decision)
    if existing is not None:
        if decision.label is Label.INTERNAL_REVIEW and not CaseStatus(existing.status).is_open:
            return _open(session, inbound, parsed, decision, settings, now, existing, history)
        _attach(session, inbound, parsed, existing, how, now)
        return Routing(InboundState.ATTACHED, case=existing, parsed=parsed, reason=how)
    if decision.label is Label.CLARIFICATION:
        # A chase or clarification with nothing to match it by: if the sender has exactly one
        # open case it can only be about that one; otherwise a person links it (triage case).
        mine = open_cases_of(session, parsed.sender_address)
        if len(mine) == 1:
            _attach(session, inbound, parsed, mine[0], "sender_single_open_case", now)
            return Routing(
                InboundState.ATTACHED, case=mine[0], parsed=parsed, reason="sender_single_open_case"
            )
    return _open(
        session,
        inbound,
        parsed,
        decision,
        settings,
        now,
        None,
        history,
        unmatched_reference=how == UNMATCHED_REFERENCE,
    )


_INBOUND = table_of(InboundMessage)
# Built once: every message is checked (a statement rebuilt per call costs more than running it).
_EARLIER_COPY = (
    select(_INBOUND.c.id)
    .where(
        _INBOUND.c.message_id == bindparam("message_id"),
        _INBOUND.c.mail_from == bindparam("mail_from"),
        _INBOUND.c.id != bindparam("id"),
        _INBOUND.c.state != InboundState.RECEIVED.value,
    )
    .limit(1)
)


def _is_retry(session: Session, inbound: InboundMessage, parsed: ParsedMessage) -> bool:
    """A client that retries after a lost 250 sends the same Message-ID from the same sender."""
    if not parsed.message_id:
        return False
    params = {"message_id": parsed.message_id, "mail_from": inbound.mail_from, "id": inbound.id}
    return session.execute(_EARLIER_COPY, params).first() is not None


UNMATCHED_REFERENCE = "unmatched_reference"


def _match_case(
    session: Session, parsed: ParsedMessage, settings: Settings, decision: Classification
) -> tuple[Case | None, str]:
    """Strongest evidence first: our Message-ID, a valid reference, a mistyped reference among
    the sender's own open cases, the sender plus a quoted subject."""
    thread_ids = [*parsed.in_reply_to, *parsed.references]
    if thread_ids:
        case_id = session.exec(
            select(Outbox.case_id).where(
                col(Outbox.message_id).in_(thread_ids), col(Outbox.case_id).is_not(None)
            )
        ).first()
        if case_id is not None:
            return session.get(Case, case_id), "in_reply_to"
    prefix, secret = settings.references.prefix, settings.references.secret
    for source in (parsed.subject, parsed.text):
        for ref in find_references(source, prefix, secret):
            case = session.exec(select(Case).where(Case.reference == str(ref))).first()
            if case is not None:
                return case, "reference"
    mine = open_cases_of(session, parsed.sender_address)
    if not mine:
        return None, ""
    # The similarity matcher finds reference-like tokens itself, looser than the strict shape
    # (a letter typed among the digits), and wants one clear winner among the sender's cases.
    hit = match_mistyped_reference(f"{parsed.subject}\n{parsed.text}", [c.reference for c in mine])
    if hit is not None:
        return next(c for c in mine if c.reference == hit), "mistyped_reference"
    if mentions_reference(f"{parsed.subject}\n{parsed.text}", prefix):
        # A reference we can't pin to one of the sender's cases: a person decides (triage).
        return None, UNMATCHED_REFERENCE
    if decision.label in _NEW_REQUEST and not is_reply_subject(parsed.subject):
        # A fresh request that happens to share a subject with an open one ("Parking fines")
        # is a new request, not a reply: only a reply's subject is evidence of the thread.
        return None, ""
    hit = match_quoted_subject(parsed.subject, [(c.reference, c.subject) for c in mine])
    if hit is not None:
        return next(c for c in mine if c.reference == hit), "quoted_subject"
    return None, ""


_NEW_REQUEST = frozenset({Label.FOI, Label.EIR, Label.SAR})
# Repeated requests (FOIA s14(2)) and aggregation (Fees Regulations 2004 reg 5) concern
# information requests; subject access and reviews have their own rules.
_REPEAT_REGIMES = frozenset({Regime.FOI, Regime.EIR, Regime.FOISA})
# FOIA s14(2): a request is "repeated" if made within a "reasonable interval"; the Fees
# Regulations reg 5(2)(b) aggregate requests received within 60 consecutive working days.
REPEAT_WINDOW_WORKING_DAYS = 60


def _attach(
    session: Session,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    case: Case,
    how: str,
    now: datetime,
) -> None:
    third_party = bool(case.requester_email) and parsed.sender_address != case.requester_email
    flags = [CaseFlag.THIRD_PARTY_REFERENCE] if third_party else []
    if parsed.problems:
        flags.append(CaseFlag.MALFORMED)
    record_event(
        session,
        case,
        EventKind.MESSAGE_ATTACHED,
        parsed.sender_address,
        now,
        inbound_id=inbound.id,
        matched_by=how,
        subject=parsed.subject,
        text=parsed.text[:20000],
        attachments=[a.filename for a in parsed.attachments],
        flags=flags,
    )
    if third_party and CaseFlag.THIRD_PARTY_REFERENCE not in case.flags:
        # A valid reference from someone else: attached so nothing is lost, but a person checks
        # before anything about the case goes to them.
        case.flags = [*case.flags, CaseFlag.THIRD_PARTY_REFERENCE]
        session.add(case)
    _store_attachments(session, inbound, parsed, case)


def _store_attachments(
    session: Session, inbound: InboundMessage, parsed: ParsedMessage, case: Case
) -> None:
    for item in parsed.attachments:
        session.add(
            Attachment(
                case_id=case.id,
                inbound_id=inbound.id,
                filename=item.filename,
                content_type=item.content_type,
                size=item.size,
                data=item.data,
            )
        )


def _open(
    session: Session,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    decision: Classification,
    settings: Settings,
    now: datetime,
    parent: Case | None,
    history: History,
    unmatched_reference: bool = False,
) -> Routing:
    jurisdiction = settings.authority.jurisdiction
    label = decision.label
    regime = regime_for(label, jurisdiction)
    if parent is None and regime in (Regime.REVIEW, Regime.FOISA_REVIEW):
        parent = _quoted_parent(session, parsed, history)
    flags = [f.value for f in decision.flags]
    if parsed.problems:
        flags.append(CaseFlag.MALFORMED)
    repeat_since = WorkingCalendar.for_regime(regime or Regime.FOI, jurisdiction).add_working_days(
        local_time(inbound.received_at, settings).date(), -REPEAT_WINDOW_WORKING_DAYS
    )
    similar = _similarity_flags(parsed, history, regime, repeat_since, settings)
    flags.extend(similar.keys())
    if unmatched_reference:
        flags.append(CaseFlag.UNMATCHED_REFERENCE)
    needs_triage = Flag.NEEDS_TRIAGE in decision.flags or regime is None or unmatched_reference
    received_at = inbound.received_at
    classification = decision.to_json()
    if similar:
        classification["similar"] = similar
    case = open_case(
        session,
        NewCase(
            channel=Channel.EMAIL,
            received_at=received_at,
            received_on=local_time(received_at, settings).date(),
            subject=parsed.subject,
            text=parsed.text,
            regime=regime,
            label=label.value,
            requester_name=parsed.sender_name,
            requester_email=parsed.sender_address,
            confidence=decision.confidence,
            classification=classification,
            flags=tuple(dict.fromkeys(flags)),
            needs_triage=needs_triage,
            parent_id=parent.id if parent else None,
        ),
        settings.references,
        jurisdiction,
        now,
    )
    if parent is not None:
        record_event(session, case, EventKind.LINKED, "foibot", now, parent=parent.reference)
    _store_attachments(session, inbound, parsed, case)
    history.add(case)
    return Routing(
        InboundState.CASE_OPENED,
        case=case,
        acknowledge=regime is not None,
        parsed=parsed,
        reason=label.value,
    )


def _similarity_flags(
    parsed: ParsedMessage,
    history: History,
    regime: Regime | None,
    repeat_since: date,
    settings: Settings,
) -> dict[str, list[dict[str, object]]]:
    if regime not in _REPEAT_REGIMES or not parsed.text.strip():
        return {}
    mine = [
        r.request
        for r in history.of_sender(parsed.sender_address)
        if local_time(r.received_at, settings).date() >= repeat_since
    ]
    out: dict[str, list[dict[str, object]]] = {}
    repeats = find_repeats(parsed.text, mine)
    if repeats:
        out[CaseFlag.REPEAT] = [{"reference": s.reference, "score": s.score} for s in repeats]
    robins = find_round_robins(parsed.text, history.others_than(parsed.sender_address))
    if robins:
        out[CaseFlag.ROUND_ROBIN] = [{"reference": s.reference, "score": s.score} for s in robins]
    return out


def _quoted_parent(session: Session, parsed: ParsedMessage, history: History) -> Case | None:
    mine = [r.request for r in history.of_sender(parsed.sender_address)]
    hit = find_quoted_case(parsed.text, mine, parsed.subject)
    if hit is None:
        return None
    return session.exec(select(Case).where(Case.reference == hit)).first()
