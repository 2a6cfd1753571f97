"""Benchmark: one reminder sweep over 100,000 open cases on SQLite.

    python bench/reminders.py [--cases N] [--seed S] [--send N]

Builds a SQLite database with N open cases (bulk inserts): most running with due dates spread
over the next twelve weeks, some overdue, some waiting for clarification or a fee (with their
clock events), some drafts awaiting approval. Then, at Thu 13 March 2025 10:00 London, times:

- baseline: a plain indexed SELECT of the same candidate rows the sweep reads (running cases
  due within the reminder horizon, and cases with a stopped clock), nothing else;
- the sweep (bot.reminders.read_plan, as the scheduler runs it: intake.reminders.plan_reminders
  in a read transaction): those reads, the rules for every case, and the lookup of what has
  been sent; first with nothing recorded, then in the steady state where every milestone due
  has been recorded (what runs every minute);
- sending --send milestones through bot.reminders.send_planned (letters rendered, outbox rows).

The machine is shared and noisy: each figure is the best of three, and the sweep is also given
as a ratio against the baseline run in the same process. Target: sweep under 1 s. Prints
figures only.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from sqlmodel import SQLModel, col

from bot.database import Database, migrate
from bot.reminders import read_plan, send_planned
from config.settings import load_settings
from intake.calendar import WorkingCalendar
from intake.models import OPEN_STATUSES, Case, CaseStatus
from intake.regime import Regime
from intake.reminder_records import ReminderRecord
from intake.reminders import ReminderPolicy

NOW = datetime(2025, 3, 13, 10, 0, tzinfo=UTC)  # Thu 13 March 2025, 10:00 GMT
TODAY = NOW.date()
POLICY = ReminderPolicy()
BATCH = 5000


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def best_of(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def build(db: Database, n: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    uk = WorkingCalendar.for_regime(Regime.FOI)
    regimes = [Regime.FOI] * 6 + [Regime.EIR, Regime.SAR, Regime.REVIEW, Regime.FOISA]
    counts = dict.fromkeys(("running", "overdue", "clarification", "fee", "approval"), 0)
    cases: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    created = NOW - timedelta(days=30)
    for i in range(1, n + 1):
        regime = rng.choice(regimes)
        roll = rng.random()
        status, due, stopped = CaseStatus.OPEN, None, False
        clock: dict[str, str] | None = None
        if roll < 0.05:  # overdue by up to 20 working days
            due = uk.add_working_days(TODAY, -rng.randint(1, 20))
            counts["overdue"] += 1
        elif roll < 0.10 and regime is not Regime.REVIEW and regime is not Regime.SAR:
            status, stopped = CaseStatus.AWAITING_CLARIFICATION, True
            asked = TODAY - timedelta(days=rng.randint(1, 120))
            clock = {"type": "clarification_requested", "on": asked.isoformat()}
            counts["clarification"] += 1
        elif roll < 0.13 and regime in (Regime.FOI, Regime.FOISA):
            status, stopped = CaseStatus.AWAITING_FEE, True
            notice = TODAY - timedelta(days=rng.randint(1, 120))
            clock = {"type": "fee_notice_issued", "on": notice.isoformat()}
            counts["fee"] += 1
        else:  # running, due over the next twelve weeks
            due = uk.add_working_days(TODAY, rng.randint(0, 60))
            if roll < 0.15:
                status = CaseStatus.AWAITING_APPROVAL
                counts["approval"] += 1
            else:
                counts["running"] += 1
        received = TODAY - timedelta(days=200) if clock else TODAY - timedelta(days=10)
        cases.append(
            {
                "id": i,
                "number": 100000 + i,
                "reference": f"IC-{100000 + i}-BNCH",
                "regime": regime.value,
                "label": regime.value,
                "confidence": 1.0,
                "classification": {},
                "flags": [],
                "needs_triage": False,
                "channel": "email",
                "requester_name": f"Requester {i}",
                "requester_email": f"r{i}@example.org",
                "requester_address": "",
                "received_at": created,
                "received_on": received,
                "subject": f"Request {i}",
                "text": "Please send me the minutes of the last meeting.",
                "status": status.value,
                "due": due,
                "clock_stopped": stopped,
                "assignee": rng.choice(["", "U0ALICE", "U0BOB"]),
                "parent_id": None,
                "outcome": "",
                "closed_at": None,
                "created_at": created,
                "updated_at": created,
            }
        )
        if clock is not None:
            events.append(
                {"case_id": i, "at": created, "actor": "bench", "kind": "clock", "detail": clock}
            )
    with db.engine.begin() as conn:
        for start in range(0, len(cases), BATCH):
            conn.execute(sa.insert(_table("case")), cases[start : start + BATCH])
        for start in range(0, len(events), BATCH):
            conn.execute(sa.insert(_table("case_event")), events[start : start + BATCH])
    return counts


def baseline(db: Database, horizon: date) -> int:
    """The same candidate rows, read through the same index, with nothing done to them."""
    columns = (
        col(Case.id),
        col(Case.reference),
        col(Case.regime),
        col(Case.status),
        col(Case.due),
        col(Case.clock_stopped),
        col(Case.assignee),
        col(Case.received_on),
    )
    stopped = [CaseStatus.AWAITING_CLARIFICATION.value, CaseStatus.AWAITING_FEE.value]
    with db.engine.connect() as conn:
        running = conn.execute(
            sa.select(*columns).where(
                col(Case.status).in_(OPEN_STATUSES),
                col(Case.due) <= horizon,
                col(Case.clock_stopped).is_(False),
            )
        ).all()
        waiting = conn.execute(sa.select(*columns).where(col(Case.status).in_(stopped))).all()
    return len(running) + len(waiting)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--send", type=int, default=1000, help="milestones to send (timed)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="foibot-bench-")
    db = Database(f"sqlite:///{folder}/bench.sqlite3")
    migrate(db.engine)
    start = time.perf_counter()
    counts = build(db, args.cases, args.seed)
    built = time.perf_counter() - start
    summary = ", ".join(f"{v:,} {k}" for k, v in counts.items())
    print(f"built {args.cases:,} open cases in {built:.1f} s ({summary})")

    # The horizon the sweep itself uses: 5 working days (the largest offset) on any calendar.
    horizon = max(
        WorkingCalendar.for_regime(r).add_working_days(TODAY, max(POLICY.offsets))
        for r in (Regime.FOI, Regime.FOISA, Regime.SAR)
    )
    with db.engine.connect() as conn:
        sql = (
            'SELECT id FROM "case" WHERE status IN (?, ?, ?, ?) AND due <= ? AND clock_stopped IS 0'
        )
        plan = conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {sql}", (*OPEN_STATUSES, horizon.isoformat())
        ).all()
    print("query plan: " + "; ".join(str(row[-1]) for row in plan))

    base_s, rows = best_of(3, lambda: baseline(db, horizon))
    print(f"baseline: indexed SELECT of the {rows:,} candidate rows: {base_s * 1000:.0f} ms")

    first_s, first = best_of(3, lambda: read_plan(db, POLICY, NOW))
    due = len(first.pending)
    print(
        f"sweep, nothing sent yet: {due:,} milestones due in {first_s * 1000:.0f} ms "
        f"({first_s / base_s:.1f}x baseline)"
    )

    # Steady state: everything due has been recorded (as after the first sweep's sends).
    records = [
        {
            "case_id": p.milestone.case_id,
            "milestone": p.milestone.key,
            "kind": p.milestone.kind.value,
            "due": p.milestone.due,
            "sent_at": NOW,
            "detail": {},
        }
        for p in first.pending
    ]
    with db.engine.begin() as conn:
        for start in range(0, len(records), BATCH):
            conn.execute(sa.insert(_table("reminder_record")), records[start : start + BATCH])
    steady_s, steady = best_of(3, lambda: read_plan(db, POLICY, NOW + timedelta(minutes=1)))
    print(
        f"sweep, steady state (every minute): {len(steady.pending)} due, "
        f"{len(steady.already_sent):,} already sent, in {steady_s * 1000:.0f} ms "
        f"({steady_s / base_s:.1f}x baseline)"
    )

    # Sending: drop the bench records for a sample and send it for real (email-only).
    sample = [p for p in first.pending if p.case is not None][: args.send]
    with db.engine.begin() as conn:
        conn.execute(
            sa.delete(_table("reminder_record")).where(
                col(ReminderRecord.case_id).in_([p.milestone.case_id for p in sample])
            )
        )
    base = load_settings(env={})
    settings = dataclasses.replace(base, database=dataclasses.replace(base.database, url=db.url))
    start = time.perf_counter()
    sent = 0
    for i in range(0, len(sample), 100):
        chunk = sample[i : i + 100]
        outcomes = db.transact(
            functools.partial(send_planned, items=chunk, settings=settings, now=NOW)
        )
        sent += sum(1 for o in outcomes if o.routes)
    send_s = time.perf_counter() - start
    per = send_s / max(1, len(sample)) * 1000
    print(
        f"send: {sent:,} of {len(sample):,} milestones queued in {send_s:.2f} s ({per:.2f} ms each)"
    )
    target = "under" if first_s < 1.0 and steady_s < 1.0 else "OVER"
    print(f"target 1 s per sweep: {target} (first {first_s:.3f} s, steady {steady_s:.3f} s)")
    db.close()


if __name__ == "__main__":
    main()
