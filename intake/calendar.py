"""Working-day calendars for the statutory clocks.

Which days count depends on the law, not on the office:

- FOIA s10(6) (and EIR reg 2(1), which borrows it): a working day is any day other than a
  Saturday, a Sunday, Christmas Day, Good Friday or a day which is a bank holiday under the
  Banking and Financial Dealings Act 1971 *in any part of the United Kingdom*. So St Patrick's
  Day (Northern Ireland only) and St Andrew's Day (Scotland only) stop an English authority's
  clock too. That is the union of the nations' lists.
- FOISA s73: any day other than a Saturday, a Sunday, Christmas Day or a bank holiday in
  Scotland. Scottish list only.
- Subject access (ICO method): a deadline that falls on a weekend or a public holiday moves to
  the next working day, in the controller's own part of the UK.

The `holidays` package supplies the gov.uk bank-holiday lists per nation (including the one-off
days proclaimed under the 1971 Act: 3 June 2022, 19 September 2022, 8 May 2023, Scotland's
15 June 2026). Its UK calendar *without* a subdivision holds only the days common to every
nation (the intersection), so the union is built here from ENG, WLS, SCT and NIR explicitly.

Office closure ("privilege") days are never non-working days for the statutes (ICO LTT47).
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

import holidays

from intake.regime import Jurisdiction, Regime

__all__ = [
    "CalendarScope",
    "Nation",
    "SkippedDay",
    "WorkingCalendar",
    "format_date",
]


class Nation(StrEnum):
    """A part of the UK with its own bank-holiday list (England and Wales never differ)."""

    ENGLAND = "England"
    WALES = "Wales"
    SCOTLAND = "Scotland"
    NORTHERN_IRELAND = "Northern Ireland"


_SUBDIVISION = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}
_NATION_ORDER = tuple(Nation)


class CalendarScope(StrEnum):
    """Whose bank holidays stop the clock."""

    UK = "uk"  # union of all four lists: FOIA s10(6), EIR reg 2(1)
    SCOTLAND = "scotland"  # FOISA s73; also a Scottish controller's subject access
    ENGLAND_AND_WALES = "england-and-wales"  # subject access only
    NORTHERN_IRELAND = "northern-ireland"  # subject access only

    @property
    def nations(self) -> tuple[Nation, ...]:
        return _SCOPE_NATIONS[self]

    @property
    def label(self) -> str:
        return _SCOPE_LABELS[self]


_SCOPE_NATIONS: dict[CalendarScope, tuple[Nation, ...]] = {
    CalendarScope.UK: _NATION_ORDER,
    CalendarScope.SCOTLAND: (Nation.SCOTLAND,),
    CalendarScope.ENGLAND_AND_WALES: (Nation.ENGLAND, Nation.WALES),
    CalendarScope.NORTHERN_IRELAND: (Nation.NORTHERN_IRELAND,),
}
_SCOPE_LABELS = {
    CalendarScope.UK: "any part of the UK",
    CalendarScope.SCOTLAND: "Scotland",
    CalendarScope.ENGLAND_AND_WALES: "England and Wales",
    CalendarScope.NORTHERN_IRELAND: "Northern Ireland",
}
_JURISDICTION_SCOPE = {
    Jurisdiction.ENGLAND_AND_WALES: CalendarScope.ENGLAND_AND_WALES,
    Jurisdiction.SCOTLAND: CalendarScope.SCOTLAND,
    Jurisdiction.NORTHERN_IRELAND: CalendarScope.NORTHERN_IRELAND,
}


@dataclass(frozen=True, slots=True)
class SkippedDay:
    """A day the clock did not count, and why (shown to staff as the working)."""

    date: dt.date
    reason: str


# gov.uk's names for the days, so the working reads like the list staff can check it against.
_GOVUK_NAMES = {
    "New Year Holiday": "2nd January",
    "May Day": "Early May bank holiday",
    "Spring Bank Holiday": "Spring bank holiday",
    "Late Summer Bank Holiday": "Summer bank holiday",
    "Summer Bank Holiday": "Summer bank holiday",
    "Saint Andrew's Day": "St Andrew's Day",
    "Saint Patrick's Day": "St Patrick's Day",
    "Platinum Jubilee of Elizabeth II": "Platinum Jubilee bank holiday",
    "State Funeral of Queen Elizabeth II": (
        "Bank holiday for the State Funeral of Queen Elizabeth II"
    ),
    "Coronation of Charles III": "Bank holiday for the coronation of King Charles III",
}
_OBSERVED = " (observed)"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# The holidays package and the 1971 Act both give out long before date.max; past this the
# answer would be a guess, so refuse instead.
MIN_YEAR = 1972
MAX_YEAR = 2199
_WINDOW_BEFORE = 3
_WINDOW_AFTER = 12


_FORMATTED: dict[dt.date, str] = {}  # a few thousand distinct dates at most; saves the bench


def format_date(d: dt.date) -> str:
    """'Friday 2 February 2024': unambiguous for staff on both sides of the Atlantic."""
    text = _FORMATTED.get(d)
    if text is None:
        text = _FORMATTED[d] = f"{_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month]} {d.year}"
    return text


def _display_name(raw: str) -> str:
    if raw.endswith(_OBSERVED):
        base = raw[: -len(_OBSERVED)]
        return f"Substitute day for {_GOVUK_NAMES.get(base, base)}"
    return _GOVUK_NAMES.get(raw, raw)


def _parts(nations: set[Nation]) -> str:
    if len(nations) == len(_NATION_ORDER):
        return "all parts of the UK"
    names = [n.value for n in _NATION_ORDER if n in nations]
    if Nation.ENGLAND in nations and Nation.WALES in nations:
        names[0:2] = ["England and Wales"]
    return ", ".join(names)


@dataclass(frozen=True, slots=True)
class _Table:
    """An immutable snapshot of one scope's calendar over a range of years.

    `cum[i]` counts working days in [base, base + i]; `wd` lists working-day ordinals. With these
    adding n working days or counting them between two dates is O(1), whatever n is.
    """

    first_year: int
    last_year: int
    base: int  # ordinal of 1 January first_year
    end: int  # ordinal of 31 December last_year
    cum: list[int]
    wd: list[int]
    nw: list[int]  # ordinals of non-working days, sorted
    nw_days: list[SkippedDay]  # same order as nw
    reasons: dict[int, str]


class WorkingCalendar:
    """Working days for one scope (see `CalendarScope`), with the reason each day is skipped.

    Get instances through `for_regime` / `for_scope`: they are shared and cache their tables.
    """

    _instances: ClassVar[dict[CalendarScope, WorkingCalendar]] = {}
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, scope: CalendarScope) -> None:
        self.scope = scope
        self._lock = threading.Lock()
        self._table: _Table | None = None

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.scope.value!r})"

    # ---- construction -------------------------------------------------------------------

    @classmethod
    def for_scope(cls, scope: CalendarScope) -> WorkingCalendar:
        calendar = cls._instances.get(scope)
        if calendar is None:
            with cls._instances_lock:
                calendar = cls._instances.setdefault(scope, cls(scope))
        return calendar

    @classmethod
    def for_regime(
        cls, regime: Regime, jurisdiction: Jurisdiction = Jurisdiction.ENGLAND_AND_WALES
    ) -> WorkingCalendar:
        key = (regime, jurisdiction)
        calendar = _BY_REGIME.get(key)
        if calendar is None:
            calendar = _BY_REGIME[key] = cls.for_scope(scope_for(regime, jurisdiction))
        return calendar

    # ---- queries ------------------------------------------------------------------------

    def is_working_day(self, d: dt.date) -> bool:
        o = d.toordinal()
        t = self._covering(o, o)
        i = o - t.base
        return t.cum[i] - (t.cum[i - 1] if i else 0) == 1

    def reason(self, d: dt.date) -> str | None:
        """Why `d` is not a working day ('Saturday', 'Good Friday', ...), or None if it is one."""
        o = d.toordinal()
        return self._covering(o, o).reasons.get(o)

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after `d` (n > 0), before it (n < 0), or `d` itself (n == 0).

        `d` need not be a working day: the count starts with the first working day after it,
        which is how the ICO counts a request received at a weekend.
        """
        if n == 0:
            return d
        o = d.toordinal()
        # n working days never span more than 2n + 14 calendar days (the longest UK run of
        # non-working days is five), so the answer lies inside a table covering that.
        span = abs(n) * 2 + 14
        lo, hi = (o, o + span) if n > 0 else (o - span, o)
        t = self._table
        if t is None or lo < t.base or hi > t.end:
            t = self._covering(lo, hi)
        i = o - t.base
        if n > 0:
            return dt.date.fromordinal(t.wd[t.cum[i] + n - 1])
        before = t.cum[i - 1] if i else 0  # working days strictly before d
        return dt.date.fromordinal(t.wd[before + n])

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]: after `a`, up to and including `b`. Negative if b < a."""
        if b < a:
            return -self.working_days_between(b, a)
        oa, ob = a.toordinal(), b.toordinal()
        t = self._covering(oa, ob)
        return t.cum[ob - t.base] - t.cum[oa - t.base]

    def working_days_in(self, a: dt.date, b: dt.date) -> list[dt.date]:
        """The working days in (a, b]: after `a`, up to and including `b`."""
        oa, ob = a.toordinal(), b.toordinal()
        if ob <= oa:
            return []
        t = self._covering(oa, ob)
        fromordinal = dt.date.fromordinal
        return [fromordinal(o) for o in t.wd[t.cum[oa - t.base] : t.cum[ob - t.base]]]

    def next_working_day(self, d: dt.date) -> dt.date:
        """`d` if it is a working day, else the first working day after it."""
        return self.add_working_days(d - dt.timedelta(days=1), 1)

    def skipped_between(self, a: dt.date, b: dt.date) -> tuple[SkippedDay, ...]:
        """The non-working days in (a, b], each with its reason."""
        oa, ob = a.toordinal(), b.toordinal()
        if ob <= oa:
            return ()
        t = self._covering(oa, ob)
        return tuple(t.nw_days[bisect_right(t.nw, oa) : bisect_right(t.nw, ob)])

    def non_working_days(self, year: int) -> tuple[SkippedDay, ...]:
        """Every non-working day of a calendar year (weekends included)."""
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        t = self._covering(first, last)
        return tuple(t.nw_days[bisect_left(t.nw, first) : bisect_right(t.nw, last)])

    # ---- the tables ---------------------------------------------------------------------

    def _covering(self, lo: int, hi: int) -> _Table:
        t = self._table
        if t is not None and t.base <= lo and hi <= t.end:
            return t
        with self._lock:
            t = self._table
            if t is not None and t.base <= lo and hi <= t.end:
                return t
            lo_year = dt.date.fromordinal(max(lo, 1)).year - _WINDOW_BEFORE
            hi_year = dt.date.fromordinal(min(hi, dt.date.max.toordinal())).year + _WINDOW_AFTER
            if t is not None:
                lo_year, hi_year = min(lo_year, t.first_year), max(hi_year, t.last_year)
            lo_year, hi_year = max(lo_year, MIN_YEAR), min(hi_year, MAX_YEAR)
            t = self._build(lo_year, hi_year)
            if not (t.base <= lo and hi <= t.end):
                raise ValueError(
                    f"dates outside {MIN_YEAR}-{MAX_YEAR} are not supported by the bank-holiday "
                    "calendar"
                )
            self._table = t
            return t

    def _build(self, first_year: int, last_year: int) -> _Table:
        years = range(first_year, last_year + 1)
        names: dict[int, dict[str, set[Nation]]] = {}
        for nation in self.scope.nations:
            # One list per nation: the package's UK default without a subdivision is only the
            # days common to all nations, which would miss St Patrick's Day and the like.
            per_nation = holidays.country_holidays("GB", subdiv=_SUBDIVISION[nation], years=years)
            for day, label in per_nation.items():
                for raw in label.split("; "):
                    names.setdefault(day.toordinal(), {}).setdefault(raw, set()).add(nation)

        base = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal()
        cum: list[int] = []
        wd: list[int] = []
        nw: list[int] = []
        nw_days: list[SkippedDay] = []
        reasons: dict[int, str] = {}
        count = 0
        for o in range(base, end + 1):
            d = dt.date.fromordinal(o)
            why = self._why(d, names.get(o))
            if why is None:
                count += 1
                wd.append(o)
            else:
                reasons[o] = why
                nw.append(o)
                nw_days.append(SkippedDay(d, why))
            cum.append(count)
        return _Table(first_year, last_year, base, end, cum, wd, nw, nw_days, reasons)

    def _why(self, d: dt.date, names: dict[str, set[Nation]] | None) -> str | None:
        weekday = d.weekday()
        # Christmas Day and Good Friday are named in FOIA s10(6) in their own right (in England,
        # Wales and NI they are common-law holidays, not 1971 Act bank holidays); FOISA s73
        # names Christmas Day. Christmas Day is added even if the package ever dropped it.
        christmas = d.month == 12 and d.day == 25
        if weekday < 5:
            if christmas:
                return "Christmas Day"
            if not names:
                return None
            if "Good Friday" in names:
                return "Good Friday"
            return self._label(names)
        day = _WEEKDAYS[weekday]
        if christmas:
            return f"{day}, Christmas Day"
        if names:
            return f"{day}, {self._label(names)}"
        return day

    def _label(self, names: dict[str, set[Nation]]) -> str:
        return "; ".join(
            f"{_display_name(raw)} ({_parts(nations)})" for raw, nations in names.items()
        )


_BY_REGIME: dict[tuple[Regime, Jurisdiction], WorkingCalendar] = {}


def scope_for(regime: Regime, jurisdiction: Jurisdiction) -> CalendarScope:
    """The calendar a regime's clock runs on."""
    if regime in (Regime.FOISA, Regime.FOISA_REVIEW):
        return CalendarScope.SCOTLAND  # FOISA s73: Scottish bank holidays only
    if regime is Regime.SAR:
        # ICO: a deadline on a weekend or public holiday moves to the next working day; the
        # holidays are the controller's own, so they follow where the authority is.
        return _JURISDICTION_SCOPE[jurisdiction]
    # FOIA s10(6), EIR reg 2(1); internal reviews of FOI/EIR requests count the same days.
    return CalendarScope.UK
