"""The letters other than the response: what each one must say, as plain data.

Each carries the case and the date of the letter (`on`); the rest is what staff decided or the
deadline engine computed. replies.letters renders them; replies.completeness checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from replies.case import CaseFacts
from replies.response import AppliedExemption


@dataclass(frozen=True)
class Acknowledgement:
    case: CaseFacts
    due: date | None  # from the deadline engine


@dataclass(frozen=True)
class ClarificationRequest:
    """FOIA s1(3) with s16 advice; EIR reg 9(2); FOISA s1(3) with s15; UK GDPR Art 12."""

    case: CaseFacts
    on: date
    questions: str  # what we need to know
    advice: str = ""  # advice and assistance on how to frame the request (FOIA s16)


@dataclass(frozen=True)
class FeesNotice:
    """FOIA s9(1) / FOISA s9(1): the fee, how it was worked out, and the date it must arrive.

    Under the EIR the same letter is the notification of an advance payment (reg 8(4)): the
    charge, which must be a reasonable amount (reg 8(3)), and the last day to pay (reg 8(5)).
    """

    case: CaseFacts
    on: date
    amount: str  # e.g. "£12.40"
    breakdown: str  # how it was calculated (Fees Regulations 2004 reg 6/7; EIR: reg 8(3))
    # From the deadline engine: three months, FOIA s9(2) / FOISA s9(4); EIR reg 8(5): 60
    # working days after the notification.
    pay_by: date | None
    how_to_pay: str = ""
    schedule: str = ""  # EIR reg 8(8): where the published schedule of charges is (a link)


@dataclass(frozen=True)
class PublicInterestExtension:
    """FOIA s10(3) with s17(2): the exemption relied on and an estimate of the decision date."""

    case: CaseFacts
    on: date
    exemptions: tuple[AppliedExemption, ...]
    estimated_date: date | None


@dataclass(frozen=True)
class EirExtension:
    """EIR reg 7(1) and 7(3): more time for a complex and voluminous request, to 40 days."""

    case: CaseFacts
    on: date
    new_due: date | None
    reason: str  # why the request is complex and voluminous


@dataclass(frozen=True)
class SarExtension:
    """UK GDPR Art 12(3): up to two further months, told within the first month, with reasons."""

    case: CaseFacts
    on: date
    new_due: date | None
    reasons: str


class ReviewDecision(StrEnum):
    UPHELD = "upheld"  # the original response stands
    PARTLY_UPHELD = "partly-upheld"  # some of it stands, some information now released
    OVERTURNED = "overturned"  # the original response is replaced


@dataclass(frozen=True)
class ReviewOutcome:
    """FOIA s45 Code part 5 / EIR reg 11(4) / FOISA s21(4): the result of a review."""

    case: CaseFacts  # the review case
    on: date
    decision: ReviewDecision
    findings: str  # what the reviewer looked at and concluded
    original_reference: str = ""
    original_date: date | None = None
    exemptions: tuple[AppliedExemption, ...] = ()  # those still relied on (upheld, partly)
    remedy: str = ""  # what we now release or do (partly upheld, overturned)


@dataclass(frozen=True)
class SarResponse:
    """The cover letter for a subject access response (UK GDPR Art 15)."""

    case: CaseFacts
    on: date
    enclosed: str  # what is enclosed and how it is organised
    withheld: str = ""  # anything withheld, and the DPA 2018 exemption relied on


@dataclass(frozen=True)
class StaffReminder:
    """Text for staff: a case that is coming due or overdue (the reminders issue sends it)."""

    case: CaseFacts
    on: date
    due: date
    working_days_left: int  # negative when overdue
    status: str = ""
    assignee: str = ""


@dataclass(frozen=True)
class ClarificationChaser:
    """A single polite reminder that we are still waiting for the clarification we asked for."""

    case: CaseFacts
    on: date
    asked_on: date
    questions: str
    close_on: date  # when the case will be closed without a reply (three months after asking)


@dataclass(frozen=True)
class ClarificationClosure:
    """No clarification after three months: the request is closed (ICO guidance)."""

    case: CaseFacts
    on: date
    asked_on: date


@dataclass(frozen=True)
class FeeLapse:
    """The fee was not paid in time, so there is no duty to comply: within three months under
    FOIA s9(2) / FOISA s9(4); the advance payment within 60 working days under EIR reg 8(5)."""

    case: CaseFacts
    on: date
    notice_on: date
    amount: str
