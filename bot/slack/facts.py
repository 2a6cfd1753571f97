"""Read a case into the facts the Slack builders show: the card, lists, the home tab."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process, utils
from sqlmodel import Session, col, select

from bot.slack.blocks import esc
from bot.slack.cards import CardFacts, EvidenceLine, HistoryLine, regime_name
from config.settings import Settings
from intake.cases import deadline_for, events_of
from intake.clock import ClockError, Deadline, working_days_left
from intake.models import Case, CaseEvent, CaseStatus, Channel, EventKind
from intake.reference import find_references
from intake.regime import Regime

SHOWN_EVENTS = {
    EventKind.ASSIGNED,
    EventKind.REGIME_CHANGED,
    EventKind.STATUS_CHANGED,
    EventKind.LINKED,
    EventKind.DRAFTED,
    EventKind.APPROVED,
    EventKind.REJECTED,
    EventKind.LETTER_QUEUED,
}


def local_today(settings: Settings, now: datetime) -> date:
    return now.astimezone(ZoneInfo(settings.authority.timezone)).date()


def safe_deadline(session: Session, case: Case, settings: Settings) -> Deadline | None:
    try:
        return deadline_for(session, case, settings.authority.jurisdiction)
    except (ClockError, ValueError):
        return None  # an odd event history: the card still shows, without a count


def days_left(deadline: Deadline | None, today: date) -> int | None:
    if deadline is None:
        return None
    try:
        return working_days_left(deadline, today)
    except (ClockError, ValueError):
        return None


def describe(event: CaseEvent) -> str:
    """One line of the card's history, in the words staff use."""
    d: dict[str, Any] = event.detail
    kind = EventKind(event.kind)
    if kind is EventKind.ASSIGNED:
        target = str(d.get("assignee", ""))
        if f"slack:{target}" == event.actor:
            return "took the case"
        return f"assigned it to <@{target}>" if target else "unassigned it"
    if kind is EventKind.REGIME_CHANGED:
        before = regime_name(Regime(d["previous"])) if d.get("previous") else "none"
        after = regime_name(Regime(d["regime"])) if d.get("regime") else "none"
        return f"changed the type from {before} to {after}"
    if kind is EventKind.STATUS_CHANGED:
        status = CaseStatus(d["status"])
        if status is CaseStatus.NOT_A_REQUEST:
            return "marked it not a request"
        if status is CaseStatus.AWAITING_CLARIFICATION:
            return "asked the requester to clarify (clock stopped)"
        if status is CaseStatus.AWAITING_APPROVAL:
            return "sent a draft for approval"
        if status is CaseStatus.CLOSED:
            outcome = d.get("outcome", "")
            return f"closed it ({esc(str(outcome))})" if outcome else "closed it"
        if status is CaseStatus.OPEN:
            return "reopened it"
        return f"set the status to {status.value}"
    if kind is EventKind.LINKED:
        relation = d.get("relation", "linked")
        return f"marked it a {esc(str(relation))} of {esc(str(d.get('parent', '')))}"
    if kind is EventKind.DRAFTED:
        return f"drafted a response (version {d.get('version', 1)})"
    if kind is EventKind.APPROVED:
        return f"approved version {d.get('version', 1)} of the response"
    if kind is EventKind.REJECTED:
        return f"returned the draft: {esc(str(d.get('reason', '')))}"
    if kind is EventKind.LETTER_QUEUED:
        to = d.get("to") or "the requester"
        return f"queued the {esc(str(d.get('letter', 'letter')))} to {esc(str(to))}"
    return kind.value.replace("_", " ")


def card_facts(session: Session, case: Case, settings: Settings, now: datetime) -> CardFacts:
    assert case.id is not None
    zone = ZoneInfo(settings.authority.timezone)
    deadline = safe_deadline(session, case, settings)
    stop_reason = ""
    if deadline is not None and deadline.stopped:
        stop_reason = deadline.stop_reason or "stopped"
    classification = case.classification or {}
    evidence = tuple(
        EvidenceLine(str(e.get("label", "")), str(e.get("matched", "")), float(e.get("score", 0)))
        for e in classification.get("evidence", [])
        if isinstance(e, dict)
    )
    similar: list[str] = []
    for hits in (classification.get("similar") or {}).values():
        similar.extend(str(h.get("reference", "")) for h in hits if isinstance(h, dict))
    history = tuple(
        HistoryLine(event.at.astimezone(zone), event.actor, describe(event))
        for event in events_of(session, case)
        if event.kind in SHOWN_EVENTS
    )
    parent = session.get(Case, case.parent_id) if case.parent_id else None
    return CardFacts(
        case_id=case.id,
        reference=case.reference,
        status=CaseStatus(case.status),
        regime=Regime(case.regime) if case.regime else None,
        label=case.label,
        confidence=case.confidence,
        evidence=evidence,
        requester_name=case.requester_name,
        requester_email=case.requester_email,
        requester_address=case.requester_address,
        channel=Channel(case.channel),
        received_on=case.received_on,
        due=case.due,
        days_left=days_left(deadline, local_today(settings, now)),
        stop_reason=stop_reason,
        flags=tuple(case.flags),
        similar=tuple(dict.fromkeys(r for r in similar if r)),
        subject=case.subject,
        text=case.text,
        assignee=case.assignee,
        outcome=case.outcome,
        parent=parent.reference if parent else "",
        history=history,
    )


@dataclass(frozen=True)
class CaseLine:
    """One case in a list (commands, home tab)."""

    reference: str
    regime: Regime | None
    requester: str
    subject: str
    status: CaseStatus
    due: date | None
    days_left: int | None
    assignee: str


def case_line(session: Session, case: Case, settings: Settings, today: date) -> CaseLine:
    return CaseLine(
        reference=case.reference,
        regime=Regime(case.regime) if case.regime else None,
        requester=case.requester_name or case.requester_email or "unknown",
        subject=case.subject or case.text.strip().split("\n", 1)[0],
        status=CaseStatus(case.status),
        due=case.due,
        days_left=days_left(safe_deadline(session, case, settings), today) if case.due else None,
        assignee=case.assignee,
    )


def open_cases(session: Session) -> Sequence[Case]:
    return session.exec(
        select(Case)
        .where(col(Case.status).in_([s.value for s in CaseStatus if s.is_open]))
        .order_by(col(Case.due), col(Case.id))
    ).all()


def lines(
    session: Session, cases: Sequence[Case], settings: Settings, today: date
) -> list[CaseLine]:
    return [case_line(session, case, settings, today) for case in cases]


def due_within(
    session: Session, settings: Settings, today: date, working_days: int
) -> list[CaseLine]:
    """Open cases due in the next `working_days` working days, overdue ones first."""
    found = [
        line
        for line in lines(session, open_cases(session), settings, today)
        if line.due is not None and line.days_left is not None and line.days_left <= working_days
    ]
    return sorted(found, key=lambda line: (line.days_left or 0, line.reference))


def assigned_to(session: Session, settings: Settings, today: date, user: str) -> list[CaseLine]:
    mine = [case for case in open_cases(session) if case.assignee == user]
    return lines(session, mine, settings, today)


SEARCH_LIMIT = 10
SEARCH_SCAN = 5000  # the most recent cases searched
SEARCH_CUTOFF = 60.0
SEARCH_TEXT = 300  # the start of each request, where it says what it wants
SEARCH_TEXT_CUTOFF = 80.0


def search(session: Session, settings: Settings, today: date, text: str) -> list[CaseLine]:
    """Fuzzy search over references, requesters and subjects (rapidfuzz), best first."""
    query = text.strip()
    if not query:
        return []
    refs = settings.references
    exact = find_references(query, refs.prefix, refs.secret)
    recent = session.exec(select(Case).order_by(col(Case.id).desc()).limit(SEARCH_SCAN)).all()
    by_id = {case.id: case for case in recent}
    hits: list[Case] = []
    for ref in exact:
        case = session.exec(select(Case).where(Case.reference == str(ref))).first()
        if case is not None:
            hits.append(case)
    # Each field is scored on its own (a short name is lost inside a long string): names,
    # addresses and subjects with WRatio, the start of the request with partial_ratio.
    best: dict[int, float] = {}
    short = [
        (case.id, part)
        for case in recent
        for part in (case.reference, case.requester_name, case.requester_email, case.subject)
        if part and case.id is not None
    ]
    long = [(case.id, case.text[:SEARCH_TEXT]) for case in recent if case.id is not None]
    for fields, scorer, cutoff in (
        (short, fuzz.WRatio, SEARCH_CUTOFF),
        (long, fuzz.partial_ratio, SEARCH_TEXT_CUTOFF),
    ):
        found = process.extract(
            query,
            [text for _, text in fields],
            scorer=scorer,
            processor=utils.default_process,
            limit=None,
            score_cutoff=cutoff,
        )
        for _, score, index in found:
            case_id = fields[index][0]
            assert case_id is not None
            best[case_id] = max(best.get(case_id, 0.0), float(score))
    for case_id in sorted(best, key=lambda i: -best[i]):
        case = by_id[case_id]
        if case not in hits:
            hits.append(case)
    return lines(session, hits[:SEARCH_LIMIT], settings, today)
