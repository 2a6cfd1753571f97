"""The last day a requester can ask for a review, from the deadline engine (never counted here).

FOIA s45 Code of Practice para 5.4 and EIR reg 11(2): 40 working days from the response.
FOISA s20(5): 40 working days after the time for complying expired, or after a late response.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from intake.clock import ClockEvent, ClockEventType, compute_deadline
from intake.regime import Jurisdiction
from replies.case import CaseFacts


def review_request_by(
    case: CaseFacts,
    response_date: date,
    jurisdiction: Jurisdiction,
    events: Sequence[ClockEvent] = (),
) -> date | None:
    """None for regimes with no statutory or Code review (subject access, reviews themselves)."""
    issued = ClockEvent(ClockEventType.RESPONSE_ISSUED, on=response_date)
    others = [e for e in events if e.type is not ClockEventType.RESPONSE_ISSUED]
    deadline = compute_deadline(case.regime, case.received, [*others, issued], jurisdiction)
    return deadline.review_request_by
