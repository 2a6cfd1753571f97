"""Working-day calendars, checked against the gov.uk bank-holiday lists for each nation.

Expected values come from the statutes (FOIA s10(6), FOISA s73) and gov.uk/bank-holidays, not
from this code. Weekdays are noted beside each date so the counting can be followed by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from intake.calendar import CalendarScope, SkippedDay, WorkingCalendar, scope_for
from intake.regime import Jurisdiction, Regime

D = dt.date
UK = WorkingCalendar.for_scope(CalendarScope.UK)
SCOT = WorkingCalendar.for_scope(CalendarScope.SCOTLAND)
EW = WorkingCalendar.for_scope(CalendarScope.ENGLAND_AND_WALES)
NI = WorkingCalendar.for_scope(CalendarScope.NORTHERN_IRELAND)


# (date, working in UK union, Scotland, England and Wales, Northern Ireland)
DAYS = [
    # gov.uk: St Patrick's Day, NI only. FOIA counts a bank holiday in ANY part of the UK.
    pytest.param(D(2026, 3, 17), False, True, True, False, id="st-patricks-2026-tue"),
    # 17 Mar 2024 was a Sunday; NI's substitute day was Mon 18 Mar 2024.
    pytest.param(D(2024, 3, 18), False, True, True, False, id="st-patricks-substitute-2024"),
    # St Andrew's Day, Scotland only: Mon 30 Nov 2026.
    pytest.param(D(2026, 11, 30), False, False, True, True, id="st-andrews-2026-mon"),
    # 30 Nov 2025 was a Sunday: Scotland's bank holiday was Mon 1 Dec 2025.
    pytest.param(D(2025, 12, 1), False, False, True, True, id="st-andrews-substitute-2025"),
    # Scotland's one-off bank holiday, Mon 15 June 2026 (World Cup).
    pytest.param(D(2026, 6, 15), False, False, True, True, id="scotland-15-june-2026"),
    # 2nd January, Scotland only (Fri 2 Jan 2026).
    pytest.param(D(2026, 1, 2), False, False, True, True, id="second-january-2026"),
    # Easter Monday: England, Wales, NI; not a Scottish bank holiday.
    pytest.param(D(2026, 4, 6), False, True, False, False, id="easter-monday-2026"),
    # Good Friday: everywhere (named in FOIA s10(6); a bank holiday in Scotland).
    pytest.param(D(2026, 4, 3), False, False, False, False, id="good-friday-2026"),
    # Summer bank holiday: first Monday of August in Scotland, last Monday elsewhere.
    pytest.param(D(2026, 8, 3), False, False, True, True, id="scottish-summer-2026"),
    pytest.param(D(2026, 8, 31), False, True, False, False, id="english-summer-2026"),
    # Battle of the Boyne: 12 July 2026 is a Sunday, NI substitute Mon 13 July.
    pytest.param(D(2026, 7, 13), False, True, True, False, id="boyne-substitute-2026"),
    # 12 July 2025 was a Saturday: NI substitute Mon 14 July 2025.
    pytest.param(D(2025, 7, 14), False, True, True, False, id="boyne-substitute-2025"),
    # One-off UK-wide days: Platinum Jubilee Thu 2 & Fri 3 June 2022 (Spring bank holiday moved
    # to 2 June), Queen's funeral Mon 19 Sept 2022, Coronation Mon 8 May 2023.
    pytest.param(D(2022, 6, 2), False, False, False, False, id="spring-2022-moved"),
    pytest.param(D(2022, 6, 3), False, False, False, False, id="platinum-jubilee"),
    pytest.param(D(2022, 9, 19), False, False, False, False, id="state-funeral"),
    pytest.param(D(2023, 5, 8), False, False, False, False, id="coronation"),
    # ... and the usual last-Monday-of-May did not happen in 2022: Mon 30 May 2022 was a
    # working day everywhere.
    pytest.param(D(2022, 5, 30), True, True, True, True, id="no-spring-holiday-30-may-2022"),
    # Christmas 2022 fell on a Sunday: Boxing Day Mon 26, substitute for Christmas Tue 27.
    pytest.param(D(2022, 12, 27), False, False, False, False, id="christmas-substitute-2022"),
    # New Year 2023 fell on a Sunday: Mon 2 Jan substitute everywhere; Scotland's 2nd January
    # moved to Tue 3 Jan 2023.
    pytest.param(D(2023, 1, 2), False, False, False, False, id="new-year-substitute-2023"),
    pytest.param(D(2023, 1, 3), False, False, True, True, id="second-january-substitute-2023"),
    # Boxing Day 2026 is a Saturday: substitute Mon 28 Dec 2026 everywhere.
    pytest.param(D(2026, 12, 28), False, False, False, False, id="boxing-substitute-2026"),
    # 2 Jan 2027 is a Saturday: Scotland's substitute is Mon 4 Jan 2027.
    pytest.param(D(2027, 1, 4), False, False, True, True, id="second-january-substitute-2027"),
    # 2020: Early May bank holiday moved to Fri 8 May (VE Day); Mon 4 May 2020 was working.
    pytest.param(D(2020, 5, 8), False, False, False, False, id="ve-day-2020"),
    pytest.param(D(2020, 5, 4), True, True, True, True, id="no-may-day-monday-2020"),
    # An ordinary Wednesday.
    pytest.param(D(2026, 2, 4), True, True, True, True, id="ordinary-wednesday"),
]


@pytest.mark.parametrize(("day", "uk", "scotland", "england_wales", "ni"), DAYS)
def test_working_days_by_scope(
    day: dt.date, uk: bool, scotland: bool, england_wales: bool, ni: bool
) -> None:
    assert UK.is_working_day(day) is uk
    assert SCOT.is_working_day(day) is scotland
    assert EW.is_working_day(day) is england_wales
    assert NI.is_working_day(day) is ni


def test_union_is_not_the_packages_uk_default() -> None:
    # The holidays package's UK calendar without a subdivision is the intersection of the
    # nations; FOIA needs the union. St Patrick's Day must stop an English authority's clock.
    import holidays

    assert D(2026, 3, 17) not in holidays.country_holidays("GB", years=2026)
    assert not UK.is_working_day(D(2026, 3, 17))


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (D(2026, 2, 7), "Saturday"),
        (D(2026, 2, 8), "Sunday"),
        (D(2026, 12, 25), "Christmas Day"),  # a Friday
        (D(2026, 4, 3), "Good Friday"),
        (D(2026, 3, 17), "St Patrick's Day (Northern Ireland)"),
        (D(2026, 11, 30), "St Andrew's Day (Scotland)"),
        (D(2026, 5, 25), "Spring bank holiday (all parts of the UK)"),
        (D(2026, 4, 6), "Easter Monday (England and Wales, Northern Ireland)"),
        (D(2022, 12, 25), "Sunday, Christmas Day"),
    ],
)
def test_reasons_on_the_uk_calendar(day: dt.date, reason: str) -> None:
    assert UK.reason(day) == reason


def test_reason_is_none_on_a_working_day() -> None:
    assert UK.reason(D(2026, 2, 4)) is None


def test_substitute_days_are_labelled() -> None:
    reason = UK.reason(D(2026, 12, 28))
    assert reason is not None
    assert "Substitute day for Boxing Day" in reason


def test_scottish_reasons_name_scotland() -> None:
    assert SCOT.reason(D(2026, 6, 15)) is not None
    assert "(Scotland)" in (SCOT.reason(D(2026, 6, 15)) or "")
    assert SCOT.reason(D(2026, 3, 17)) is None  # St Patrick's Day counts under FOISA


def test_add_working_days_counts_from_the_day_after() -> None:
    # Mon 2 Feb 2026: 1st working day after is Tue 3 Feb; 5th is Mon 9 Feb.
    assert UK.add_working_days(D(2026, 2, 2), 1) == D(2026, 2, 3)
    assert UK.add_working_days(D(2026, 2, 2), 5) == D(2026, 2, 9)
    # From a Saturday the first working day after is the Monday.
    assert UK.add_working_days(D(2026, 2, 7), 1) == D(2026, 2, 9)
    assert UK.add_working_days(D(2026, 2, 2), 0) == D(2026, 2, 2)


def test_add_working_days_backwards() -> None:
    # The working day before Tue 18 Mar 2026 on the UK calendar skips St Patrick's Day (Tue 17)
    # and lands on Mon 16 Mar; in Scotland it is Tue 17.
    assert UK.add_working_days(D(2026, 3, 18), -1) == D(2026, 3, 16)
    assert SCOT.add_working_days(D(2026, 3, 18), -1) == D(2026, 3, 17)
    # Two working days before Mon 9 Feb 2026: Thu 5 Feb.
    assert UK.add_working_days(D(2026, 2, 9), -2) == D(2026, 2, 5)


def test_working_days_between_is_half_open() -> None:
    # (Fri 13 Mar, Fri 20 Mar 2026]: Mon 16, Wed 18, Thu 19, Fri 20 (Tue 17 is St Patrick's).
    assert UK.working_days_between(D(2026, 3, 13), D(2026, 3, 20)) == 4
    assert SCOT.working_days_between(D(2026, 3, 13), D(2026, 3, 20)) == 5
    assert UK.working_days_between(D(2026, 3, 20), D(2026, 3, 13)) == -4
    assert UK.working_days_between(D(2026, 3, 13), D(2026, 3, 13)) == 0


def test_next_working_day() -> None:
    # Fri 25 Dec 2026 -> Sat, Sun, Mon 28 (Boxing Day substitute) -> Tue 29 Dec.
    assert EW.next_working_day(D(2026, 12, 25)) == D(2026, 12, 29)
    assert EW.next_working_day(D(2026, 12, 29)) == D(2026, 12, 29)


def test_skipped_between_lists_days_with_reasons() -> None:
    skipped = UK.skipped_between(D(2026, 4, 2), D(2026, 4, 7))
    assert skipped == (
        SkippedDay(D(2026, 4, 3), "Good Friday"),
        SkippedDay(D(2026, 4, 4), "Saturday"),
        SkippedDay(D(2026, 4, 5), "Sunday"),
        SkippedDay(D(2026, 4, 6), "Easter Monday (England and Wales, Northern Ireland)"),
    )


def test_far_dates_extend_the_table() -> None:
    # 25 Dec 2098 is a Thursday; the first working day after it in England and Wales is Mon 29
    # Dec (Boxing Day Fri 26).
    assert EW.next_working_day(D(2098, 12, 25)) == D(2098, 12, 29)
    # 1 Jan 1990 is a Monday, New Year's Day: not a working day.
    assert not UK.is_working_day(D(1990, 1, 1))


def test_out_of_range_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        UK.is_working_day(D(1900, 1, 2))


@pytest.mark.parametrize(
    ("regime", "jurisdiction", "scope"),
    [
        (Regime.FOI, Jurisdiction.SCOTLAND, CalendarScope.UK),
        (Regime.EIR, Jurisdiction.NORTHERN_IRELAND, CalendarScope.UK),
        (Regime.REVIEW, Jurisdiction.ENGLAND_AND_WALES, CalendarScope.UK),
        (Regime.FOISA, Jurisdiction.ENGLAND_AND_WALES, CalendarScope.SCOTLAND),
        (Regime.FOISA_REVIEW, Jurisdiction.SCOTLAND, CalendarScope.SCOTLAND),
        (Regime.SAR, Jurisdiction.SCOTLAND, CalendarScope.SCOTLAND),
        (Regime.SAR, Jurisdiction.NORTHERN_IRELAND, CalendarScope.NORTHERN_IRELAND),
        (Regime.SAR, Jurisdiction.ENGLAND_AND_WALES, CalendarScope.ENGLAND_AND_WALES),
    ],
)
def test_scope_for_regime(regime: Regime, jurisdiction: Jurisdiction, scope: CalendarScope) -> None:
    assert scope_for(regime, jurisdiction) is scope
    assert WorkingCalendar.for_regime(regime, jurisdiction) is WorkingCalendar.for_scope(scope)


def test_working_days_in_lists_the_counted_days() -> None:
    # (Fri 13 Mar, Fri 20 Mar 2026] on the UK calendar: Mon 16, Wed 18, Thu 19, Fri 20 (Tue 17
    # is St Patrick's Day); in Scotland Tue 17 counts too.
    assert UK.working_days_in(D(2026, 3, 13), D(2026, 3, 20)) == [
        D(2026, 3, 16),
        D(2026, 3, 18),
        D(2026, 3, 19),
        D(2026, 3, 20),
    ]
    assert len(SCOT.working_days_in(D(2026, 3, 13), D(2026, 3, 20))) == 5
    assert UK.working_days_in(D(2026, 3, 20), D(2026, 3, 13)) == []
