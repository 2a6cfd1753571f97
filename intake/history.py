"""Recent requests, for spotting repeats and round robins without re-reading every case.

Repeated requests (FOIA s14(2)) and aggregation for the cost limit (Fees Regulations 2004
reg 5(2)) look back 60 working days, about 12 calendar weeks; a round-robin campaign arrives
within days. The history holds requests received in the look-back window, reads only cases it
has not seen (by id, so several foibot instances sharing PostgreSQL see each other's cases),
and keeps only the first part of each text, which is where a request says what it wants.

Every new request is compared with all the others, so the history keeps them indexed by
sender and in an intake.similarity.RequestIndex, which prepares each once and lets
find_round_robins look at a few groups of them rather than at every one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from intake.models import Case
from intake.similarity import Indexed, PriorRequest, RequestIndex, omit

# 60 working days is at most 12 weeks plus bank holidays: 90 calendar days covers it.
LOOKBACK = timedelta(days=90)
SNIPPET = 1500  # characters of each request kept for comparison


@dataclass(frozen=True)
class Recent:
    case_id: int
    received_at: datetime
    request: PriorRequest


class History:
    def __init__(self, lookback: timedelta = LOOKBACK) -> None:
        self.lookback = lookback
        self._items: list[Recent] = []
        self._by_sender: dict[str, list[int]] = {}  # sender -> positions in _items, ascending
        self._index = RequestIndex()  # the same requests, in the same order
        self._last_id = 0

    def refresh(self, session: Session, now: datetime) -> None:
        """Read cases opened since the last refresh; forget ones older than the look-back."""
        since = now - self.lookback
        rows = session.execute(
            select(
                col(Case.id),
                col(Case.received_at),
                col(Case.reference),
                col(Case.requester_email),
                col(Case.subject),
                func.substr(Case.text, 1, SNIPPET),
            )
            .where(
                col(Case.id) > self._last_id, col(Case.received_at) >= since, col(Case.regime) != ""
            )
            .order_by(col(Case.id))
        ).all()
        for case_id, received_at, reference, sender, subject, text in rows:
            assert case_id is not None
            self._append(
                Recent(
                    case_id,
                    received_at,
                    PriorRequest(
                        reference=reference, sender=sender, subject=subject, text=text or ""
                    ),
                )
            )
            self._last_id = max(self._last_id, case_id)
        if self._items and self._items[0].received_at < since:
            self._forget([i for i, item in enumerate(self._items) if item.received_at < since])

    def add(self, case: Case) -> None:
        """Remember a case opened in this process at once (same transaction batch)."""
        if case.id is None or not case.regime:
            return
        self._append(
            Recent(
                case.id,
                case.received_at,
                PriorRequest(
                    reference=case.reference,
                    sender=case.requester_email,
                    subject=case.subject,
                    text=case.text[:SNIPPET],
                ),
            )
        )
        self._last_id = max(self._last_id, case.id)

    def of_sender(self, sender: str) -> list[Recent]:
        return [self._items[i] for i in self._by_sender.get(sender, ())]

    def others_than(self, sender: str) -> Indexed:
        """Everyone else's requests, oldest first, as find_round_robins searches them fastest."""
        return self._index.without(self._by_sender.get(sender, []))

    def _append(self, item: Recent) -> None:
        self._by_sender.setdefault(item.request.sender, []).append(len(self._items))
        self._items.append(item)
        self._index.add(item.request)

    def _forget(self, positions: list[int]) -> None:
        self._index.discard(positions)
        self._items = omit(self._items, positions)
        self._by_sender = {}
        for i, item in enumerate(self._items):
            self._by_sender.setdefault(item.request.sender, []).append(i)
