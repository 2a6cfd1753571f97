"""Benchmark: due dates for 100,000 cases with mixed regimes and clock events.

    python bench/deadlines.py [--cases N] [--seed S]

The machine is shared and noisy, so besides the absolute time it prints a ratio against a
baseline run in the same process: the same loop over the same cases doing only a plain
`date + timedelta` per case. Target: under 1 s for 100,000 cases. Prints figures only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.calendar import CalendarScope, WorkingCalendar
from intake.clock import ClockEvent, ClockEventType, compute_deadline
from intake.regime import Jurisdiction, Regime

T = ClockEventType
Case = tuple[Regime, dt.date, tuple[ClockEvent, ...], Jurisdiction]

_WEIGHTS = {
    Regime.FOI: 45,
    Regime.EIR: 10,
    Regime.SAR: 25,
    Regime.REVIEW: 8,
    Regime.FOISA: 8,
    Regime.FOISA_REVIEW: 4,
}


def make_cases(n: int, seed: int) -> list[Case]:
    """Realistic mixes: most cases plain, some with clarification, fees, extensions, responses."""
    rng = random.Random(seed)
    regimes = list(_WEIGHTS)
    weights = list(_WEIGHTS.values())
    first = dt.date(2021, 1, 1).toordinal()
    cases: list[Case] = []
    for _ in range(n):
        regime = rng.choices(regimes, weights)[0]
        received = dt.date.fromordinal(first + rng.randrange(6 * 365))
        jurisdiction = rng.choice(list(Jurisdiction))
        events: list[ClockEvent] = []
        roll = rng.random()
        day = dt.timedelta(days=1)
        if regime in (Regime.FOI, Regime.EIR, Regime.FOISA):
            if roll < 0.15:
                asked = received + day * rng.randrange(1, 10)
                events += [
                    ClockEvent(T.CLARIFICATION_REQUESTED, asked),
                    ClockEvent(T.CLARIFICATION_RECEIVED, asked + day * rng.randrange(0, 30)),
                ]
            elif roll < 0.25:
                notice = received + day * rng.randrange(1, 15)
                events += [
                    ClockEvent(T.FEE_NOTICE_ISSUED, notice),
                    ClockEvent(T.FEE_PAID, notice + day * rng.randrange(0, 40)),
                ]
            elif roll < 0.35 and regime is not Regime.FOISA:
                amount = None if regime is Regime.EIR else rng.randrange(1, 21)
                events.append(ClockEvent(T.EXTENSION, received + day * 10, amount))
        elif regime is Regime.SAR:
            if roll < 0.15:
                events.append(ClockEvent(T.ID_VERIFIED, received + day * rng.randrange(0, 20)))
            elif roll < 0.25:
                asked = received + day * rng.randrange(1, 10)
                events += [
                    ClockEvent(T.CLARIFICATION_REQUESTED, asked),
                    ClockEvent(T.CLARIFICATION_RECEIVED, asked + day * rng.randrange(0, 20)),
                ]
            elif roll < 0.35:
                events.append(ClockEvent(T.EXTENSION, received + day * 5, rng.choice((1, 2))))
        elif regime is Regime.REVIEW and roll < 0.2:
            events.append(ClockEvent(T.EXTENSION, received + day * 5, None))
        if rng.random() < 0.3:
            last = max((e.on for e in events), default=received)
            events.append(ClockEvent(T.RESPONSE_ISSUED, last + day * rng.randrange(1, 40)))
        cases.append((regime, received, tuple(events), jurisdiction))
    return cases


def timed(label: str, fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260315)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args(argv)

    cases = make_cases(args.cases, args.seed)

    def warm() -> None:
        # Holiday tables are built once per scope, on first use; time that on its own.
        for scope in CalendarScope:
            WorkingCalendar.for_scope(scope).is_working_day(dt.date(2021, 1, 1))
            WorkingCalendar.for_scope(scope).is_working_day(dt.date(2027, 12, 31))

    def engine() -> None:
        for regime, received, events, jurisdiction in cases:
            compute_deadline(regime, received, events, jurisdiction)

    four_weeks = dt.timedelta(days=28)

    def baseline() -> None:
        for _regime, received, _events, _jurisdiction in cases:
            received + four_weeks

    build = timed("calendar build", warm)
    engine_time = min(timed("engine", engine) for _ in range(args.repeat))
    base_time = min(timed("baseline", baseline) for _ in range(args.repeat))
    n = len(cases)
    with_events = sum(1 for c in cases if c[2])
    print(f"cases: {n:,} ({with_events:,} with events), best of {args.repeat} runs")
    print(f"calendar build (once per process): {build * 1000:.1f} ms")
    print(f"engine total: {engine_time:.3f} s  ({engine_time / n * 1e6:.2f} us per case)")
    print(f"baseline total (date + timedelta): {base_time:.3f} s")
    print(f"ratio engine / baseline: {engine_time / base_time:.0f}x")
    print(f"target < 1 s total: {'met' if engine_time < 1.0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
