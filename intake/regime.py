"""The legal regimes a request can fall under, and the parts of the UK that decide holidays."""

from __future__ import annotations

from enum import StrEnum


class Regime(StrEnum):
    """Which law a case is handled under; each has its own clock."""

    FOI = "foi"  # Freedom of Information Act 2000
    EIR = "eir"  # Environmental Information Regulations 2004
    SAR = "sar"  # UK GDPR Art 15 subject access
    REVIEW = "review"  # internal review under the FOIA s45 Code of Practice / EIR reg 11
    FOISA = "foisa"  # Freedom of Information (Scotland) Act 2002
    FOISA_REVIEW = "foisa-review"  # FOISA s20/s21 review

    @property
    def law(self) -> str:
        return _TITLES[self]

    @property
    def short(self) -> str:
        return _SHORT[self]


_TITLES = {
    Regime.FOI: "the Freedom of Information Act 2000",
    Regime.EIR: "the Environmental Information Regulations 2004",
    Regime.SAR: "the UK General Data Protection Regulation (right of access, Article 15)",
    Regime.REVIEW: "the Freedom of Information Act 2000 (internal review)",
    Regime.FOISA: "the Freedom of Information (Scotland) Act 2002",
    Regime.FOISA_REVIEW: "the Freedom of Information (Scotland) Act 2002 (review)",
}

_SHORT = {
    Regime.FOI: "FOIA",
    Regime.EIR: "EIR",
    Regime.SAR: "UK GDPR",
    Regime.REVIEW: "FOIA review",
    Regime.FOISA: "FOISA",
    Regime.FOISA_REVIEW: "FOISA review",
}


class Jurisdiction(StrEnum):
    """The part of the UK the authority sits in (decides FOISA vs FOIA and SAR holidays)."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"
