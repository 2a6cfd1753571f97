"""Worked examples for the statutory clock.

Every expected date was counted by hand from the statute and the gov.uk bank-holiday lists
(never from this code's output); the counting is in the comment beside each case. "WD n" is the
n-th counted working day. UK union holidays matter for FOIA/EIR (s10(6): a bank holiday in ANY
part of the UK); FOISA counts Scottish ones only (s73).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pytest

from intake.clock import (
    ClockError,
    ClockEvent,
    ClockEventType,
    ClockState,
    Deadline,
    compute_deadline,
    is_overdue,
    working_days_left,
)
from intake.regime import Jurisdiction, Regime

D = dt.date
T = ClockEventType
EW = Jurisdiction.ENGLAND_AND_WALES
SCOT = Jurisdiction.SCOTLAND
NI = Jurisdiction.NORTHERN_IRELAND


def ev(kind: ClockEventType, on: dt.date, amount: int | None = None) -> ClockEvent:
    return ClockEvent(kind, on, amount)


class Case(NamedTuple):
    regime: Regime
    received: dt.date
    events: tuple[ClockEvent, ...]
    jurisdiction: Jurisdiction
    due: dt.date


def case(
    regime: Regime,
    received: dt.date,
    due: dt.date,
    *events: ClockEvent,
    jurisdiction: Jurisdiction = EW,
) -> Case:
    return Case(regime, received, events, jurisdiction, due)


WORKED = [
    # ---- Christmas and New Year, with substitute days -------------------------------------
    pytest.param(
        # Fri 16 Dec 2022. Skipped: Mon 26 Boxing Day, Tue 27 Christmas substitute, Mon 2 Jan
        # New Year substitute, Tue 3 Jan (Scotland's 2nd January substitute: counts for FOIA).
        # WD1-5 Mon 19-Fri 23 Dec; WD6-8 Wed 28-Fri 30; WD9-11 Wed 4-Fri 6 Jan; WD12-16
        # 9-13 Jan; WD17-20 Mon 16-Thu 19 Jan. (England-only counting would give Wed 18.)
        case(Regime.FOI, D(2022, 12, 16), D(2023, 1, 19)),
        id="foi-christmas-2022-union",
    ),
    pytest.param(
        # Same dates under FOISA: Scotland also has 26, 27 Dec and 2, 3 Jan off -> Thu 19 Jan.
        case(Regime.FOISA, D(2022, 12, 16), D(2023, 1, 19)),
        id="foisa-christmas-2022",
    ),
    pytest.param(
        # Fri 31 Dec 2021. Sat 1 Jan 2022 New Year's Day -> substitute Mon 3 Jan; Scotland's
        # 2nd January (Sun) -> substitute Tue 4 Jan. WD1-3 Wed 5-Fri 7; WD4-8 10-14; WD9-13
        # 17-21; WD14-18 24-28; WD19 Mon 31 Jan; WD20 Tue 1 Feb 2022.
        case(Regime.FOI, D(2021, 12, 31), D(2022, 2, 1)),
        id="foi-new-year-2022-substitutes",
    ),
    pytest.param(
        # Mon 14 Dec 2026. Skipped: Fri 25 Christmas, Mon 28 Boxing Day substitute, Fri 1 Jan
        # 2027, Mon 4 Jan 2027 (Scotland's 2nd January substitute). WD1-4 Tue 15-Fri 18;
        # WD5-8 21-24; WD9-11 29-31 Dec; WD12-15 Tue 5-Fri 8 Jan; WD16-20 11-15 Jan.
        case(Regime.FOI, D(2026, 12, 14), D(2027, 1, 15)),
        id="foi-christmas-2026",
    ),
    pytest.param(
        # FOISA review requirement Wed 16 Dec 2026 (s21(1), Scottish days). WD1-2 Thu 17-Fri
        # 18; WD3-6 21-24; skip 25, 28; WD7-9 29-31; skip 1 Jan, Mon 4 Jan; WD10-13 5-8 Jan;
        # WD14-18 11-15; WD19 Mon 18; WD20 Tue 19 Jan 2027.
        case(Regime.FOISA_REVIEW, D(2026, 12, 16), D(2027, 1, 19)),
        id="foisa-review-christmas-2026",
    ),
    # ---- Easter -------------------------------------------------------------------------------
    pytest.param(
        # Wed 20 Mar 2024. Skipped: Good Friday 29 Mar, Easter Monday 1 Apr. WD1-2 Thu 21-Fri
        # 22; WD3-6 25-28 Mar; WD7-10 Tue 2-Fri 5 Apr; WD11-15 8-12; WD16-20 15-19 Apr.
        case(Regime.FOI, D(2024, 3, 20), D(2024, 4, 19)),
        id="foi-easter-2024",
    ),
    pytest.param(
        # Same under FOISA: Easter Monday is not a Scottish bank holiday, so Mon 1 Apr counts.
        # WD1-2 21-22; WD3-6 25-28; WD7-11 1-5 Apr; WD12-16 8-12; WD17-20 Mon 15-Thu 18 Apr.
        case(Regime.FOISA, D(2024, 3, 20), D(2024, 4, 18)),
        id="foisa-easter-2024-no-easter-monday",
    ),
    # ---- Northern Ireland-only and Scotland-only days ----------------------------------------
    pytest.param(
        # Mon 16 Mar 2026. Tue 17 St Patrick's Day (NI) skipped, so WD1 Wed 18. WD1-3 18-20;
        # WD4-8 23-27; WD9-12 Mon 30 Mar-Thu 2 Apr; skip Good Friday 3, Easter Monday 6;
        # WD13-16 Tue 7-Fri 10; WD17-20 Mon 13-Thu 16 Apr.
        case(Regime.FOI, D(2026, 3, 16), D(2026, 4, 16)),
        id="foi-st-patricks-2026",
    ),
    pytest.param(
        # Same request under FOISA: St Patrick's Day and Easter Monday count. WD1-4 17-20 Mar;
        # WD5-9 23-27; WD10-13 30 Mar-2 Apr; skip Good Friday; WD14-18 6-10 Apr; WD19-20
        # Mon 13-Tue 14 Apr.
        case(Regime.FOISA, D(2026, 3, 16), D(2026, 4, 14)),
        id="foisa-st-patricks-counts",
    ),
    pytest.param(
        # EIR counts working days exactly as FOIA (reg 2(1)): same as foi-st-patricks-2026.
        case(Regime.EIR, D(2026, 3, 16), D(2026, 4, 16)),
        id="eir-st-patricks-2026",
    ),
    pytest.param(
        # Mon 6 Jul 2026. Skipped: Mon 13 Jul (NI Boyne substitute), Mon 3 Aug (Scottish summer
        # bank holiday). WD1-4 7-10 Jul; WD5-8 14-17; WD9-13 20-24; WD14-18 27-31; WD19 Tue 4
        # Aug; WD20 Wed 5 Aug 2026.
        case(Regime.FOI, D(2026, 7, 6), D(2026, 8, 5)),
        id="foi-boyne-and-scottish-summer-2026",
    ),
    pytest.param(
        # Same under FOISA: 13 Jul counts, 3 Aug does not. WD1-4 7-10; WD5-9 13-17; WD10-14
        # 20-24; WD15-19 27-31; skip 3 Aug; WD20 Tue 4 Aug 2026.
        case(Regime.FOISA, D(2026, 7, 6), D(2026, 8, 4)),
        id="foisa-boyne-counts",
    ),
    pytest.param(
        # Mon 23 Nov 2026. Mon 30 Nov St Andrew's Day (Scotland) skipped under FOIA. WD1-4
        # 24-27 Nov; WD5-8 1-4 Dec; WD9-13 7-11; WD14-18 14-18; WD19-20 Mon 21-Tue 22 Dec.
        case(Regime.FOI, D(2026, 11, 23), D(2026, 12, 22)),
        id="foi-st-andrews-2026",
    ),
    pytest.param(
        # Mon 1 Jun 2026. Mon 15 Jun is Scotland's one-off bank holiday: skipped under FOIA.
        # WD1-4 2-5 Jun; WD5-9 8-12; WD10-13 16-19; WD14-18 22-26; WD19-20 Mon 29-Tue 30 Jun.
        case(Regime.FOI, D(2026, 6, 1), D(2026, 6, 30)),
        id="foi-scotland-15-june-2026",
    ),
    pytest.param(
        # Same under FOISA: 15 June is a Scottish bank holiday too -> Tue 30 Jun.
        case(Regime.FOISA, D(2026, 6, 1), D(2026, 6, 30)),
        id="foisa-scotland-15-june-2026",
    ),
    # ---- 2022 and 2023 one-off days ------------------------------------------------------------
    pytest.param(
        # Wed 25 May 2022. Thu 2 Jun (Spring bank holiday, moved) and Fri 3 Jun (Platinum
        # Jubilee) skipped; Mon 30 May was a normal day. WD1-2 26-27 May; WD3-5 30 May-1 Jun;
        # WD6-10 6-10 Jun; WD11-15 13-17; WD16-20 20-24 Jun.
        case(Regime.FOI, D(2022, 5, 25), D(2022, 6, 24)),
        id="foi-platinum-jubilee-2022",
    ),
    pytest.param(
        # Mon 5 Sep 2022. Mon 19 Sep state funeral skipped. WD1-4 6-9; WD5-9 12-16; WD10-13
        # 20-23; WD14-18 26-30 Sep; WD19-20 Mon 3-Tue 4 Oct 2022.
        case(Regime.FOI, D(2022, 9, 5), D(2022, 10, 4)),
        id="foi-state-funeral-2022",
    ),
    pytest.param(
        # Fri 28 Apr 2023. Mon 1 May, Mon 8 May (Coronation), Mon 29 May skipped. WD1-4 Tue
        # 2-Fri 5 May; WD5-8 9-12; WD9-13 15-19; WD14-18 22-26; WD19-20 Tue 30-Wed 31 May.
        case(Regime.FOI, D(2023, 4, 28), D(2023, 5, 31)),
        id="foi-coronation-2023",
    ),
    # ---- receipt on a non-working day -----------------------------------------------------------
    pytest.param(
        # Sat 10 Jan 2026: still the date of receipt; day 1 is Mon 12. WD1-5 12-16; WD6-10
        # 19-23; WD11-15 26-30 Jan; WD16-20 Mon 2-Fri 6 Feb 2026.
        case(Regime.FOI, D(2026, 1, 10), D(2026, 2, 6)),
        id="foi-saturday-receipt",
    ),
    pytest.param(
        # Sun 11 Jan 2026: same day 1 (Mon 12), same due date.
        case(Regime.FOI, D(2026, 1, 11), D(2026, 2, 6)),
        id="foi-sunday-receipt",
    ),
    pytest.param(
        # Fri 9 Jan 2026: day 1 is also Mon 12 -> Fri 6 Feb.
        case(Regime.FOI, D(2026, 1, 9), D(2026, 2, 6)),
        id="foi-friday-receipt",
    ),
    pytest.param(
        # Mon 25 May 2026, Spring bank holiday: day 1 Tue 26. WD1-4 26-29; WD5-9 1-5 Jun;
        # WD10-14 8-12; skip 15 Jun (Scotland); WD15-18 16-19; WD19-20 Mon 22-Tue 23 Jun.
        case(Regime.FOI, D(2026, 5, 25), D(2026, 6, 23)),
        id="foi-bank-holiday-receipt",
    ),
    pytest.param(
        # Mon 1 Jan 2024 (New Year's Day); Tue 2 Jan is Scotland's 2nd January, so WD1 is Wed 3.
        # WD1-3 3-5 Jan; WD4-8 8-12; WD9-13 15-19; WD14-18 22-26; WD19-20 Mon 29-Tue 30 Jan.
        case(Regime.FOI, D(2024, 1, 1), D(2024, 1, 30)),
        id="foi-new-years-day-receipt-2024",
    ),
    # ---- extensions ----------------------------------------------------------------------------
    pytest.param(
        # Mon 2 Feb 2026: WD1-4 3-6 Feb; WD5-9 9-13; WD10-14 16-20; WD15-19 23-27; WD20 Mon 2
        # Mar. s10(3) +20: WD21-24 3-6 Mar; WD25-29 9-13; WD30 Mon 16; skip Tue 17 (St
        # Patrick's); WD31-33 18-20; WD34-38 23-27; WD39-40 Mon 30-Tue 31 Mar 2026.
        case(Regime.FOI, D(2026, 2, 2), D(2026, 3, 31), ev(T.EXTENSION, D(2026, 2, 20), 20)),
        id="foi-pit-extension-20",
    ),
    pytest.param(
        # Same request, +10: WD21-24 3-6 Mar; WD25-29 9-13; WD30 Mon 16 Mar 2026.
        case(Regime.FOI, D(2026, 2, 2), D(2026, 3, 16), ev(T.EXTENSION, D(2026, 2, 27), 10)),
        id="foi-pit-extension-10",
    ),
    pytest.param(
        # Two extensions of 5 (the second before the first extended date, Mon 9 Mar) = +10.
        case(
            Regime.FOI,
            D(2026, 2, 2),
            D(2026, 3, 16),
            ev(T.EXTENSION, D(2026, 2, 27), 5),
            ev(T.EXTENSION, D(2026, 3, 5), 5),
        ),
        id="foi-two-extensions",
    ),
    pytest.param(
        # EIR reg 7(1): to 40 working days -> as foi-pit-extension-20, Tue 31 Mar 2026.
        case(Regime.EIR, D(2026, 2, 2), D(2026, 3, 31), ev(T.EXTENSION, D(2026, 2, 10))),
        id="eir-reg7-extension",
    ),
    pytest.param(
        # Internal review received Mon 2 Feb 2026: 20 WD -> Mon 2 Mar (as above).
        case(Regime.REVIEW, D(2026, 2, 2), D(2026, 3, 2)),
        id="review-20-days",
    ),
    pytest.param(
        # Internal review extended to the s45 Code maximum (40 in all) -> Tue 31 Mar 2026.
        case(Regime.REVIEW, D(2026, 2, 2), D(2026, 3, 31), ev(T.EXTENSION, D(2026, 2, 25))),
        id="review-extended-to-40",
    ),
    # ---- clarification ---------------------------------------------------------------------------
    pytest.param(
        # FOI Mon 2 Feb 2026; clarification asked Wed 4 Feb, received Fri 13 Feb: 20 fresh WD
        # from Fri 13 Feb. WD1-5 16-20 Feb; WD6-10 23-27; WD11-15 2-6 Mar; WD16-20 9-13 Mar.
        case(
            Regime.FOI,
            D(2026, 2, 2),
            D(2026, 3, 13),
            ev(T.CLARIFICATION_REQUESTED, D(2026, 2, 4)),
            ev(T.CLARIFICATION_RECEIVED, D(2026, 2, 13)),
        ),
        id="foi-clarification-restarts",
    ),
    pytest.param(
        # EIR reg 9(4), particulars arrive Sat 14 Feb 2026: day 1 Mon 16 Feb -> Fri 13 Mar.
        case(
            Regime.EIR,
            D(2026, 2, 2),
            D(2026, 3, 13),
            ev(T.CLARIFICATION_REQUESTED, D(2026, 2, 4)),
            ev(T.CLARIFICATION_RECEIVED, D(2026, 2, 14)),
        ),
        id="eir-clarification-on-saturday",
    ),
    pytest.param(
        # FOI, clarification arrives Fri 13 Mar 2026. WD1 Mon 16; skip 17 (NI); WD2-4 18-20;
        # WD5-9 23-27; WD10-13 30 Mar-2 Apr; skip 3, 6 Apr; WD14-17 7-10; WD18-20 13-15 Apr.
        case(
            Regime.FOI,
            D(2026, 3, 2),
            D(2026, 4, 15),
            ev(T.CLARIFICATION_REQUESTED, D(2026, 3, 4)),
            ev(T.CLARIFICATION_RECEIVED, D(2026, 3, 13)),
        ),
        id="foi-clarification-over-easter",
    ),
    pytest.param(
        # FOISA s1(3)/s10(1)(b), same dates, Scottish days: WD1-5 16-20 Mar; WD6-10 23-27;
        # WD11-14 30 Mar-2 Apr; skip Good Friday; WD15-19 6-10 Apr; WD20 Mon 13 Apr 2026.
        case(
            Regime.FOISA,
            D(2026, 3, 2),
            D(2026, 4, 13),
            ev(T.CLARIFICATION_REQUESTED, D(2026, 3, 4)),
            ev(T.CLARIFICATION_RECEIVED, D(2026, 3, 13)),
        ),
        id="foisa-clarification-over-easter",
    ),
    # ---- fees ------------------------------------------------------------------------------------
    pytest.param(
        # FOI Mon 8 Jan 2024 (Tue 2 Jan, Scotland, is before). WD1-4 Tue 9-Fri 12 Jan. Fees
        # notice Mon 15 Jan, fee in Fri 26 Jan: s10(2) disregards 15-26 Jan (10 WD). WD5-9
        # 29 Jan-2 Feb; WD10-14 5-9 Feb; WD15-19 12-16 Feb; WD20 Mon 19 Feb 2024.
        case(
            Regime.FOI,
            D(2024, 1, 8),
            D(2024, 2, 19),
            ev(T.FEE_NOTICE_ISSUED, D(2024, 1, 15)),
            ev(T.FEE_PAID, D(2024, 1, 26)),
        ),
        id="foi-fee-pause",
    ),
    pytest.param(
        # Notice and payment on the same day (Fri 6 Feb 2026): that one working day is
        # disregarded, so one WD later than Mon 2 Mar -> Tue 3 Mar 2026.
        case(
            Regime.FOI,
            D(2026, 2, 2),
            D(2026, 3, 3),
            ev(T.FEE_NOTICE_ISSUED, D(2026, 2, 6)),
            ev(T.FEE_PAID, D(2026, 2, 6)),
        ),
        id="foi-fee-paid-same-day",
    ),
    pytest.param(
        # FOISA Mon 2 Nov 2026, Scottish days. WD1-4 Tue 3-Fri 6. Notice Mon 9, paid Wed 11
        # Nov: 9-11 disregarded (s10(2)). WD5-6 Thu 12-Fri 13; WD7-11 16-20; WD12-16 23-27;
        # skip Mon 30 St Andrew's Day; WD17-20 Tue 1-Fri 4 Dec 2026.
        case(
            Regime.FOISA,
            D(2026, 11, 2),
            D(2026, 12, 4),
            ev(T.FEE_NOTICE_ISSUED, D(2026, 11, 9)),
            ev(T.FEE_PAID, D(2026, 11, 11)),
        ),
        id="foisa-fee-pause-st-andrews",
    ),
    # ---- subject access: calendar months (ICO method) --------------------------------------------
    pytest.param(
        # 30 Jan 2025 -> no 30 Feb -> last day of Feb: Fri 28 Feb 2025.
        case(Regime.SAR, D(2025, 1, 30), D(2025, 2, 28)),
        id="sar-30-jan-2025",
    ),
    pytest.param(
        # 31 Jan 2025 -> Fri 28 Feb 2025.
        case(Regime.SAR, D(2025, 1, 31), D(2025, 2, 28)),
        id="sar-31-jan-2025",
    ),
    pytest.param(
        # 30 Jan 2024 (leap year) -> no 30 Feb -> Thu 29 Feb 2024.
        case(Regime.SAR, D(2024, 1, 30), D(2024, 2, 29)),
        id="sar-30-jan-leap",
    ),
    pytest.param(
        # 31 Jan 2024 -> Thu 29 Feb 2024.
        case(Regime.SAR, D(2024, 1, 31), D(2024, 2, 29)),
        id="sar-31-jan-leap",
    ),
    pytest.param(
        # 29 Feb 2024 -> 29 Mar 2024 is Good Friday -> Sat, Sun, Mon 1 Apr Easter Monday (a
        # bank holiday in England and Wales) -> Tue 2 Apr 2024.
        case(Regime.SAR, D(2024, 2, 29), D(2024, 4, 2)),
        id="sar-29-feb-good-friday-ew",
    ),
    pytest.param(
        # Same, controller in Scotland: Easter Monday is not a Scottish holiday -> Mon 1 Apr.
        case(Regime.SAR, D(2024, 2, 29), D(2024, 4, 1), jurisdiction=SCOT),
        id="sar-29-feb-scotland",
    ),
    pytest.param(
        # Sat 1 Feb 2025 (receipt on a weekend is still day 1) -> Sat 1 Mar -> Mon 3 Mar 2025.
        case(Regime.SAR, D(2025, 2, 1), D(2025, 3, 3)),
        id="sar-ends-on-saturday",
    ),
    pytest.param(
        # Sat 4 Apr 2026 -> Mon 4 May 2026, Early May bank holiday -> Tue 5 May.
        case(Regime.SAR, D(2026, 4, 4), D(2026, 5, 5)),
        id="sar-ends-on-bank-holiday",
    ),
    pytest.param(
        # Wed 25 Nov 2026 -> Fri 25 Dec (Christmas) -> Sat, Sun, Mon 28 (Boxing Day
        # substitute) -> Tue 29 Dec 2026.
        case(Regime.SAR, D(2026, 11, 25), D(2026, 12, 29)),
        id="sar-ends-on-christmas",
    ),
    pytest.param(
        # Fri 30 Oct 2026 -> Mon 30 Nov, St Andrew's Day: Scottish controller -> Tue 1 Dec.
        case(Regime.SAR, D(2026, 10, 30), D(2026, 12, 1), jurisdiction=SCOT),
        id="sar-st-andrews-scotland",
    ),
    pytest.param(
        # Same request, controller in England: 30 Nov is a working day there.
        case(Regime.SAR, D(2026, 10, 30), D(2026, 11, 30)),
        id="sar-st-andrews-england",
    ),
    pytest.param(
        # Tue 17 Feb 2026 -> Tue 17 Mar, St Patrick's Day: NI controller -> Wed 18 Mar.
        case(Regime.SAR, D(2026, 2, 17), D(2026, 3, 18), jurisdiction=NI),
        id="sar-st-patricks-ni",
    ),
    pytest.param(
        # Fri 15 May 2026 -> Mon 15 Jun 2026, Scotland's one-off day -> Tue 16 Jun (Scotland).
        case(Regime.SAR, D(2026, 5, 15), D(2026, 6, 16), jurisdiction=SCOT),
        id="sar-15-june-scotland",
    ),
    pytest.param(
        # Extension by two months counts from the original start (ICO): 30 Jan 2025 + 3
        # months = Wed 30 Apr 2025 (not 28 Feb + 2 months = 28 Apr).
        case(Regime.SAR, D(2025, 1, 30), D(2025, 4, 30), ev(T.EXTENSION, D(2025, 2, 10), 2)),
        id="sar-extension-from-original-start",
    ),
    pytest.param(
        # One further month: 31 Jan 2025 + 2 months = Mon 31 Mar 2025.
        case(Regime.SAR, D(2025, 1, 31), D(2025, 3, 31), ev(T.EXTENSION, D(2025, 2, 3), 1)),
        id="sar-extension-one-month",
    ),
    pytest.param(
        # Wed 4 Feb 2026 + 3 months = Mon 4 May 2026, Early May bank holiday -> Tue 5 May.
        case(Regime.SAR, D(2026, 2, 4), D(2026, 5, 5), ev(T.EXTENSION, D(2026, 2, 20))),
        id="sar-extension-ends-on-bank-holiday",
    ),
    pytest.param(
        # ID asked for; it arrives Fri 14 Mar 2025: the month runs from then -> Mon 14 Apr.
        case(Regime.SAR, D(2025, 3, 10), D(2025, 4, 14), ev(T.ID_VERIFIED, D(2025, 3, 14))),
        id="sar-id-verified",
    ),
    pytest.param(
        # Mon 3 Feb 2025; clarification asked Wed 5, received Mon 10 Feb: 5-10 Feb (6 days)
        # do not count (Art 12A). 3 Mar + 6 days = Sun 9 Mar -> Mon 10 Mar 2025.
        case(
            Regime.SAR,
            D(2025, 2, 3),
            D(2025, 3, 10),
            ev(T.CLARIFICATION_REQUESTED, D(2025, 2, 5)),
            ev(T.CLARIFICATION_RECEIVED, D(2025, 2, 10)),
        ),
        id="sar-clarification-pause",
    ),
    # ---- more fee pauses, extensions, reviews and month ends ------------------------------------
    pytest.param(
        # EIR Mon 2 Feb 2026. WD1-4 Tue 3-Fri 6 Feb. Advance payment notified Mon 9 Feb, paid
        # Fri 13 Feb: reg 8(6) disregards 9-13 Feb. WD5-9 16-20 Feb; WD10-14 23-27 Feb;
        # WD15-19 2-6 Mar; WD20 Mon 9 Mar 2026.
        case(
            Regime.EIR,
            D(2026, 2, 2),
            D(2026, 3, 9),
            ev(T.FEE_NOTICE_ISSUED, D(2026, 2, 9)),
            ev(T.FEE_PAID, D(2026, 2, 13)),
        ),
        id="eir-advance-payment-pause",
    ),
    pytest.param(
        # Same, then extended under reg 7(1) on Mon 16 Feb: reg 8(6) disregards the paused days
        # "including any extension". From WD20 Mon 9 Mar: WD21-24 10-13 Mar; WD25 Mon 16; skip
        # Tue 17 (St Patrick's Day, NI); WD26-28 18-20; WD29-33 23-27; WD34-37 Mon 30 Mar-Thu 2
        # Apr; skip Good Friday 3 and Easter Monday 6 Apr; WD38-40 Tue 7-Thu 9 Apr 2026.
        case(
            Regime.EIR,
            D(2026, 2, 2),
            D(2026, 4, 9),
            ev(T.FEE_NOTICE_ISSUED, D(2026, 2, 9)),
            ev(T.FEE_PAID, D(2026, 2, 13)),
            ev(T.EXTENSION, D(2026, 2, 16)),
        ),
        id="eir-advance-payment-pause-and-reg7-extension",
    ),
    pytest.param(
        # FOI Mon 8 Jan 2024, fee paused 15-26 Jan -> due Mon 19 Feb (foi-fee-pause); s10(3)
        # +10 WD notified Mon 12 Feb: WD21-24 Tue 20-Fri 23 Feb; WD25-29 26 Feb-1 Mar; WD30 Mon
        # 4 Mar 2024 (St Patrick's substitute, Mon 18 Mar, is later).
        case(
            Regime.FOI,
            D(2024, 1, 8),
            D(2024, 3, 4),
            ev(T.FEE_NOTICE_ISSUED, D(2024, 1, 15)),
            ev(T.FEE_PAID, D(2024, 1, 26)),
            ev(T.EXTENSION, D(2024, 2, 12), 10),
        ),
        id="foi-fee-pause-and-pit-extension",
    ),
    pytest.param(
        # FOI Mon 2 Feb 2026; clarification asked Wed 4 Feb, received Fri 13 Feb: 20 fresh WD
        # from 13 Feb. WD1-5 16-20 Feb. Fees notice Mon 23 Feb, fee in Wed 25 Feb: 23-25
        # disregarded (s10(2)). WD6-7 Thu 26-Fri 27 Feb; WD8-12 2-6 Mar; WD13-17 9-13 Mar;
        # WD18 Mon 16; skip Tue 17 (St Patrick's Day); WD19 Wed 18; WD20 Thu 19 Mar 2026.
        case(
            Regime.FOI,
            D(2026, 2, 2),
            D(2026, 3, 19),
            ev(T.CLARIFICATION_REQUESTED, D(2026, 2, 4)),
            ev(T.CLARIFICATION_RECEIVED, D(2026, 2, 13)),
            ev(T.FEE_NOTICE_ISSUED, D(2026, 2, 23)),
            ev(T.FEE_PAID, D(2026, 2, 25)),
        ),
        id="foi-clarification-then-fee-pause",
    ),
    pytest.param(
        # Internal review asked for Wed 1 Apr 2026 (s45 Code, UK days). WD1 Thu 2 Apr; skip Good
        # Friday 3, Easter Monday 6; WD2-5 Tue 7-Fri 10; WD6-10 13-17; WD11-15 20-24; WD16-19
        # Mon 27-Thu 30 Apr; WD20 Fri 1 May 2026 (Early May bank holiday Mon 4 May is later).
        case(Regime.REVIEW, D(2026, 4, 1), D(2026, 5, 1)),
        id="review-over-easter",
    ),
    pytest.param(
        # FOISA requirement for review Mon 16 Nov 2026 (s21(1), Scottish days). WD1-4 17-20
        # Nov; WD5-9 23-27; skip Mon 30 Nov (St Andrew's Day); WD10-13 Tue 1-Fri 4 Dec; WD14-18
        # 7-11 Dec; WD19-20 Mon 14-Tue 15 Dec 2026.
        case(Regime.FOISA_REVIEW, D(2026, 11, 16), D(2026, 12, 15)),
        id="foisa-review-st-andrews",
    ),
    pytest.param(
        # Subject access: proof of identity arrives Sat 7 Mar 2026 (the clock starts that day,
        # Art 12A) -> Tue 7 Apr 2026, a working day in England (Easter Monday was 6 Apr).
        case(Regime.SAR, D(2026, 3, 2), D(2026, 4, 7), ev(T.ID_VERIFIED, D(2026, 3, 7))),
        id="sar-id-arrives-on-saturday",
    ),
    pytest.param(
        # Tue 31 Mar 2026 -> April has no 31st -> its last day, Thu 30 Apr 2026.
        case(Regime.SAR, D(2026, 3, 31), D(2026, 4, 30)),
        id="sar-31-march",
    ),
    pytest.param(
        # Sun 1 Feb 2026 -> Sun 1 Mar 2026 -> Mon 2 Mar 2026.
        case(Regime.SAR, D(2026, 2, 1), D(2026, 3, 2)),
        id="sar-ends-on-sunday",
    ),
]


@pytest.mark.parametrize("worked", WORKED)
def test_worked_examples(worked: Case) -> None:
    deadline = compute_deadline(worked.regime, worked.received, worked.events, worked.jurisdiction)
    assert deadline.due == worked.due
    assert not deadline.stopped
    assert deadline.working  # the working is always shown
    assert any(line.startswith("Due:") for line in deadline.working)


def test_there_are_at_least_forty_worked_examples() -> None:
    assert len(WORKED) >= 40


# ---- the details of a deadline ------------------------------------------------------------------


def test_day_one_and_skipped_days_are_shown() -> None:
    # Sat 10 Jan 2026 -> day 1 Mon 12 Jan; skipped days after receipt up to the due date
    # (Fri 6 Feb) are the weekends only: 11, 17-18, 24-25, 31 Jan-1 Feb (Sun 11 included).
    deadline = compute_deadline(Regime.FOI, D(2026, 1, 10))
    assert deadline.day_one == D(2026, 1, 12)
    assert [s.date for s in deadline.skipped] == [
        D(2026, 1, 11),
        D(2026, 1, 17),
        D(2026, 1, 18),
        D(2026, 1, 24),
        D(2026, 1, 25),
        D(2026, 1, 31),
        D(2026, 2, 1),
    ]
    assert {s.reason for s in deadline.skipped} == {"Saturday", "Sunday"}


def test_skipped_names_the_nation_only_day() -> None:
    deadline = compute_deadline(Regime.FOI, D(2026, 3, 16))
    reasons = {s.date: s.reason for s in deadline.skipped}
    assert reasons[D(2026, 3, 17)] == "St Patrick's Day (Northern Ireland)"
    assert reasons[D(2026, 4, 3)] == "Good Friday"


def test_fee_pause_days_are_listed_as_skipped() -> None:
    deadline = compute_deadline(
        Regime.FOI,
        D(2024, 1, 8),
        [ev(T.FEE_NOTICE_ISSUED, D(2024, 1, 15)), ev(T.FEE_PAID, D(2024, 1, 26))],
    )
    paused = [s.date for s in deadline.skipped if "fees notice" in s.reason]
    # Ten working days, Mon 15-Fri 19 and Mon 22-Fri 26 Jan 2024.
    assert len(paused) == 10
    assert paused[0] == D(2024, 1, 15) and paused[-1] == D(2024, 1, 26)


def test_working_cites_the_statute() -> None:
    text = "\n".join(compute_deadline(Regime.FOI, D(2026, 3, 16)).working)
    assert "FOIA s10(6)" in text and "FOIA s10(1)" in text
    text = "\n".join(compute_deadline(Regime.FOISA, D(2026, 3, 16)).working)
    assert "FOISA s73" in text and "FOISA s10(1)" in text


def test_the_time_of_day_is_irrelevant() -> None:
    late_friday = dt.datetime(2026, 1, 9, 23, 59)
    assert compute_deadline(Regime.FOI, late_friday).due == D(2026, 2, 6)


# ---- stopped clocks and lapse -------------------------------------------------------------------


def test_waiting_for_clarification_has_no_due_date() -> None:
    deadline = compute_deadline(
        Regime.FOI, D(2026, 2, 2), [ev(T.CLARIFICATION_REQUESTED, D(2026, 2, 4))]
    )
    assert deadline.due is None
    assert deadline.stopped
    assert deadline.state is ClockState.AWAITING_CLARIFICATION
    assert deadline.stop_reason is not None and "clarification" in deadline.stop_reason
    # On restart 20 fresh working days: that is what staff will have.
    assert working_days_left(deadline, D(2026, 3, 20)) == 20


def test_unpaid_fee_stops_the_clock_and_lapses_after_three_months() -> None:
    # Notice Mon 15 Jan 2024: three months beginning with 15 Jan end Sun 14 Apr 2024
    # (FOIA s9(2)); unpaid, the request lapses on Mon 15 Apr 2024.
    deadline = compute_deadline(
        Regime.FOI, D(2024, 1, 8), [ev(T.FEE_NOTICE_ISSUED, D(2024, 1, 15))]
    )
    assert deadline.due is None
    assert deadline.state is ClockState.AWAITING_FEE
    assert deadline.fee_due_by == D(2024, 4, 14)
    assert deadline.lapses_on == D(2024, 4, 15)
    # Four WD counted before the notice (Tue 9-Fri 12 Jan): 16 remain when the fee arrives.
    assert working_days_left(deadline, D(2024, 3, 1)) == 16


def test_fee_lapse_at_month_end() -> None:
    # Notice Sun 30 Nov 2025: three months beginning with 30 Nov; Feb 2026 has no 30th, so the
    # period ends on its last day, Sat 28 Feb 2026, and the request lapses on Sun 1 Mar.
    deadline = compute_deadline(
        Regime.FOISA, D(2025, 11, 3), [ev(T.FEE_NOTICE_ISSUED, D(2025, 11, 30))]
    )
    assert deadline.fee_due_by == D(2026, 2, 28)
    assert deadline.lapses_on == D(2026, 3, 1)


def test_fee_paid_after_three_months_means_the_request_lapsed() -> None:
    deadline = compute_deadline(
        Regime.FOI,
        D(2024, 1, 8),
        [ev(T.FEE_NOTICE_ISSUED, D(2024, 1, 15)), ev(T.FEE_PAID, D(2024, 4, 15))],
    )
    assert deadline.state is ClockState.LAPSED
    assert deadline.due is None and deadline.stopped
    assert deadline.lapses_on == D(2024, 4, 15)
    with pytest.raises(ClockError, match="lapsed"):
        working_days_left(deadline, D(2024, 4, 20))


def test_eir_advance_payment_lapses_after_sixty_working_days() -> None:
    # EIR reg 8: pay within 60 working days of the notification. Notice Mon 2 Feb 2026:
    # WD1-19 3-27 Feb; WD20-29 2-13 Mar; WD30 Mon 16; skip Tue 17 (NI); WD31-33 18-20;
    # WD34-38 23-27; WD39-42 30 Mar-2 Apr; skip 3 and 6 Apr; WD43-46 7-10 Apr; WD47-51 13-17;
    # WD52-56 20-24; WD57-60 Mon 27-Thu 30 Apr 2026.
    deadline = compute_deadline(
        Regime.EIR, D(2026, 1, 30), [ev(T.FEE_NOTICE_ISSUED, D(2026, 2, 2))]
    )
    assert deadline.fee_due_by == D(2026, 4, 30)
    assert deadline.lapses_on == D(2026, 5, 1)


def test_eir_advance_payment_days_are_listed_as_skipped() -> None:
    # eir-advance-payment-pause: Mon 9-Fri 13 Feb 2026 disregarded under reg 8(6).
    deadline = compute_deadline(
        Regime.EIR,
        D(2026, 2, 2),
        [ev(T.FEE_NOTICE_ISSUED, D(2026, 2, 9)), ev(T.FEE_PAID, D(2026, 2, 13))],
    )
    paused = [s for s in deadline.skipped if "fees notice" in s.reason]
    assert [s.date for s in paused] == [D(2026, 2, d) for d in (9, 10, 11, 12, 13)]
    assert all("EIR reg 8(6)" in s.reason for s in paused)


def test_eir_advance_payment_must_be_notified_within_20_working_days_even_when_extended() -> None:
    # EIR Mon 2 Feb 2026: the 20th working day is Mon 2 Mar. Extended to 40 on Tue 10 Feb, the
    # due date is Tue 31 Mar, but reg 8(4) still wants the notification by Mon 2 Mar.
    extended = ev(T.EXTENSION, D(2026, 2, 10))
    with pytest.raises(ClockError, match=r"EIR reg 8\(4\)"):
        compute_deadline(
            Regime.EIR, D(2026, 2, 2), [extended, ev(T.FEE_NOTICE_ISSUED, D(2026, 3, 3))]
        )
    ok = compute_deadline(
        Regime.EIR, D(2026, 2, 2), [extended, ev(T.FEE_NOTICE_ISSUED, D(2026, 3, 2))]
    )
    assert ok.state is ClockState.AWAITING_FEE


def test_sar_waiting_for_clarification() -> None:
    deadline = compute_deadline(
        Regime.SAR, D(2025, 2, 3), [ev(T.CLARIFICATION_REQUESTED, D(2025, 2, 5))]
    )
    assert deadline.stopped and deadline.due is None
    assert deadline.state is ClockState.AWAITING_CLARIFICATION


def test_sar_fee_starts_the_month_when_paid() -> None:
    # Fee asked for (manifestly excessive request), paid Mon 10 Mar 2025 -> Thu 10 Apr 2025.
    deadline = compute_deadline(
        Regime.SAR,
        D(2025, 3, 3),
        [ev(T.FEE_NOTICE_ISSUED, D(2025, 3, 4)), ev(T.FEE_PAID, D(2025, 3, 10))],
    )
    assert deadline.due == D(2025, 4, 10)
    assert deadline.day_one == D(2025, 3, 10)


# ---- review windows ----------------------------------------------------------------------------


def test_foi_review_request_window_is_40_working_days_from_the_response() -> None:
    # Response Wed 4 Mar 2026. WD1-2 5-6 Mar; WD3-7 9-13; WD8 Mon 16; skip 17 (NI); WD9-11
    # 18-20; WD12-16 23-27; WD17-20 30 Mar-2 Apr; skip 3, 6 Apr; WD21-24 7-10; WD25-29 13-17;
    # WD30-34 20-24; WD35-38 27-30 Apr; WD39 Fri 1 May; skip Mon 4 May; WD40 Tue 5 May 2026.
    deadline = compute_deadline(Regime.FOI, D(2026, 2, 9), [ev(T.RESPONSE_ISSUED, D(2026, 3, 4))])
    assert deadline.review_request_by == D(2026, 5, 5)
    assert deadline.state is ClockState.RESPONDED
    assert deadline.responded_late is False


def test_no_review_window_before_a_foi_response() -> None:
    assert compute_deadline(Regime.FOI, D(2026, 2, 9)).review_request_by is None


def test_foisa_review_window_runs_from_expiry_when_the_response_was_in_time() -> None:
    # FOISA Mon 2 Feb 2026 -> due Mon 2 Mar. Response Wed 18 Feb (in time): s20(5)(a), 40 WD
    # after 2 Mar on Scottish days: WD1-4 3-6 Mar; WD5-9 9-13; WD10-14 16-20; WD15-19 23-27;
    # WD20-23 30 Mar-2 Apr; skip Good Friday; WD24-28 6-10 Apr; WD29-33 13-17; WD34-38 20-24;
    # WD39-40 Mon 27-Tue 28 Apr 2026.
    deadline = compute_deadline(
        Regime.FOISA, D(2026, 2, 2), [ev(T.RESPONSE_ISSUED, D(2026, 2, 18))]
    )
    assert deadline.due == D(2026, 3, 2)
    assert deadline.review_request_by == D(2026, 4, 28)


def test_foisa_review_window_runs_from_a_late_response() -> None:
    # Response Fri 13 Mar 2026, after the due date: s20(5)(b), 40 WD after receipt of it.
    # WD1-5 16-20 Mar; WD6-10 23-27; WD11-14 30 Mar-2 Apr; skip 3 Apr; WD15-19 6-10; WD20-24
    # 13-17; WD25-29 20-24; WD30-33 27-30 Apr; WD34 Fri 1 May; skip Mon 4 May; WD35-38 5-8 May;
    # WD39-40 Mon 11-Tue 12 May 2026.
    deadline = compute_deadline(
        Regime.FOISA, D(2026, 2, 2), [ev(T.RESPONSE_ISSUED, D(2026, 3, 13))]
    )
    assert deadline.review_request_by == D(2026, 5, 12)
    assert deadline.responded_late is True


def test_foisa_review_window_without_a_response() -> None:
    # No response at all: 40 WD after the time expired (Mon 2 Mar) -> Tue 28 Apr 2026.
    assert compute_deadline(Regime.FOISA, D(2026, 2, 2)).review_request_by == D(2026, 4, 28)


def test_eir_review_window() -> None:
    # EIR reg 11(2): 40 WD after the response; same counting as the FOI case -> Tue 5 May 2026.
    deadline = compute_deadline(Regime.EIR, D(2026, 2, 9), [ev(T.RESPONSE_ISSUED, D(2026, 3, 4))])
    assert deadline.review_request_by == D(2026, 5, 5)


# ---- days left -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (D(2026, 3, 2), 0),  # due today
        (D(2026, 2, 27), 1),  # Fri before a Monday due date
        (D(2026, 2, 28), 1),  # Sat: Mon 2 Mar is the one working day left
        (D(2026, 2, 23), 5),  # Mon 23 Feb: 24, 25, 26, 27 Feb, 2 Mar
        (D(2026, 3, 3), -1),  # the day after
        (D(2026, 3, 7), -4),  # Sat 7 Mar: Tue 3-Fri 6 have passed
    ],
)
def test_working_days_left(today: dt.date, left: int) -> None:
    deadline = compute_deadline(Regime.FOI, D(2026, 2, 2))  # due Mon 2 Mar 2026
    assert working_days_left(deadline, today) == left


def test_working_days_left_uses_the_regimes_calendar() -> None:
    # Due Tue 14 Apr 2026 under FOISA (foisa-st-patricks-counts). From Thu 2 Apr: Good Friday
    # is off, Easter Monday is not: 6, 7, 8, 9, 10, 13, 14 Apr = 7 working days.
    deadline = compute_deadline(Regime.FOISA, D(2026, 3, 16))
    assert working_days_left(deadline, D(2026, 4, 2)) == 7


def test_is_overdue() -> None:
    deadline = compute_deadline(Regime.FOI, D(2026, 2, 2))
    assert not is_overdue(deadline, D(2026, 3, 2))
    assert is_overdue(deadline, D(2026, 3, 3))
    answered = compute_deadline(Regime.FOI, D(2026, 2, 2), [ev(T.RESPONSE_ISSUED, D(2026, 3, 9))])
    assert not is_overdue(answered, D(2026, 4, 1))
    assert answered.responded_late is True


# ---- bad sequences -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regime", "events", "message"),
    [
        (Regime.FOI, [ev(T.FEE_PAID, D(2026, 2, 5))], "fee_paid on 2026-02-05 without"),
        (
            Regime.FOI,
            [ev(T.CLARIFICATION_RECEIVED, D(2026, 2, 5))],
            "clarification_received on 2026-02-05 without",
        ),
        (Regime.FOI, [ev(T.RESPONSE_ISSUED, D(2026, 1, 30))], "before the request was received"),
        (
            Regime.FOI,
            [ev(T.RESPONSE_ISSUED, D(2026, 2, 10)), ev(T.EXTENSION, D(2026, 2, 11), 5)],
            "after the response",
        ),
        # The due date is Mon 2 Mar 2026; an extension on Tue 3 Mar is too late.
        (Regime.FOI, [ev(T.EXTENSION, D(2026, 3, 3), 10)], "after the due date 2026-03-02"),
        (Regime.FOI, [ev(T.EXTENSION, D(2026, 2, 10), 21)], "more than 20"),
        (
            Regime.FOI,
            [ev(T.EXTENSION, D(2026, 2, 10), 15), ev(T.EXTENSION, D(2026, 2, 11), 10)],
            "25 further working days",
        ),
        (Regime.FOISA, [ev(T.EXTENSION, D(2026, 2, 10))], "FOISA allows no extension"),
        (Regime.FOISA_REVIEW, [ev(T.EXTENSION, D(2026, 2, 10))], "allows no extension"),
        (Regime.REVIEW, [ev(T.EXTENSION, D(2026, 2, 10), 25)], "more than 20"),
        (Regime.EIR, [ev(T.EXTENSION, D(2026, 2, 10), 30)], "40 working days"),
        (
            Regime.EIR,
            [ev(T.EXTENSION, D(2026, 2, 10)), ev(T.EXTENSION, D(2026, 2, 11))],
            "already extended",
        ),
        (Regime.FOI, [ev(T.ID_VERIFIED, D(2026, 2, 10))], "subject access"),
        (Regime.REVIEW, [ev(T.FEE_NOTICE_ISSUED, D(2026, 2, 10))], "does not apply"),
        (Regime.FOISA_REVIEW, [ev(T.CLARIFICATION_REQUESTED, D(2026, 2, 10))], "does not apply"),
        (
            Regime.FOI,
            [ev(T.FEE_NOTICE_ISSUED, D(2026, 2, 10)), ev(T.FEE_NOTICE_ISSUED, D(2026, 2, 11))],
            "is unpaid",
        ),
        (Regime.FOI, [ev(T.FEE_NOTICE_ISSUED, D(2026, 3, 3))], "after the due date"),
        (Regime.FOI, [ev(T.FEE_PAID, D(2026, 2, 10), 3)], "takes no number"),
        # Subject access: extension after the first month (due Mon 2 Mar 2026), or > 2 months.
        (Regime.SAR, [ev(T.EXTENSION, D(2026, 3, 3))], "within the first month"),
        (Regime.SAR, [ev(T.EXTENSION, D(2026, 2, 10), 3)], "more than the two"),
        (Regime.SAR, [ev(T.FEE_PAID, D(2026, 2, 10))], "without a fee_notice_issued"),
    ],
)
def test_bad_sequences_raise(regime: Regime, events: list[ClockEvent], message: str) -> None:
    with pytest.raises(ClockError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compute_deadline(regime, D(2026, 2, 2), events)


def test_clock_error_is_a_value_error() -> None:
    assert issubclass(ClockError, ValueError)


def test_events_are_applied_in_date_order() -> None:
    # Given out of order, the result is the same as foi-clarification-restarts.
    deadline = compute_deadline(
        Regime.FOI,
        D(2026, 2, 2),
        [
            ev(T.CLARIFICATION_RECEIVED, D(2026, 2, 13)),
            ev(T.CLARIFICATION_REQUESTED, D(2026, 2, 4)),
        ],
    )
    assert deadline.due == D(2026, 3, 13)


def test_deadline_is_json_ready() -> None:
    data = compute_deadline(
        Regime.FOI, D(2026, 3, 16), [ev(T.RESPONSE_ISSUED, D(2026, 4, 1))]
    ).as_json()
    assert data["due"] == "2026-04-16"
    assert data["review_request_by"] is not None
    skipped = data["skipped"]
    assert isinstance(skipped, list)
    assert {"date": "2026-03-17", "reason": "St Patrick's Day (Northern Ireland)"} in skipped


def test_deadline_is_immutable() -> None:
    deadline: Deadline = compute_deadline(Regime.FOI, D(2026, 2, 2))
    with pytest.raises(AttributeError):
        deadline.due = D(2030, 1, 1)  # type: ignore[misc]
