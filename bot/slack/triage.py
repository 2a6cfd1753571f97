"""What the card's buttons do to a case. Each runs in one transaction: the change, its case
event (who, what, when), and the card update that shows it all commit together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from bot.slack.intake import queue_email_acknowledgement
from bot.slack.modals import Relation
from bot.slack.notify import queue_card_update
from config.settings import Settings
from intake.cases import case_by_reference, record_event, refresh_deadline, set_status
from intake.models import Case, CaseEvent, CaseStatus, EventKind
from intake.regime import Regime


@dataclass(frozen=True)
class Done:
    """What happened: `refusal` is the explanation the user sees when nothing changed."""

    case: Case | None
    refusal: str = ""

    @property
    def ok(self) -> bool:
        return not self.refusal


def actor_of(user: str) -> str:
    return f"slack:{user}"


def open_case_by_id(session: Session, case_id: int) -> tuple[Case | None, str]:
    case = session.get(Case, case_id)
    if case is None:
        return None, "That case no longer exists."
    if not CaseStatus(case.status).is_open:
        return None, f"{case.reference} is already {case.status.replace('_', ' ')}."
    return case, ""


def assign(session: Session, case_id: int, user: str, settings: Settings, now: datetime) -> Done:
    case, refusal = open_case_by_id(session, case_id)
    if case is None:
        return Done(None, refusal)
    if case.assignee == user:
        return Done(case, f"{case.reference} is already assigned to you.")
    previous = case.assignee
    case.assignee = user
    record_event(
        session, case, EventKind.ASSIGNED, actor_of(user), now, assignee=user, previous=previous
    )
    queue_card_update(session, case, settings, now)
    return Done(case)


def change_type(
    session: Session,
    case_id: int,
    regime: Regime,
    user: str,
    settings: Settings,
    now: datetime,
) -> Done:
    """A new regime means a new clock: the deadline is recomputed from the case's events."""
    case, refusal = open_case_by_id(session, case_id)
    if case is None:
        return Done(None, refusal)
    if case.regime == regime.value:
        return Done(case, f"{case.reference} is already {regime.short}.")
    previous = case.regime
    case.regime = regime.value
    case.needs_triage = False
    record_event(
        session,
        case,
        EventKind.REGIME_CHANGED,
        actor_of(user),
        now,
        regime=regime.value,
        previous=previous,
    )
    session.flush()
    refresh_deadline(session, case, settings.authority.jurisdiction, now, actor_of(user))
    if not previous and not _acknowledged(session, case):
        # It was not taken for a statutory request, so nobody told the requester their date.
        queue_email_acknowledgement(session, case, settings, now)
    queue_card_update(session, case, settings, now)
    return Done(case)


def _acknowledged(session: Session, case: Case) -> bool:
    found = session.exec(
        select(CaseEvent.id).where(
            CaseEvent.case_id == case.id,
            CaseEvent.kind == EventKind.ACKNOWLEDGEMENT_QUEUED.value,
        )
    ).first()
    return found is not None


def not_a_request(
    session: Session, case_id: int, user: str, settings: Settings, now: datetime
) -> Done:
    case, refusal = open_case_by_id(session, case_id)
    if case is None:
        return Done(None, refusal)
    case.needs_triage = False
    set_status(session, case, CaseStatus.NOT_A_REQUEST, now, actor_of(user))
    queue_card_update(session, case, settings, now)
    return Done(case)


def link(
    session: Session,
    case_id: int,
    reference: str,
    relation: Relation,
    user: str,
    settings: Settings,
    now: datetime,
) -> Done:
    """Mark a case a duplicate (closed) or a repeat (kept open for a s14(2) refusal) of another."""
    case, refusal = open_case_by_id(session, case_id)
    if case is None:
        return Done(None, refusal)
    refs = settings.references
    other = case_by_reference(session, reference, refs.prefix, refs.secret)
    if other is None:
        return Done(None, f"No case has the reference {reference!r}: check its last four.")
    if other.id == case.id:
        return Done(None, "A case can't be a duplicate of itself.")
    case.parent_id = other.id
    flag = "duplicate" if relation is Relation.DUPLICATE else "repeat_request"
    if flag not in case.flags:
        case.flags = [*case.flags, flag]
    record_event(
        session,
        case,
        EventKind.LINKED,
        actor_of(user),
        now,
        parent=other.reference,
        relation=relation.value,
    )
    if relation is Relation.DUPLICATE:
        case.outcome = "duplicate"
        set_status(
            session,
            case,
            CaseStatus.CLOSED,
            now,
            actor_of(user),
            outcome="duplicate",
            duplicate_of=other.reference,
        )
    session.add(case)
    queue_card_update(session, case, settings, now)
    return Done(case)
