"""The response letter's model: the outcome, the exemptions relied on and the reasons given.

Staff supply every reason; the catalogue supplies the statutory text. Nothing here decides a
case: it only holds what a person decided so the letter can say it lawfully.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from intake.regime import Regime
from replies.case import CaseFacts


class Outcome(StrEnum):
    FULL = "full"  # all the information provided
    PART = "part"  # some provided, some withheld under exemptions
    WITHHELD = "withheld"  # all withheld under exemptions
    NOT_HELD = "not-held"
    NCND = "ncnd"  # neither confirm nor deny
    COST = "cost"  # FOIA s12 / FOISA s12 / EIR reg 12(4)(b)
    VEXATIOUS = "vexatious"  # FOIA s14(1) / FOISA s14(1) / EIR reg 12(4)(b)
    REPEATED = "repeated"  # FOIA s14(2) / FOISA s14(2) / EIR reg 12(4)(b)
    ACCESSIBLE = "accessible"  # FOIA s21 / FOISA s25 / EIR reg 6(1)(b)

    @property
    def is_refusal(self) -> bool:
        """Outcomes that need a refusal notice (FOIA s17, EIR reg 14, FOISA s16)."""
        return self not in (Outcome.FULL,)


# Regimes a response letter is written under (reviews and subject access have their own).
RESPONSE_REGIMES = frozenset({Regime.FOI, Regime.EIR, Regime.FOISA})


@dataclass(frozen=True)
class AppliedExemption:
    """One exemption or exception as staff applied it to this request."""

    ref: str  # as typed; the catalogue resolves it
    reason: str = ""  # why it applies here: FOIA s17(1)(c), EIR reg 14(3)(a)
    pit_for: tuple[str, ...] = ()  # FOIA s17(3), EIR reg 14(3)(b)
    pit_against: tuple[str, ...] = ()
    conclusion: str = ""


@dataclass(frozen=True)
class CostEstimate:
    """FOIA s12 and the Fees Regulations 2004: the limit, our estimate, and s16 advice."""

    limit: str = ""  # e.g. "£450, which is 18 hours of work at £25 an hour"
    estimate: str = ""  # how we estimated: what would have to be done, and how long it takes
    advice: str = ""  # s16: how the request could be narrowed to fall within the limit


@dataclass(frozen=True)
class Response:
    case: CaseFacts
    outcome: Outcome
    on: date  # the date of the letter
    review_by: date | None  # from the deadline engine: replies.review.review_request_by
    summary: str = ""  # "Our response": the information, or what is enclosed
    exemptions: tuple[AppliedExemption, ...] = ()
    explanation: str = ""  # not held (searches made), vexatious, repeated: why
    cost: CostEstimate = field(default_factory=CostEstimate)
    where: str = ""  # reasonably accessible: where the information is (s21, with s16)
    previous_request: str = ""  # repeated (s14(2)): the earlier request this repeats
