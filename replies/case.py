"""The case as a letter sees it: who asked, what, when, and under which law."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intake.regime import Regime


@dataclass(frozen=True)
class CaseFacts:
    reference: str
    regime: Regime
    received: date
    requester_name: str
    subject: str
    text: str  # the request in the requester's own words, quoted as typed
    requester_email: str = ""
