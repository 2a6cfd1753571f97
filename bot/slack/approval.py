"""Drafts and their approval: submit a draft, approve it (the letter goes out and the case
closes), reject it (back to its drafter), edit it (a new version). Every step is a case event,
and each runs in one transaction with the Slack posts that show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.slack.blocks import esc
from bot.slack.drafting import (
    DraftForm,
    DraftMeta,
    DraftPost,
    LetterType,
    Original,
    build_letter,
    decision_line,
    draft_blocks,
    draft_text,
    missing_to_errors,
)
from bot.slack.facts import local_today
from bot.slack.letters import case_facts, send_letter
from bot.slack.notify import queue_card_update, queue_in_card_thread, queue_update_of
from bot.slack.poster import Purpose
from bot.slack.triage import Done, actor_of, open_case_by_id
from config.exemptions import Catalogue
from config.settings import Settings
from intake.cases import add_clock_event, clock_events, record_event, set_status
from intake.clock import ClockEvent, ClockEventType
from intake.drafts import Draft, DraftStatus, add_draft, decide
from intake.models import Case, CaseStatus, EventKind
from intake.regime import Regime
from intake.slack_records import draft_key
from replies.completeness import law_of
from replies.letters import (
    IncompleteLetter,
    Letter,
    LetterError,
    letter_subject,
    render_letter,
)
from replies.render import Rendered
from replies.review import review_request_by


@dataclass(frozen=True)
class Submitted:
    done: Done
    errors: dict[str, str]  # by modal block: shown beside the fields, nothing was saved


_LETTER_TYPES = {
    Regime.FOI: LetterType.RESPONSE,
    Regime.EIR: LetterType.RESPONSE,
    Regime.FOISA: LetterType.RESPONSE,
    Regime.REVIEW: LetterType.REVIEW,
    Regime.FOISA_REVIEW: LetterType.REVIEW,
    Regime.SAR: LetterType.SAR,
}


def draft_meta(case: Case, edits: int | None = None) -> DraftMeta | None:
    """None when the case has no type yet, so no response letter can be drafted."""
    if case.id is None or not case.regime:
        return None
    regime = Regime(case.regime)
    law = law_of(regime)
    return DraftMeta(
        case.id, case.reference, law.value if law else "", _LETTER_TYPES[regime], edits
    )


def _original(session: Session, case: Case, settings: Settings) -> Original:
    """For a review: the case it reviews and the date that case was answered."""
    parent = session.get(Case, case.parent_id) if case.parent_id else None
    if parent is None:
        return Original()
    answered = _local(parent.closed_at, settings).date() if parent.closed_at else None
    return Original(parent.reference, answered)


def _letter(
    session: Session,
    case: Case,
    form: DraftForm,
    settings: Settings,
    now: datetime,
    catalogue: Catalogue,
) -> tuple[Letter, Rendered]:
    """Render the letter as it would be sent today; raises LetterError / IncompleteLetter."""
    meta = draft_meta(case)
    if meta is None:
        raise LetterError("the case has no type yet: set it on the card first")
    facts = case_facts(case)
    today = local_today(settings, now)
    review_by = None
    if meta.letter is LetterType.RESPONSE:
        jurisdiction = settings.authority.jurisdiction
        review_by = review_request_by(facts, today, jurisdiction, clock_events(session, case))
    original = _original(session, case, settings) if meta.letter is LetterType.REVIEW else None
    letter = build_letter(form, meta.letter, facts, today, review_by, original, meta.law)
    return letter, render_letter(letter, settings.authority, catalogue)


def _post(draft: Draft, case: Case, decision: str = "") -> DraftPost:
    assert draft.id is not None
    form = DraftForm.from_values(draft.content)
    return DraftPost(
        draft_id=draft.id,
        version=draft.version,
        reference=case.reference,
        drafter=draft.drafter,
        outcome=form.outcome,
        exemptions=form.exemptions,
        letter=str(draft.content.get("letter_text", "")),
        to=case.requester_email,
        decision=decision,
        pending=draft.status == DraftStatus.PENDING.value,
    )


def _local(now: datetime, settings: Settings) -> datetime:
    return now.astimezone(ZoneInfo(settings.authority.timezone))


def submit_draft(
    session: Session,
    meta: DraftMeta,
    form: DraftForm,
    user: str,
    settings: Settings,
    now: datetime,
    catalogue: Catalogue,
) -> Submitted:
    case, refusal = open_case_by_id(session, meta.case_id)
    if case is None:
        return Submitted(Done(None, refusal), {"outcome": refusal})
    if draft_meta(case) is None:
        problem = f"{case.reference} has no type yet: set it on the card first."
        return Submitted(Done(None, problem), {"outcome": problem})
    if meta.edits is not None:
        edited = session.get(Draft, meta.edits)
        if edited is None or edited.status != DraftStatus.PENDING.value:
            problem = "That draft has been decided meanwhile: start a new one from the card."
            return Submitted(Done(None, problem), {"outcome": problem})
    try:
        _, rendered = _letter(session, case, form, settings, now, catalogue)
    except IncompleteLetter as exc:
        found = missing_to_errors(exc.missing, form, catalogue, meta.law)
        return Submitted(Done(None, str(exc)), found)
    except LetterError as exc:
        return Submitted(Done(None, str(exc)), {"outcome": str(exc)})
    values = {**form.values(), "letter_text": rendered.text}
    assert case.id is not None
    draft, old = add_draft(session, case.id, user, form.outcome, values, now)
    actor = actor_of(user)
    if old is not None and old.id is not None:
        line = decision_line(f"Replaced by version {draft.version}", user, _local(now, settings))
        post = _post(old, case, line)
        queue_update_of(
            session, draft_key(old.id), draft_text(post), draft_blocks(post), now, case.id
        )
    record_event(
        session,
        case,
        EventKind.DRAFTED,
        actor,
        now,
        draft_id=draft.id,
        version=draft.version,
        outcome=form.outcome,
        exemptions=list(form.exemptions),
    )
    set_status(session, case, CaseStatus.AWAITING_APPROVAL, now, actor, draft=draft.version)
    assert draft.id is not None
    post = _post(draft, case)
    queue_in_card_thread(
        session,
        case,
        draft_text(post),
        now,
        blocks=draft_blocks(post),
        keep=draft_key(draft.id),
        purpose=Purpose.DRAFT,
    )
    queue_card_update(session, case, settings, now)
    return Submitted(Done(case), {})


def pending(session: Session, draft_id: int) -> tuple[Draft | None, Case | None, str]:
    """The draft and its case if the draft still awaits a decision; else a refusal."""
    draft = session.get(Draft, draft_id)
    if draft is None:
        return None, None, "That draft no longer exists."
    case = session.get(Case, draft.case_id)
    if case is None:
        return None, None, "That case no longer exists."
    if draft.status != DraftStatus.PENDING.value:
        who = f" by <@{draft.decided_by}>" if draft.decided_by else ""
        return None, None, f"This draft was already {draft.status}{who}."
    return draft, case, ""


def approve(
    session: Session,
    draft_id: int,
    user: str,
    settings: Settings,
    now: datetime,
    catalogue: Catalogue,
) -> Done:
    """Send the approved letter, close the case with its outcome and exemptions recorded."""
    draft, case, refusal = pending(session, draft_id)
    if draft is None or case is None:
        return Done(None, refusal)
    form = DraftForm.from_values(draft.content)
    try:
        letter, rendered = _letter(session, case, form, settings, now, catalogue)
    except LetterError as exc:
        return Done(None, f"The letter can't be sent as drafted: {exc}. Use Edit to fix it.")
    actor = actor_of(user)
    decide(session, draft, DraftStatus.APPROVED, user, now)
    record_event(
        session,
        case,
        EventKind.APPROVED,
        actor,
        now,
        draft_id=draft.id,
        version=draft.version,
        drafter=draft.drafter,
    )
    to = send_letter(
        session,
        case,
        rendered,
        letter_subject(letter),
        "response",
        settings,
        now,
        actor,
        "response letter",
    )
    today = local_today(settings, now)
    add_clock_event(
        session,
        case,
        ClockEvent(ClockEventType.RESPONSE_ISSUED, today),
        settings.authority.jurisdiction,
        now,
        actor,
    )
    case.outcome = form.outcome
    set_status(
        session,
        case,
        CaseStatus.CLOSED,
        now,
        actor,
        outcome=form.outcome,
        exemptions=list(form.exemptions),
        draft=draft.version,
    )
    where = "sent to the post tray" if to == "post" else f"queued to {to}"
    line = decision_line(":white_check_mark: Approved", user, _local(now, settings))
    post = _post(draft, case, f"{line}; the letter was {where}.")
    assert draft.id is not None
    queue_update_of(
        session, draft_key(draft.id), draft_text(post), draft_blocks(post), now, case.id
    )
    queue_card_update(session, case, settings, now)
    return Done(case)


def reject(
    session: Session,
    draft_id: int,
    reason: str,
    user: str,
    settings: Settings,
    now: datetime,
) -> Done:
    """Return the draft to its drafter: the case is theirs again, open, with the reason."""
    draft, case, refusal = pending(session, draft_id)
    if draft is None or case is None:
        return Done(None, refusal)
    actor = actor_of(user)
    decide(session, draft, DraftStatus.REJECTED, user, now, reason)
    record_event(
        session,
        case,
        EventKind.REJECTED,
        actor,
        now,
        draft_id=draft.id,
        version=draft.version,
        drafter=draft.drafter,
        reason=reason,
    )
    if case.assignee != draft.drafter:
        record_event(
            session,
            case,
            EventKind.ASSIGNED,
            actor,
            now,
            assignee=draft.drafter,
            previous=case.assignee,
        )
        case.assignee = draft.drafter
    set_status(session, case, CaseStatus.OPEN, now, actor, rejected=draft.version)
    line = decision_line(":leftwards_arrow_with_hook: Returned", user, _local(now, settings))
    post = _post(draft, case, f"{line}: {esc(reason)}")
    assert draft.id is not None
    queue_update_of(
        session, draft_key(draft.id), draft_text(post), draft_blocks(post), now, case.id
    )
    queue_in_card_thread(
        session,
        case,
        f"<@{draft.drafter}> your draft (version {draft.version}) was returned by <@{user}>: "
        f"{esc(reason)}",
        now,
    )
    queue_card_update(session, case, settings, now)
    return Done(case)
