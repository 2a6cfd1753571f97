"""foibot's whole service with Slack switched on, against a fake Slack Web API and a capture
relay: requests go over real HTTP to the Bolt app, signed as Slack signs them."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import json
import threading
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, col, select

from bot.service import Service, start_service
from config.settings import Settings, load_settings
from intake.models import Case, CaseEvent, Outbox
from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import FakeSlack
from tests.conftest import free_port

T = TypeVar("T")

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
INTAKE = "CINTAKE"
STAFF = "CSTAFF"
APPROVER = "UAPPROVER"
GROUP_APPROVER = "UGROUPAPPROVER"
OFFICER = "UOFFICER"
REQUESTER = "UREQUESTER"
STRANGER = "USTRANGER"
GROUP = "SAPPROVERS"

FOI_TEXT = (
    "Dear council,\n\nUnder the Freedom of Information Act 2000 please send me the number of "
    "potholes reported in each of the last three financial years, and how many were repaired "
    "within 28 days.\n\nYours faithfully,\nJo Bloggs"
)


class Relay:
    """The organisation's mail relay: an aiosmtpd server that keeps what it gets."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]


class Harness:
    def __init__(self, service: Service, fake: FakeSlack, relay: Relay) -> None:
        self.service = service
        self.fake = fake
        self.relay = relay
        self.settings = service.settings
        assert service.slack is not None
        self.url = f"http://127.0.0.1:{service.slack.port}/slack/events"
        self.http = aiohttp.ClientSession()

    async def close(self) -> None:
        await self.http.close()

    # -- requests, signed as Slack signs them -------------------------------------------------

    async def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        signed = payloads.signed_headers(secret, body, content_type, timestamp)
        async with self.http.post(self.url, data=body, headers={**signed, **(headers or {})}) as r:
            return r.status, await r.text()

    async def event(
        self, event: dict[str, Any], event_id: str | None = None, retry: int = 0
    ) -> tuple[int, str]:
        body = json.dumps(payloads.event_callback(event, event_id)).encode()
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.send(body, "application/json", headers=extra if retry else None)

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.send(
            payloads.as_form_payload(payload), "application/x-www-form-urlencoded"
        )

    async def command(self, text: str, user: str = OFFICER) -> tuple[int, Any]:
        from urllib.parse import urlencode

        body = urlencode(payloads.slash_command(text, user)).encode()
        status, reply = await self.send(body, "application/x-www-form-urlencoded")
        return status, json.loads(reply) if reply.startswith("{") else reply

    async def click(
        self,
        user: str,
        message: dict[str, Any],
        action_id: str,
        channel: str = STAFF,
        **choice: Any,
    ) -> tuple[int, str]:
        """Click the element `action_id` in a message foibot posted (its recorded args)."""
        element, block_id = find_element(message.get("blocks", []), action_id)
        action = {
            "type": element["type"],
            "action_id": action_id,
            "block_id": block_id,
            **({"value": element["value"]} if "value" in element else {}),
            **({"text": element["text"]} if "text" in element else {}),
            **choice,
        }
        return await self.interact(payloads.block_actions(user, action, channel, message))

    async def submit(
        self, user: str, view: dict[str, Any], values: dict[str, dict[str, Any]]
    ) -> tuple[int, str]:
        return await self.interact(
            payloads.view_submission(user, payloads.opened_view(view, values))
        )

    # -- what happened -------------------------------------------------------------------------

    async def db(self, work: Callable[[Session], T]) -> T:
        return await self.service.db.run(work)

    async def cases(self) -> list[Case]:
        return await self.db(lambda s: list(s.exec(select(Case).order_by(col(Case.id))).all()))

    async def case(self, case_id: int) -> Case:
        found = await self.db(lambda s: s.get(Case, case_id))
        assert found is not None
        return found

    async def events(self, case_id: int) -> list[CaseEvent]:
        return await self.db(
            lambda s: list(
                s.exec(
                    select(CaseEvent)
                    .where(CaseEvent.case_id == case_id)
                    .order_by(col(CaseEvent.id))
                ).all()
            )
        )

    async def outbox(self) -> list[Outbox]:
        return await self.db(lambda s: list(s.exec(select(Outbox).order_by(col(Outbox.id))).all()))

    async def until(self, check: Callable[[], Any], timeout: float = 10.0) -> Any:
        return await self.fake.wait_for(check, timeout)

    async def until_db(self, work: Callable[[Session], T], timeout: float = 10.0) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            result = await self.db(work)
            if result:
                return result
            await asyncio.sleep(0.05)
        raise AssertionError("the database never showed it")

    def card(self, reference: str) -> dict[str, Any]:
        """The case's card as foibot last drew it, with the channel and ts Slack gave it when
        it was posted (what a click on it refers to)."""
        posted = next(
            (c for c in self.fake.made("chat.postMessage") if is_card(c.args, reference)), None
        )
        if posted is None:
            raise AssertionError(f"no card for {reference}")
        latest = posted.args
        for call in self.fake.made("chat.update"):
            if call.args.get("ts") == posted.response["ts"]:
                latest = call.args
        return {**latest, "channel": posted.args["channel"], "ts": posted.response["ts"]}

    async def until_card(self, reference: str, check: Callable[[dict[str, Any]], bool]) -> Any:
        def ready() -> dict[str, Any] | None:
            try:
                card = self.card(reference)
            except AssertionError:
                return None
            return card if check(card) else None

        return await self.until(ready)


def is_card(args: dict[str, Any], reference: str) -> bool:
    blocks = args.get("blocks") or []
    title = str(blocks[0].get("text", {}).get("text", "")) if blocks else ""
    return title.startswith(reference) and args.get("channel") == STAFF


def find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[dict[str, Any], str]:
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return element, block["block_id"]
    raise AssertionError(f"no element {action_id} in the message")


def slack_settings(
    database_url: str, tmp_path: Path, fake: FakeSlack, relay: Relay, **slack: Any
) -> Settings:
    base = load_settings(env={})
    return dataclasses.replace(
        base,
        smtp=dataclasses.replace(base.smtp, port=free_port(), mailboxes=("foi@council.example",)),
        database=dataclasses.replace(base.database, url=database_url),
        outbound=dataclasses.replace(
            base.outbound,
            relay_host="127.0.0.1",
            relay_port=relay.port,
            maildir=str(tmp_path / "outbox"),
            from_address="foi@council.example",
            retry_base_seconds=0.2,
            retry_max_seconds=0.5,
        ),
        authority=dataclasses.replace(
            base.authority, email="foi@council.example", name="Borsetshire County Council"
        ),
        references=dataclasses.replace(base.references, secret="test-secret"),
        slack=dataclasses.replace(
            base.slack,
            bot_token="xoxb-test-token",
            signing_secret=SECRET,
            host="127.0.0.1",
            port=free_port(),
            api_url=fake.api_url,
            intake_channel=INTAKE,
            staff_channel=STAFF,
            approvers=(APPROVER,),
            approver_group=GROUP,
            **slack,
        ),
    )


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(port=free_port())
    fake.add_user(REQUESTER, "Jo Bloggs", "jo.bloggs@example.org")
    fake.add_user(OFFICER, "Sam Officer", "sam@council.example")
    fake.add_user(APPROVER, "Alex Approver", "alex@council.example")
    fake.add_user(GROUP_APPROVER, "Gita Group", "gita@council.example")
    fake.add_user(STRANGER, "Pat Stranger", "")
    fake.groups[GROUP] = [GROUP_APPROVER]
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def relay() -> Any:
    capture = Relay()
    capture._controller.start()
    yield capture
    capture._controller.stop()


@pytest.fixture
async def slack(
    database_url: str, tmp_path: Path, fake_slack: FakeSlack, relay: Relay
) -> AsyncIterator[Harness]:
    service = await start_service(slack_settings(database_url, tmp_path, fake_slack, relay))
    harness = Harness(service, fake_slack, relay)
    try:
        yield harness
    finally:
        await harness.close()
        await service.stop()
