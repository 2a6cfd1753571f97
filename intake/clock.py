"""The statutory clock: due dates derived from a case's events, with the working shown.

Pure: no clock reads, no I/O. Give it the regime, the date of receipt and the clock events; it
returns a `Deadline` that says when the answer is due, which days were skipped and why, and
every step of the reasoning as plain lines staff can check against the statute.

Modelling choices (the rules themselves are cited beside the code that applies them):

- While the clock is stopped (waiting for clarification or for a fee) there is no due date:
  `due` is None, `stopped` is True and `stop_reason` says why. A date shown then would be a
  guess that depends on when the requester replies. `working_days_left` returns the count frozen
  at the stop.
- `lapses_on` is the first day on which an unpaid fees notice means the authority no longer has
  to comply; `fee_due_by` is the last day the fee can arrive.
- `skipped` lists the days after the date of receipt (or, for subject access, inside the month)
  that did not count towards the due date, each with its reason.
- Bad event sequences (a fee paid with no notice, clarification received that was never asked
  for, an extension after the deadline, events after the response) raise `ClockError` with a
  message naming the event: the statute gives such a sequence no meaning, and a silent guess is
  worse than an error staff can fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from intake.calendar import SkippedDay, WorkingCalendar, format_date, scope_for
from intake.regime import Jurisdiction, Regime

__all__ = [
    "ClockError",
    "ClockEvent",
    "ClockEventType",
    "ClockState",
    "Deadline",
    "SkippedDay",
    "compute_deadline",
    "is_overdue",
    "working_days_left",
]

_DAY = dt.timedelta(days=1)


class ClockEventType(StrEnum):
    """Things that happen to a case and move its clock."""

    CLARIFICATION_REQUESTED = "clarification_requested"
    CLARIFICATION_RECEIVED = "clarification_received"
    FEE_NOTICE_ISSUED = "fee_notice_issued"
    FEE_PAID = "fee_paid"
    EXTENSION = "extension"
    ID_VERIFIED = "id_verified"
    RESPONSE_ISSUED = "response_issued"


# Same-day events are applied in the order they must logically have happened.
_SAME_DAY_ORDER = {
    ClockEventType.CLARIFICATION_REQUESTED: 0,
    ClockEventType.CLARIFICATION_RECEIVED: 1,
    ClockEventType.FEE_NOTICE_ISSUED: 2,
    ClockEventType.FEE_PAID: 3,
    ClockEventType.ID_VERIFIED: 4,
    ClockEventType.EXTENSION: 5,
    ClockEventType.RESPONSE_ISSUED: 6,
}


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One clock event. `amount`: extension length (working days; months for subject access)."""

    type: ClockEventType
    on: dt.date
    amount: int | None = None


class ClockState(StrEnum):
    RUNNING = "running"
    AWAITING_CLARIFICATION = "awaiting_clarification"
    AWAITING_FEE = "awaiting_fee"
    LAPSED = "lapsed"
    RESPONDED = "responded"


class ClockError(ValueError):
    """An event sequence the law gives no meaning to; the message names the offending event."""


class Deadline(NamedTuple):
    """The answer: when the response is due and how that was worked out.

    Immutable (assigning to a field raises AttributeError). A NamedTuple rather than a frozen
    dataclass: it is built once per case on every sweep and every bench run, and a frozen
    dataclass's __init__ costs about three times as much.
    """

    due: dt.date | None  # None while the clock is stopped or after the request lapsed
    day_one: dt.date  # first day counted (subject access: the day the clock starts)
    skipped: tuple[SkippedDay, ...]
    stopped: bool
    stop_reason: str | None
    lapses_on: dt.date | None
    review_request_by: dt.date | None
    working: tuple[str, ...]
    regime: Regime
    jurisdiction: Jurisdiction
    received: dt.date
    state: ClockState
    responded_on: dt.date | None = None
    fee_due_by: dt.date | None = None
    working_days_left_when_stopped: int | None = None

    @property
    def responded_late(self) -> bool | None:
        if self.responded_on is None or self.due is None:
            return None
        return self.responded_on > self.due

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict (dates as YYYY-MM-DD)."""

        def iso(d: dt.date | None) -> str | None:
            return None if d is None else d.isoformat()

        return {
            "regime": self.regime.value,
            "jurisdiction": self.jurisdiction.value,
            "received": iso(self.received),
            "day_one": iso(self.day_one),
            "due": iso(self.due),
            "state": self.state.value,
            "stopped": self.stopped,
            "stop_reason": self.stop_reason,
            "fee_due_by": iso(self.fee_due_by),
            "lapses_on": iso(self.lapses_on),
            "responded_on": iso(self.responded_on),
            "responded_late": self.responded_late,
            "review_request_by": iso(self.review_request_by),
            "working_days_left_when_stopped": self.working_days_left_when_stopped,
            "skipped": [{"date": s.date.isoformat(), "reason": s.reason} for s in self.skipped],
            "working": list(self.working),
        }


# ---- the rules, per regime -------------------------------------------------------------------


class _Extension(StrEnum):
    NONE = "none"
    BY_WORKING_DAYS = "by"  # a stated number of further working days, up to a cap
    TO_FORTY = "to-40"  # EIR: the period becomes 40 working days


class _FeeLapse(StrEnum):
    NONE = "none"
    THREE_MONTHS = "three-months"
    SIXTY_WORKING_DAYS = "sixty-working-days"


class _ReviewWindow(StrEnum):
    NONE = "none"
    AFTER_RESPONSE = "after-response"  # 40 working days after the response
    FOISA_S20 = "foisa-s20"  # 40 working days after expiry of the time, or a late response


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    limit: int
    limit_cite: str
    calendar_line: str
    clarification_cite: str | None
    fee_cite: str | None
    fee_lapse: _FeeLapse
    fee_lapse_cite: str | None
    extension: _Extension
    extension_cite: str | None
    max_extra: int
    review: _ReviewWindow
    review_cite: str | None


_UK_DAYS = (
    "Working days: not Saturdays, Sundays, Christmas Day, Good Friday or a bank holiday in any "
    "part of the UK ({cite})."
)
_SCOTTISH_DAYS = (
    "Working days: not Saturdays, Sundays, Christmas Day or a bank holiday in Scotland (FOISA s73)."
)

_RULES: dict[Regime, _Rule] = {
    Regime.FOI: _Rule(
        name="FOIA",
        # s10(1): "not later than the twentieth working day following the date of receipt";
        # s10(6): date of receipt is the day the request arrives (any day: ICO, day 1 is the
        # first working day after it).
        limit=20,
        limit_cite="FOIA s10(1)",
        calendar_line=_UK_DAYS.format(cite="FOIA s10(6)"),
        # s1(3): no duty until the further information arrives; s10(6)(b): the date of receipt
        # is then the day it arrives, so 20 fresh working days run from that day.
        clarification_cite="FOIA s1(3), s10(6)(b)",
        # s10(2): working days from the day the fees notice is given to the day the fee is
        # received (both included) are disregarded.
        fee_cite="FOIA s10(2)",
        # s9(2): no duty unless the fee is paid within three months beginning with the day the
        # fees notice is given.
        fee_lapse=_FeeLapse.THREE_MONTHS,
        fee_lapse_cite="FOIA s9(2)",
        # s10(3): public interest test, "such time as is reasonable"; ICO guidance: no more
        # than 20 further working days (40 in all).
        extension=_Extension.BY_WORKING_DAYS,
        extension_cite="FOIA s10(3); ICO: at most 20 further working days",
        max_extra=20,
        # s45 Code of Practice (2018) Part 5: ask for a review within 40 working days of the
        # response.
        review=_ReviewWindow.AFTER_RESPONSE,
        review_cite="s45 Code of Practice, Part 5",
    ),
    Regime.EIR: _Rule(
        name="EIR",
        # reg 5(2): "no later than 20 working days after the date of receipt"; reg 2(1) takes
        # "working day" from FOIA s10(6); ICO: day 1 is the first working day after receipt.
        limit=20,
        limit_cite="EIR reg 5(2)",
        calendar_line=_UK_DAYS.format(cite="EIR reg 2(1), FOIA s10(6)"),
        # reg 9(4): the 20 working days are calculated from the day the particulars arrive.
        clarification_cite="EIR reg 9(4)",
        # reg 8(4): advance payment of a charge, notified no later than 20 working days after
        # receipt; reg 8(6): the period beginning with the day of the notification and ending
        # on the day the payment is received is disregarded (extension included); reg 8(5):
        # no duty to make the information available, or to refuse under reg 14, unless the
        # charge is paid no later than 60 working days after the notification.
        fee_cite="EIR reg 8(6)",
        fee_lapse=_FeeLapse.SIXTY_WORKING_DAYS,
        fee_lapse_cite="EIR reg 8(5)",
        # reg 7(1): complexity and volume; the 20 working days become 40 (notice within the
        # 20, reg 7(3)).
        extension=_Extension.TO_FORTY,
        extension_cite="EIR reg 7(1)",
        max_extra=20,
        # reg 11(2): representations within 40 working days.
        review=_ReviewWindow.AFTER_RESPONSE,
        review_cite="EIR reg 11(2)",
    ),
    Regime.REVIEW: _Rule(
        name="internal review",
        # s45 Code of Practice (2018) Part 5: reviews within 20 working days of receipt,
        # extendable by up to 20 more (40 in all) for complex or voluminous reviews. (An EIR
        # review must be done within 40 working days under reg 11(4), the same cap.)
        limit=20,
        limit_cite="s45 Code of Practice, Part 5",
        calendar_line=_UK_DAYS.format(cite="FOIA s10(6)"),
        clarification_cite=None,
        fee_cite=None,
        fee_lapse=_FeeLapse.NONE,
        fee_lapse_cite=None,
        extension=_Extension.BY_WORKING_DAYS,
        extension_cite="s45 Code of Practice, Part 5: at most 20 further working days",
        max_extra=20,
        review=_ReviewWindow.NONE,
        review_cite=None,
    ),
    Regime.FOISA: _Rule(
        name="FOISA",
        # s10(1)(a): "not later than the twentieth working day after ... receipt".
        limit=20,
        limit_cite="FOISA s10(1)",
        calendar_line=_SCOTTISH_DAYS,
        # s1(3) and s10(1)(b): the 20 working days run from receipt of the further
        # information.
        clarification_cite="FOISA s1(3), s10(1)(b)",
        # s10(2): the period from the day the fees notice is given to the day the fee is
        # received is disregarded.
        fee_cite="FOISA s10(2)",
        # s9(4): no duty unless the fee is paid within three months beginning with the day
        # the notice is given.
        fee_lapse=_FeeLapse.THREE_MONTHS,
        fee_lapse_cite="FOISA s9(4)",
        # FOISA has no public-interest extension: s10 is the only time limit.
        extension=_Extension.NONE,
        extension_cite=None,
        max_extra=0,
        # s20(5): requirement for review within 40 working days after the expiry of the time
        # for complying or, where the authority responds outwith that time, after receipt of
        # its response.
        review=_ReviewWindow.FOISA_S20,
        review_cite="FOISA s20(5)",
    ),
    Regime.FOISA_REVIEW: _Rule(
        name="FOISA review",
        # s21(1): "not later than the twentieth working day after receipt ... of the
        # requirement".
        limit=20,
        limit_cite="FOISA s21(1)",
        calendar_line=_SCOTTISH_DAYS,
        clarification_cite=None,
        fee_cite=None,
        fee_lapse=_FeeLapse.NONE,
        fee_lapse_cite=None,
        extension=_Extension.NONE,
        extension_cite=None,
        max_extra=0,
        review=_ReviewWindow.NONE,
        review_cite=None,
    ),
}

# UK GDPR Art 12(3) (and Art 12A, inserted by the Data (Use and Access) Act 2025): one month
# from the "relevant day", the latest of receipt of the request, of the proof of identity
# asked for, or of a fee charged; extendable by two further months; the days from asking for
# clarification to receiving it do not count (same words as DPA 2018 s54(3C)).
_SAR_NAME = "UK GDPR"
_SAR_LIMIT_CITE = "UK GDPR Art 12(3)"
_SAR_PAUSE_CITE = "UK GDPR Art 12A"
_SAR_MAX_EXTRA_MONTHS = 2


# ---- public API ------------------------------------------------------------------------------


def compute_deadline(
    regime: Regime,
    received: dt.date,
    events: Sequence[ClockEvent] = (),
    jurisdiction: Jurisdiction = Jurisdiction.ENGLAND_AND_WALES,
) -> Deadline:
    """Work out when a case's response is due, from the date of receipt and its clock events.

    Raises ClockError for event sequences that make no sense (see the module docstring) and
    ValueError for dates the bank-holiday calendar cannot cover.
    """
    received = _as_date(received)
    ordered = _ordered(events, received)
    if regime is Regime.SAR:
        return _subject_access(received, ordered, jurisdiction)
    return _working_day_clock(_RULES[regime], regime, received, ordered, jurisdiction)


def working_days_left(deadline: Deadline, today: dt.date) -> int:
    """Working days from `today` to the due date on the deadline's own calendar.

    0 means due today; negative means overdue (-1 from the day after the due date until the
    next working day has passed, then -2, ...). While the clock is stopped the count is frozen
    at what was left when it stopped. A lapsed request has no deadline: ClockError.
    """
    if deadline.due is None:
        if deadline.working_days_left_when_stopped is not None:
            return deadline.working_days_left_when_stopped
        raise ClockError(f"no deadline to count to: {deadline.stop_reason}")
    today = _as_date(today)
    calendar = WorkingCalendar.for_scope(scope_for(deadline.regime, deadline.jurisdiction))
    if today <= deadline.due:
        return calendar.working_days_between(today, deadline.due)
    return -max(1, calendar.working_days_between(deadline.due, today))


def is_overdue(deadline: Deadline, today: dt.date) -> bool:
    """True once the due date has passed without a response (never while the clock is stopped)."""
    if deadline.due is None or deadline.responded_on is not None:
        return False
    return _as_date(today) > deadline.due


# ---- working-day regimes: FOIA, EIR, reviews, FOISA -----------------------------------------


def _working_day_clock(
    rule: _Rule,
    regime: Regime,
    received: dt.date,
    events: Iterable[ClockEvent],
    jurisdiction: Jurisdiction,
) -> Deadline:
    calendar = WorkingCalendar.for_regime(regime, jurisdiction)
    lines = [rule.calendar_line, f"Date of receipt: {format_date(received)}."]
    off = calendar.reason(received)
    if off is not None:
        # ICO: a request that arrives on a non-working day is still received that day; day 1
        # is the next working day.
        lines.append(f"  Not a working day ({off}), but still the date of receipt.")
    receipt = received  # the current "date of receipt"; clarification moves it
    extra = 0  # further working days from extensions
    windows: list[tuple[dt.date, dt.date]] = []  # fee periods disregarded (both ends included)
    asked: dt.date | None = None
    notice: dt.date | None = None
    lapsed: tuple[dt.date, dt.date, dt.date] | None = None  # (notice, last day to pay, lapse)
    lapse_paid: dt.date | None = None
    responded: dt.date | None = None

    for ev in events:
        kind = ev.type
        if responded is not None:
            raise ClockError(
                f"{kind.value} on {ev.on} comes after the response issued on {responded}"
            )
        if lapsed is not None and kind is not ClockEventType.RESPONSE_ISSUED:
            raise ClockError(
                f"{kind.value} on {ev.on} comes after the request lapsed on {lapsed[2]}"
            )
        if kind is ClockEventType.CLARIFICATION_REQUESTED:
            cite = _needs(rule.clarification_cite, kind, rule)
            if asked is not None:
                raise ClockError(
                    f"clarification_requested on {ev.on} while still waiting for the "
                    f"clarification asked for on {asked}"
                )
            if notice is not None:
                raise ClockError(
                    f"clarification_requested on {ev.on} while the fees notice of {notice} "
                    "is unpaid"
                )
            current = _nth_counted(calendar, receipt, rule.limit + extra, windows)
            asked = ev.on
            lines.append(
                f"Clarification asked for on {format_date(ev.on)}: the clock stops until it "
                f"arrives ({cite})."
            )
            if ev.on > current:
                lines.append(
                    f"  That was after the due date ({format_date(current)}): the request was "
                    "already late when clarification was sought."
                )
        elif kind is ClockEventType.CLARIFICATION_RECEIVED:
            cite = _needs(rule.clarification_cite, kind, rule)
            if asked is None:
                raise ClockError(
                    f"clarification_received on {ev.on} without a clarification_requested before it"
                )
            receipt, asked, windows = ev.on, None, []
            lines.append(
                f"Clarification received on {format_date(ev.on)}: that is the new date of "
                f"receipt and {rule.limit} fresh working days run from it ({cite})."
            )
        elif kind is ClockEventType.FEE_NOTICE_ISSUED:
            cite = _needs(rule.fee_cite, kind, rule)
            if notice is not None:
                raise ClockError(
                    f"fee_notice_issued on {ev.on} while the fees notice of {notice} is unpaid"
                )
            if asked is not None:
                raise ClockError(
                    f"fee_notice_issued on {ev.on} while waiting for the clarification asked "
                    f"for on {asked}"
                )
            current = _nth_counted(calendar, receipt, rule.limit + extra, windows)
            if ev.on > current:
                # FOIA s9(1), FOISA s9(1): the notice belongs inside the time for compliance;
                # a late one cannot stop a clock that has already run out.
                raise ClockError(
                    f"fee_notice_issued on {ev.on} is after the due date {current}: a fees "
                    "notice must be given within the time for compliance"
                )
            if rule.fee_lapse is _FeeLapse.SIXTY_WORKING_DAYS and extra:
                # EIR reg 8(4): the advance payment is notified no later than 20 working days
                # after receipt; a reg 7 extension does not stretch that (reg 7(2) does not
                # list reg 8(4)).
                latest = _nth_counted(calendar, receipt, rule.limit, windows)
                if ev.on > latest:
                    raise ClockError(
                        f"fee_notice_issued on {ev.on} is after {latest}, the 20th working day: "
                        "an advance payment must be notified within 20 working days of "
                        "receipt, extension or not (EIR reg 8(4))"
                    )
            notice = ev.on
            pay_by, lapses = _fee_lapse(rule, calendar, notice)
            lines.append(
                f"Fees notice given on {format_date(notice)}: the clock stops until the fee "
                f"arrives ({cite}). Unpaid by {format_date(pay_by)}, the request lapses on "
                f"{format_date(lapses)} ({rule.fee_lapse_cite})."
            )
        elif kind is ClockEventType.FEE_PAID:
            if notice is None:
                raise ClockError(f"fee_paid on {ev.on} without a fee_notice_issued before it")
            pay_by, lapses = _fee_lapse(rule, calendar, notice)
            if ev.on > pay_by:
                lapsed, lapse_paid, notice = (notice, pay_by, lapses), ev.on, None
                continue
            windows.append((notice, ev.on))
            paused = _window_working_days(calendar, receipt, notice, ev.on)
            lines.append(
                f"Fee received on {format_date(ev.on)}: {paused} working day(s) from "
                f"{format_date(notice)} to {format_date(ev.on)} are disregarded ({rule.fee_cite})."
            )
            notice = None
        elif kind is ClockEventType.EXTENSION:
            extra = _extend(rule, calendar, receipt, extra, windows, ev, asked, notice, lines)
        elif kind is ClockEventType.ID_VERIFIED:
            raise ClockError(
                f"id_verified on {ev.on}: proof of identity only moves a subject access clock"
            )
        else:  # RESPONSE_ISSUED
            responded = ev.on

    target = rule.limit + extra
    day_one = _nth_counted(calendar, receipt, 1, windows)
    if asked is None and lapsed is None:
        lines.append(
            f"Day 1: {format_date(day_one)}, the first working day after "
            + ("the date of receipt." if receipt == received else "the clarification arrived.")
        )

    due: dt.date | None = None
    state = ClockState.RUNNING
    stop_reason: str | None = None
    pay_by_out: dt.date | None = None
    lapses_out: dt.date | None = None
    frozen: int | None = None
    skipped: tuple[SkippedDay, ...] = ()
    if lapsed is not None:
        state = ClockState.LAPSED
        notice_on, pay_by_out, lapses_out = lapsed
        stop_reason = (
            f"the fee arrived on {lapse_paid}, after the last day to pay ({pay_by_out}): the "
            f"request lapsed on {lapses_out} ({rule.fee_lapse_cite})"
        )
        lines.append(
            f"Fee received on {format_date(lapse_paid or lapses_out)}, too late: the fees "
            f"notice of {format_date(notice_on)} had to be paid by {format_date(pay_by_out)}. "
            f"The request lapsed on {format_date(lapses_out)} and there is no due date."
        )
    elif asked is not None:
        state = ClockState.AWAITING_CLARIFICATION
        stop_reason = f"waiting for clarification asked for on {asked} ({rule.clarification_cite})"
        frozen = target
        lines.append(
            f"No due date until the clarification arrives; then {target} working days from it."
        )
    elif notice is not None:
        state = ClockState.AWAITING_FEE
        pay_by_out, lapses_out = _fee_lapse(rule, calendar, notice)
        stop_reason = f"waiting for the fee asked for on {notice} ({rule.fee_cite})"
        frozen = target - _counted(calendar, receipt, notice - _DAY, windows)
        lines.append(
            f"No due date until the fee arrives; {frozen} working day(s) will then remain."
        )
    else:
        due = _nth_counted(calendar, receipt, target, windows)
        skipped = _skipped(calendar, receipt, due, windows, rule)
        what = "the date of receipt" if receipt == received else "the clarification arrived"
        cites = rule.limit_cite + (f"; extended: {rule.extension_cite}" if extra else "")
        lines.append(
            f"Due: {format_date(due)}, the {_ordinal(target)} working day after {what} ({cites})."
        )

    review_by: dt.date | None = None
    if responded is not None:
        state = ClockState.RESPONDED
        if due is not None:
            late = max(1, calendar.working_days_between(due, responded))
            lines.append(
                f"Response issued on {format_date(responded)}: "
                + (f"{late} working day(s) late." if responded > due else "in time.")
            )
        else:
            lines.append(f"Response issued on {format_date(responded)}.")
    if rule.review is _ReviewWindow.AFTER_RESPONSE and responded is not None:
        review_by = calendar.add_working_days(responded, 40)
        lines.append(
            f"Review must be asked for by {format_date(review_by)}: 40 working days after the "
            f"response ({rule.review_cite})."
        )
    elif rule.review is _ReviewWindow.FOISA_S20 and (responded is not None or due is not None):
        # s20(5)(a): 40 working days after the time for complying expires; s20(5)(b): if the
        # authority responds after that, 40 working days after the response is received. So
        # the later of the two. (The response is taken as received the day it is issued.)
        if due is None or (responded is not None and responded > due):
            start, why = responded, "the response, which came after the time for complying"
        else:
            start, why = due, "the time for complying expired"
        assert start is not None
        review_by = calendar.add_working_days(start, 40)
        lines.append(
            f"Requirement for review must be made by {format_date(review_by)}: 40 working days "
            f"after {why} ({rule.review_cite})."
        )

    return Deadline(
        due=due,
        day_one=day_one,
        skipped=skipped,
        stopped=due is None,
        stop_reason=stop_reason,
        lapses_on=lapses_out,
        review_request_by=review_by,
        working=tuple(lines),
        regime=regime,
        jurisdiction=jurisdiction,
        received=received,
        state=state,
        responded_on=responded,
        fee_due_by=pay_by_out,
        working_days_left_when_stopped=frozen,
    )


def _extend(
    rule: _Rule,
    calendar: WorkingCalendar,
    receipt: dt.date,
    extra: int,
    windows: list[tuple[dt.date, dt.date]],
    ev: ClockEvent,
    asked: dt.date | None,
    notice: dt.date | None,
    lines: list[str],
) -> int:
    """Apply an extension event; returns the new number of further working days."""
    if rule.extension is _Extension.NONE:
        raise ClockError(f"extension on {ev.on}: {rule.name} allows no extension of time")
    if asked is not None or notice is not None:
        raise ClockError(f"extension on {ev.on} while the clock is stopped")
    current = _nth_counted(calendar, receipt, rule.limit + extra, windows)
    if ev.on > current:
        # FOIA s17(1)-(2), EIR reg 7(3), s45 Code: the extension is notified within the time
        # it extends; after the deadline there is nothing left to extend.
        raise ClockError(
            f"extension on {ev.on} is after the due date {current}: an extension must be "
            f"notified before the time runs out ({rule.extension_cite})"
        )
    if rule.extension is _Extension.TO_FORTY:
        if extra:
            raise ClockError(f"extension on {ev.on}: already extended to 40 working days")
        if ev.amount not in (None, 20, 40):
            raise ClockError(
                f"extension on {ev.on}: {rule.extension_cite} extends to 40 working days; "
                f"give no amount (or 20), not {ev.amount}"
            )
        lines.append(
            f"Extended on {format_date(ev.on)} to 40 working days for complexity and volume "
            f"({rule.extension_cite})."
        )
        return rule.max_extra
    amount = rule.max_extra if ev.amount is None else ev.amount
    if amount < 1:
        raise ClockError(f"extension on {ev.on}: {amount} is not a positive number of days")
    if extra + amount > rule.max_extra:
        raise ClockError(
            f"extension on {ev.on}: {extra + amount} further working days in all is more "
            f"than {rule.max_extra} ({rule.extension_cite})"
        )
    lines.append(
        f"Extended on {format_date(ev.on)} by {amount} working day(s)"
        + (" (no length given: the maximum)" if ev.amount is None else "")
        + f" ({rule.extension_cite})."
    )
    return extra + amount


def _needs(cite: str | None, kind: ClockEventType, rule: _Rule) -> str:
    if cite is None:
        raise ClockError(f"{kind.value} does not apply to the {rule.name} clock")
    return cite


def _nth_counted(
    calendar: WorkingCalendar,
    receipt: dt.date,
    n: int,
    windows: Sequence[tuple[dt.date, dt.date]],
) -> dt.date:
    """The n-th working day after `receipt` that is not inside a disregarded fee period."""
    if not windows:
        return calendar.add_working_days(receipt, n)
    cursor, remaining = receipt, n
    for start, end in windows:
        if end <= cursor:
            continue
        if start > cursor:
            available = calendar.working_days_between(cursor, start - _DAY)
            if available >= remaining:
                break
            remaining -= available
        cursor = end
    return calendar.add_working_days(cursor, remaining)


def _counted(
    calendar: WorkingCalendar,
    receipt: dt.date,
    upto: dt.date,
    windows: Sequence[tuple[dt.date, dt.date]],
) -> int:
    """Counted working days in (receipt, upto]."""
    total = calendar.working_days_between(receipt, upto) if upto > receipt else 0
    for start, end in windows:
        total -= _window_working_days(calendar, receipt, start, min(end, upto))
    return total


def _window_working_days(
    calendar: WorkingCalendar, receipt: dt.date, start: dt.date, end: dt.date
) -> int:
    """Working days in [start, end] that fall after the date of receipt."""
    lo = max(start - _DAY, receipt)
    return calendar.working_days_between(lo, end) if end > lo else 0


def _skipped(
    calendar: WorkingCalendar,
    receipt: dt.date,
    due: dt.date,
    windows: Sequence[tuple[dt.date, dt.date]],
    rule: _Rule,
) -> tuple[SkippedDay, ...]:
    off = calendar.skipped_between(receipt, due)
    if not windows:
        return off
    paused: list[SkippedDay] = []
    reason = f"fees notice period, disregarded ({rule.fee_cite})"
    for start, end in windows:
        # The working days in [start, end] after the date of receipt, up to the due date.
        lo = max(start - _DAY, receipt)
        paused.extend(SkippedDay(d, reason) for d in calendar.working_days_in(lo, min(end, due)))
    return tuple(sorted((*off, *paused), key=_by_date))


def _by_date(s: SkippedDay) -> dt.date:
    return s.date


def _fee_lapse(rule: _Rule, calendar: WorkingCalendar, notice: dt.date) -> tuple[dt.date, dt.date]:
    """(last day the fee can be paid, day the request lapses if it has not been)."""
    if rule.fee_lapse is _FeeLapse.SIXTY_WORKING_DAYS:
        last = calendar.add_working_days(notice, 60)
    else:
        last = _months_beginning_with(notice, 3)
    return last, last + _DAY


# ---- subject access ------------------------------------------------------------------------


def _subject_access(
    received: dt.date, events: Iterable[ClockEvent], jurisdiction: Jurisdiction
) -> Deadline:
    calendar = WorkingCalendar.for_regime(Regime.SAR, jurisdiction)
    where = calendar.scope.label
    lines = [
        f"One calendar month ({_SAR_LIMIT_CITE}), the ICO's way: the day the clock starts is "
        "day 1; due the same date next month, or that month's last day if it has no such date; "
        f"a weekend or bank holiday moves it to the next working day in {where}.",
        f"Request received: {format_date(received)}.",
    ]
    start, start_why = received, "receipt of the request"
    months = 0
    pauses: list[tuple[dt.date, dt.date]] = []
    asked: dt.date | None = None
    notice: dt.date | None = None
    responded: dt.date | None = None

    for ev in events:
        kind = ev.type
        if responded is not None:
            raise ClockError(
                f"{kind.value} on {ev.on} comes after the response issued on {responded}"
            )
        if kind is ClockEventType.CLARIFICATION_REQUESTED:
            if asked is not None:
                raise ClockError(
                    f"clarification_requested on {ev.on} while still waiting for the "
                    f"clarification asked for on {asked}"
                )
            if notice is not None:
                raise ClockError(
                    f"clarification_requested on {ev.on} while the fee asked for on {notice} "
                    "is unpaid"
                )
            asked = ev.on
        elif kind is ClockEventType.CLARIFICATION_RECEIVED:
            if asked is None:
                raise ClockError(
                    f"clarification_received on {ev.on} without a clarification_requested before it"
                )
            pauses.append((asked, ev.on))
            asked = None
        elif kind is ClockEventType.FEE_NOTICE_ISSUED:
            if notice is not None:
                raise ClockError(
                    f"fee_notice_issued on {ev.on} while the fee asked for on {notice} is unpaid"
                )
            if asked is not None:
                raise ClockError(
                    f"fee_notice_issued on {ev.on} while waiting for the clarification asked "
                    f"for on {asked}"
                )
            notice = ev.on
        elif kind is ClockEventType.FEE_PAID:
            if notice is None:
                raise ClockError(f"fee_paid on {ev.on} without a fee_notice_issued before it")
            notice = None
            if ev.on > start:  # Art 12A: the month runs from the fee, if that comes later
                start, start_why = ev.on, "payment of the fee"
        elif kind is ClockEventType.ID_VERIFIED:
            if ev.on > start:  # Art 12A: ... or from the proof of identity asked for
                start, start_why = ev.on, "receipt of proof of identity"
        elif kind is ClockEventType.EXTENSION:
            one_month = _sar_due(calendar, start, 0, pauses)[1]
            if ev.on > one_month:
                raise ClockError(
                    f"extension on {ev.on} is after the one-month due date {one_month}: the "
                    f"requester must be told within the first month ({_SAR_LIMIT_CITE})"
                )
            amount = _SAR_MAX_EXTRA_MONTHS if ev.amount is None else ev.amount
            if amount < 1:
                raise ClockError(f"extension on {ev.on}: {amount} is not a positive number")
            if months + amount > _SAR_MAX_EXTRA_MONTHS:
                raise ClockError(
                    f"extension on {ev.on}: {months + amount} further months in all is more "
                    f"than the two {_SAR_LIMIT_CITE} allows"
                )
            months += amount
            lines.append(
                f"Extended on {format_date(ev.on)} by {amount} further month(s), counted from "
                f"the original start ({_SAR_LIMIT_CITE}; ICO)."
            )
        else:  # RESPONSE_ISSUED
            responded = ev.on

    lines.append(f"Clock starts: {format_date(start)} ({start_why}); that is day 1.")
    end = _add_months(start, 1 + months)
    same_day = end.day == start.day
    span = "One month" if not months else f"{1 + months} months (1 + {months} extension)"
    lines.append(
        f"{span} on: {format_date(end)}"
        + ("." if same_day else f" (that month has no {_ordinal(start.day)}: its last day).")
    )
    pause_days: list[SkippedDay] = []
    for asked_on, got_on in pauses:
        first = max(asked_on, start)
        if got_on < first:
            continue
        if first > end:
            lines.append(
                f"Clarification asked for on {format_date(asked_on)}, after the month had run "
                "out: it does not stop the clock."
            )
            continue
        days = (got_on - first).days + 1
        reason = f"clarification pause ({_SAR_PAUSE_CITE})"
        pause_days.extend(SkippedDay(first + _DAY * i, reason) for i in range(days))
        end += _DAY * days
        lines.append(
            f"Clarification asked for on {format_date(asked_on)} and received on "
            f"{format_date(got_on)}: {days} day(s) do not count ({_SAR_PAUSE_CITE}); the month "
            f"now ends {format_date(end)}."
        )

    due: dt.date | None = calendar.next_working_day(end)
    assert due is not None
    state = ClockState.RUNNING
    stop_reason: str | None = None
    frozen: int | None = None
    skipped: tuple[SkippedDay, ...] = ()
    if asked is not None:
        state = ClockState.AWAITING_CLARIFICATION
        stop_reason = f"waiting for clarification asked for on {asked} ({_SAR_PAUSE_CITE})"
        frozen = calendar.working_days_between(asked - _DAY, due) if asked <= due else 0
        lines.append(
            f"Clarification asked for on {format_date(asked)}: the clock is stopped until it "
            f"arrives ({_SAR_PAUSE_CITE}); no due date until then."
        )
        due = None
    elif notice is not None:
        state = ClockState.AWAITING_FEE
        stop_reason = f"waiting for the fee asked for on {notice} ({_SAR_PAUSE_CITE})"
        lines.append(
            f"Fee asked for on {format_date(notice)}: the month starts when it is paid "
            f"({_SAR_PAUSE_CITE}); no due date until then."
        )
        frozen = None
        due = None
    else:
        rolled = calendar.skipped_between(end - _DAY, due - _DAY)
        skipped = tuple(sorted((*pause_days, *rolled), key=lambda s: s.date))
        if due != end:
            lines.append(
                f"{format_date(end)} is not a working day ({rolled[0].reason}): due on the next "
                f"working day in {where}."
            )
        lines.append(f"Due: {format_date(due)} ({_SAR_LIMIT_CITE}).")

    if responded is not None:
        state = ClockState.RESPONDED
        late = due is not None and responded > due
        lines.append(
            f"Response issued on {format_date(responded)}"
            + (": late." if late else ("." if due is None else ": in time."))
        )

    return Deadline(
        due=due,
        day_one=start,
        skipped=skipped,
        stopped=due is None,
        stop_reason=stop_reason,
        lapses_on=None,
        review_request_by=None,
        working=tuple(lines),
        regime=Regime.SAR,
        jurisdiction=jurisdiction,
        received=received,
        state=state,
        responded_on=responded,
        fee_due_by=None,
        working_days_left_when_stopped=frozen,
    )


def _sar_due(
    calendar: WorkingCalendar,
    start: dt.date,
    months: int,
    pauses: Sequence[tuple[dt.date, dt.date]],
) -> tuple[dt.date, dt.date]:
    """(end of the period, due date) for `1 + months` months from `start` with pauses."""
    end = _add_months(start, 1 + months)
    for asked_on, got_on in pauses:
        first = max(asked_on, start)
        if first <= got_on and first <= end:
            end += _DAY * ((got_on - first).days + 1)
    return end, calendar.next_working_day(end)


# ---- date arithmetic -------------------------------------------------------------------------


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days


def _add_months(d: dt.date, months: int) -> dt.date:
    """The ICO's corresponding date: same day number, or the month's last day if it has none."""
    year, month0 = divmod(d.month - 1 + months, 12)
    year += d.year
    month = month0 + 1
    return dt.date(year, month, min(d.day, _days_in_month(year, month)))


def _months_beginning_with(d: dt.date, months: int) -> dt.date:
    """Last day of a period of `months` months *beginning with* day `d` (it includes `d`).

    Such a period ends the day before the corresponding date; where the month has no
    corresponding date (30 November + 3 months), it ends on that month's last day.
    """
    year, month0 = divmod(d.month - 1 + months, 12)
    year += d.year
    month = month0 + 1
    if d.day > _days_in_month(year, month):
        return dt.date(year, month, _days_in_month(year, month))
    return dt.date(year, month, d.day) - _DAY


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _as_date(d: dt.date) -> dt.date:
    # A datetime is a date subclass but does not compare with dates; the time of day is
    # irrelevant to every clock here (date of receipt = the day: FOIA s10(6)).
    return d.date() if isinstance(d, dt.datetime) else d


def _ordered(events: Sequence[ClockEvent], received: dt.date) -> list[ClockEvent]:
    if not events:
        return []
    ordered: list[ClockEvent] = []
    for ev in events:
        on = _as_date(ev.on)
        kind = ev.type
        if type(kind) is not ClockEventType:
            kind = ClockEventType(kind)  # accept the plain string value too
        if on < received:
            raise ClockError(
                f"{kind.value} on {on} is before the request was received on {received}"
            )
        if ev.amount is not None and kind is not ClockEventType.EXTENSION:
            raise ClockError(f"{kind.value} on {on} takes no number (only extension does)")
        same = on is ev.on and kind is ev.type
        ordered.append(ev if same else ClockEvent(kind, on, ev.amount))
    if len(ordered) > 1:
        ordered.sort(key=lambda e: (e.on, _SAME_DAY_ORDER[e.type]))
    return ordered
