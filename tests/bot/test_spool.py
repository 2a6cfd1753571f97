"""The spool commits accepted mail before its 250, and tells processing when mail is arriving in
a burst (processing then waits, so the SMTP replies get the process)."""

from __future__ import annotations

import asyncio

from bot.database import Database
from bot.spool import BURST_RATE, BURST_WINDOW, Spool


def _raw(i: int) -> bytes:
    return (
        f"From: r{i}@example.org\r\nTo: foi@council.example\r\nSubject: Request {i}\r\n"
        f"Message-ID: <s{i}@example.org>\r\n\r\nPlease send me the budget.\r\n"
    ).encode()


async def _spool(db: Database) -> tuple[Spool, list[int]]:
    committed: list[int] = []
    spool = Spool(db, on_committed=committed.extend)
    spool.start()
    return spool, committed


def test_mail_at_an_everyday_rate_never_holds_processing_back(db: Database) -> None:
    async def scenario() -> tuple[bool, list[int]]:
        spool, committed = await _spool(db)
        try:
            for i in range(3):
                await spool.store(f"r{i}@example.org", ["foi@council.example"], _raw(i))
            # A few messages just committed are no burst: processing may start at once.
            idle = await asyncio.wait_for(spool.wait_idle(longest=5.0), 1.0)
            return idle, committed
        finally:
            await spool.stop()

    idle, committed = asyncio.run(scenario())
    assert idle is True
    assert len(committed) == 3


def test_a_burst_holds_processing_back_until_it_ends_or_the_bound(db: Database) -> None:
    burst = int(BURST_RATE * BURST_WINDOW) + 5  # more than a burst's worth, all at once

    async def scenario() -> tuple[bool, bool]:
        spool, _ = await _spool(db)
        try:
            await asyncio.gather(
                *(
                    spool.store(f"r{i}@example.org", ["foi@council.example"], _raw(i))
                    for i in range(burst)
                )
            )
            # Straight after the burst: processing waits, and gives up only at the bound.
            during = await spool.wait_idle(longest=0.0)
            # Once nothing more arrives for the burst window, it stops waiting.
            await asyncio.sleep(BURST_WINDOW * 1.5)
            after = await spool.wait_idle(longest=0.0)
            return during, after
        finally:
            await spool.stop()

    during, after = asyncio.run(scenario())
    assert during is False
    assert after is True
