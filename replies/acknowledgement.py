"""The acknowledgement every new request gets at once: reference, law, due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from config.settings import AuthoritySettings
from intake.regime import Regime
from replies.render import Rendered, render

# What the requester reads about their own clock, per regime. FOIA s10(1) / EIR reg 5(2) /
# FOISA s10(1): twenty working days; UK GDPR Art 12(3): one month; s45 Code para 5.4: twenty
# working days for an internal review.
_CLOCK = {
    Regime.FOI: "The law gives us 20 working days to respond.",
    Regime.EIR: "The law gives us 20 working days to respond.",
    Regime.FOISA: "The law gives us 20 working days to respond.",
    Regime.SAR: "The law gives us one calendar month to respond.",
    Regime.REVIEW: "We aim to complete internal reviews within 20 working days.",
    Regime.FOISA_REVIEW: "The law gives us 20 working days to complete a review.",
}

_KIND = {
    Regime.FOI: "request for information",
    Regime.EIR: "request for environmental information",
    Regime.FOISA: "request for information",
    Regime.SAR: "subject access request",
    Regime.REVIEW: "request for an internal review",
    Regime.FOISA_REVIEW: "request for a review",
}


@dataclass(frozen=True)
class AcknowledgementFacts:
    reference: str
    regime: Regime | None  # None: not a statutory request (complaint, enquiry): no clock
    received: date
    due: date | None
    requester_name: str
    subject: str


def render_acknowledgement(facts: AcknowledgementFacts, authority: AuthoritySettings) -> Rendered:
    regime = facts.regime
    context = {
        "requester_name": facts.requester_name,
        "reference": facts.reference,
        "received": facts.received,
        "subject": facts.subject,
        "kind": _KIND[regime] if regime else "message",
        "law": regime.law if regime else "our usual procedures",
        "clock_explanation": _CLOCK[regime] if regime else "",
        "due": facts.due if regime else None,
        "privacy_url": authority.privacy_url,
        "team": authority.team,
        "authority": authority.name,
        "address": authority.address,
    }
    return render("acknowledgement.j2", context)


def acknowledgement_subject(reference: str, subject: str) -> str:
    original = " ".join(subject.split()) or "your request"
    return f"[{reference}] We have received your request: {original}"
