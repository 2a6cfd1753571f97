"""Who a requester can complain to, and on what footing, for each regime.

FOIA s50 and EIR reg 18: the Information Commissioner. UK GDPR Art 77 (with DPA 2018 s165):
the Information Commissioner. FOISA s47: the Scottish Information Commissioner.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from intake.regime import Regime


class Regulator(StrEnum):
    ICO = "ico"
    SIC = "sic"


@dataclass(frozen=True)
class RegulatorInfo:
    name: str
    short: str
    complaint_url: str
    legal_basis: str  # the provision that gives the right, as the letter cites it


REGULATORS: dict[Regulator, RegulatorInfo] = {
    Regulator.ICO: RegulatorInfo(
        name="the Information Commissioner's Office",
        short="the ICO",
        complaint_url="https://ico.org.uk/make-a-complaint/",
        legal_basis="",  # per regime below
    ),
    Regulator.SIC: RegulatorInfo(
        name="the Scottish Information Commissioner",
        short="the Commissioner",
        complaint_url="https://www.foi.scot/appeal",
        legal_basis="section 47 of FOISA",
    ),
}

_BASIS = {
    Regime.FOI: "section 50 of FOIA",
    Regime.REVIEW: "section 50 of FOIA",
    Regime.EIR: "regulation 18 of the EIR",
    Regime.SAR: "Article 77 of the UK GDPR",
    Regime.FOISA: "section 47 of FOISA",
    Regime.FOISA_REVIEW: "section 47 of FOISA",
}


def regulator_for(regime: Regime) -> Regulator:
    return Regulator.SIC if regime in (Regime.FOISA, Regime.FOISA_REVIEW) else Regulator.ICO


def regulator_info(regime: Regime) -> RegulatorInfo:
    info = REGULATORS[regulator_for(regime)]
    return RegulatorInfo(info.name, info.short, info.complaint_url, _BASIS[regime])
