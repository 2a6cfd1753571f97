"""`foibot draft`: print a letter for a case, checked against FOIA s17 / EIR reg 14.

    foibot draft REF --outcome OUTCOME [options]          a stored case
    foibot draft --case case.json [--outcome OUTCOME] ... a case described in JSON, no database
    foibot draft REF --letter fees-notice --amount ...    the other letters staff send by hand

The response is the default letter. --letter also drafts the clarification request, the fees
notice (FOIA/FOISA s9, EIR reg 8 advance payment) and the extension notices (FOIA s10(3) public
interest, EIR reg 7, UK GDPR Art 12(3)): letters no other part of foibot drafts. Their dates
(the last day to pay, the new due date) come from the deadline engine, with the letter date as
the day of the notice or extension.

This is the edge: it may read today's date (the default letter date); replies/ never does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from bot.errors import UsageError
from config.exemptions import Catalogue, CatalogueError, Law, load_catalogue
from config.settings import Settings
from intake.clock import ClockEvent, ClockEventType, Deadline, compute_deadline
from intake.regime import Jurisdiction, Regime
from replies.case import CaseFacts
from replies.completeness import IncompleteLetter, Letter, LetterError, applied_exemptions, law_of
from replies.letters import LETTER_REGIMES, LetterKind, render_letter
from replies.notices import (
    ClarificationRequest,
    EirExtension,
    FeesNotice,
    PublicInterestExtension,
    SarExtension,
)
from replies.response import AppliedExemption, CostEstimate, Outcome, Response
from replies.review import review_request_by

_OUTCOMES = ", ".join(o.value for o in Outcome)
_REGIMES = ", ".join(r.value for r in Regime)

# The letters --letter drafts, besides the response.
_OTHER_LETTERS = (
    LetterKind.CLARIFICATION_REQUEST,
    LetterKind.FEES_NOTICE,
    LetterKind.PIT_EXTENSION,
    LetterKind.EIR_EXTENSION,
    LetterKind.SAR_EXTENSION,
)
_LETTERS = ", ".join([LetterKind.RESPONSE.value, *(k.value for k in _OTHER_LETTERS)])

# The appropriate limit most authorities work to: Fees Regulations 2004 reg 3(3) (£450, 18 hours
# at £25); central government and Parliament are £600 (reg 3(2)); FOISA: £600 (Fees Regulations
# 2004 (Scotland) reg 5). Staff override it with --cost-limit.
_DEFAULT_LIMIT = {
    Regime.FOI: "£450, which is 18 hours of work at £25 an hour",
    Regime.FOISA: "£600",
    Regime.EIR: "",
}

_EPILOG = """\
Everything a refusal notice must contain can be given as flags or in the case file:

  --exemption REF            an exemption relied on: s31(1)(a), s43(2), reg12(5)(e), ...
  --reason REF=TEXT          why it applies to this request (FOIA s17(1)(c))
  --pit-for [REF=]TEXT       a public interest factor for disclosure (FOIA s17(3))
  --pit-against [REF=]TEXT   a factor for maintaining the exemption
  --conclusion [REF=]TEXT    the conclusion of the public interest test
Without REF= a factor or conclusion belongs to the only qualified exemption cited.

The case file (--case) is JSON:
  {"reference": "IC-315773-L9G6", "regime": "foi", "received": "2024-06-27",
   "requester": {"name": "A Person", "email": "a@example.org"},
   "subject": "...", "text": "the request, in the requester's own words",
   "response_date": "2024-07-12",                       (optional, default today)
   "outcome": "part", "summary": "...", "explanation": "...", "where": "...",
   "previous_request": "...", "cost": {"limit": "...", "estimate": "...", "advice": "..."},
   "exemptions": [{"ref": "s31(1)(a)", "reason": "...", "pit_for": ["..."],
                   "pit_against": ["..."], "conclusion": "..."}]}
Flags add to and override the file. A refusal that lacks what the law requires is not
printed: the command exits 2 and names every missing piece.

Other letters (--letter, or "letter" in the case file), dated --response-date:
  clarification-request  --questions TEXT [--advice TEXT]   FOIA s1(3), EIR reg 9(2), ...
  fees-notice            --amount TEXT --breakdown TEXT [--how-to-pay TEXT]
                         [--schedule URL] (EIR reg 8(8))   last day to pay from the engine
  pit-extension          --exemption REF --reason REF=TEXT [--extend N working days, 20]
  eir-extension          --explanation TEXT (why complex and voluminous, reg 7(1))
  sar-extension          --explanation TEXT (the reasons) [--extend N months, 2]
In the case file: "letter", "questions", "advice", "amount", "breakdown", "how_to_pay",
"schedule", "extend", and "events" (clock events as TYPE:DATE[:N], as foibot deadline takes).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "draft",
        help="draft the response letter for a case",
        description="Print the response letter for a stored case (REF) or a JSON case file.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("reference", nargs="?", metavar="REF", help="a stored case's reference")
    parser.add_argument("--case", metavar="PATH", help="render from a JSON case file instead")
    parser.add_argument("--outcome", metavar="OUTCOME", help=f"one of {_OUTCOMES}")
    many: dict[str, Any] = {"action": "append", "default": []}
    parser.add_argument("--exemption", metavar="REF", help="exemption relied on", **many)
    parser.add_argument("--reason", metavar="REF=TEXT", help="why REF applies", **many)
    parser.add_argument("--pit-for", metavar="[REF=]TEXT", help="factor for disclosure", **many)
    parser.add_argument(
        "--pit-against", metavar="[REF=]TEXT", help="factor for withholding", **many
    )
    parser.add_argument("--conclusion", metavar="[REF=]TEXT", help="PIT conclusion", **many)
    parser.add_argument("--summary", metavar="TEXT", help="'Our response': what is provided")
    parser.add_argument(
        "--explanation", metavar="TEXT", help="not held: searches; vexatious/repeated: why"
    )
    parser.add_argument("--cost-limit", metavar="TEXT", help="cost: the appropriate limit")
    parser.add_argument("--cost-estimate", metavar="TEXT", help="cost: how we estimated it")
    parser.add_argument("--advice", metavar="TEXT", help="cost: s16 advice on narrowing")
    parser.add_argument("--where", metavar="TEXT", help="accessible: where the information is")
    parser.add_argument("--previous", metavar="TEXT", help="repeated: the earlier request")
    parser.add_argument("--response-date", metavar="YYYY-MM-DD", help="default: today")
    parser.add_argument("--letter", metavar="KIND", help=f"default response; one of {_LETTERS}")
    parser.add_argument("--questions", metavar="TEXT", help="clarification: what we need")
    parser.add_argument("--amount", metavar="TEXT", help="fees notice: the fee, e.g. £12.40")
    parser.add_argument("--breakdown", metavar="TEXT", help="fees notice: how it was worked out")
    parser.add_argument("--how-to-pay", metavar="TEXT", help="fees notice: how to pay")
    parser.add_argument("--schedule", metavar="URL", help="EIR fees: the schedule of charges")
    parser.add_argument("--extend", metavar="N", help="extension: working days (pit), months (sar)")
    parser.add_argument(
        "--exemptions", metavar="PATH", help="the authority's own exemption catalogue file"
    )
    parser.add_argument("--format", default="text", metavar="{text,html}", help="default text")
    parser.add_argument(
        "--config", metavar="PATH", help="TOML settings file (default: $FOIBOT_CONFIG)"
    )
    parser.set_defaults(handler=handle)

    def one_line_error(message: str) -> NoReturn:
        print(f"foibot draft: {message}", file=sys.stderr)
        sys.exit(2)

    setattr(parser, "error", one_line_error)  # noqa: B010 - instance override, on purpose


def handle(args: argparse.Namespace) -> int:
    try:
        print(_draft(args, today=dt.date.today()), end="")
    except UsageError as exc:
        # Printed here as well as by bot.cli.main: under `python -m bot.cli` that module is
        # __main__, so keep the one-line, exit-2 promise ourselves.
        print(f"foibot draft: {exc}", file=sys.stderr)
        return 2
    return 0


@dataclass
class _Draft:
    """What the case file and the flags say, merged (flags win)."""

    case: CaseFacts
    response_date: dt.date
    jurisdiction: Jurisdiction
    events: Sequence[ClockEvent] = ()
    outcome: str = ""
    summary: str = ""
    explanation: str = ""
    where: str = ""
    previous_request: str = ""
    cost: dict[str, str] = field(default_factory=dict)
    exemptions: list[dict[str, Any]] = field(default_factory=list)
    letter: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # the other letters' fields


def _draft(args: argparse.Namespace, today: dt.date) -> str:
    from bot.commands._common import settings_from  # the database layer only when needed

    settings = settings_from(args)
    if args.format not in ("text", "html"):
        raise UsageError(f"--format: {args.format!r} is not text or html")
    catalogue = _catalogue(args.exemptions or settings.authority.exemptions or None)
    if args.case and args.reference:
        raise UsageError("give either REF or --case, not both")
    if args.case:
        draft = _from_file(Path(args.case), settings, today)
    elif args.reference:
        draft = _from_database(args.reference, settings, today)
    else:
        raise UsageError("give a case reference (REF) or --case PATH")
    if args.response_date:
        draft.response_date = _date("--response-date", args.response_date)
    for attr, flag in (
        ("summary", args.summary),
        ("explanation", args.explanation),
        ("where", args.where),
        ("previous_request", args.previous),
    ):
        if flag is not None:
            setattr(draft, attr, flag)
    for key, flag in (
        ("limit", args.cost_limit),
        ("estimate", args.cost_estimate),
        ("advice", args.advice),
    ):
        if flag is not None:
            draft.cost[key] = flag
    for key in _EXTRA:
        flag = getattr(args, key)
        if flag is not None:
            draft.extra[key] = flag
    kind = _letter_kind(args.letter or draft.letter or LetterKind.RESPONSE.value)
    if kind is LetterKind.RESPONSE:
        response = _response(draft, args, catalogue)
        what = f"{response.outcome.value} response"
        letter: Letter = response
    else:
        letter = _other_letter(kind, draft, args, catalogue)
        what = kind.value.replace("-", " ")
    try:
        rendered = render_letter(letter, settings.authority, catalogue)
    except IncompleteLetter as exc:
        raise UsageError(
            f"cannot draft a lawful {what} for {draft.case.reference}: "
            f"missing {'; '.join(exc.missing)}"
        ) from None
    except LetterError as exc:
        raise UsageError(str(exc)) from None
    return rendered.html if args.format == "html" else rendered.text


# The other letters' fields: flag attribute = case-file key.
_EXTRA = ("questions", "amount", "breakdown", "how_to_pay", "schedule", "extend")


def _letter_kind(text: str) -> LetterKind:
    try:
        kind = LetterKind(text.strip().lower())
    except ValueError:
        kind = None
    if kind is not LetterKind.RESPONSE and kind not in _OTHER_LETTERS:
        raise UsageError(f"--letter: {text!r} is not one of {_LETTERS}")
    assert kind is not None
    return kind


def _extend(draft: _Draft, default: int, unit: str) -> int:
    text = draft.extra.get("extend", "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise UsageError(f"--extend: {text!r} is not a positive number of {unit}")
    return value


def _engine(draft: _Draft, *extra: ClockEvent) -> Deadline:
    """The deadline engine on the case's events plus this letter's own event."""
    try:
        return compute_deadline(
            draft.case.regime, draft.case.received, [*draft.events, *extra], draft.jurisdiction
        )
    except ValueError as exc:  # ClockError (a ValueError): an event the law gives no meaning to
        raise UsageError(f"{draft.case.reference}: {exc}") from None


def _other_letter(
    kind: LetterKind, draft: _Draft, args: argparse.Namespace, catalogue: Catalogue
) -> Letter:
    """A letter other than the response, with its dates from the deadline engine."""
    case, on, extra = draft.case, draft.response_date, draft.extra
    if case.regime not in LETTER_REGIMES[kind]:
        raise UsageError(f"there is no {kind.value} letter under {case.regime.law}")
    match kind:
        case LetterKind.CLARIFICATION_REQUEST:
            return ClarificationRequest(
                case, on, extra.get("questions", ""), draft.cost.get("advice", "")
            )
        case LetterKind.FEES_NOTICE:
            # FOIA s9(2) / FOISA s9(4): three months; EIR reg 8(5): 60 working days; both
            # beginning with the day of the notice, which is the day of this letter.
            deadline = _engine(draft, ClockEvent(ClockEventType.FEE_NOTICE_ISSUED, on))
            return FeesNotice(
                case,
                on,
                extra.get("amount", ""),
                extra.get("breakdown", ""),
                deadline.fee_due_by,
                how_to_pay=extra.get("how_to_pay", ""),
                schedule=extra.get("schedule", ""),
            )
        case LetterKind.PIT_EXTENSION:
            # FOIA s10(3): the estimate is the extended due date (ICO: at most 20 more days).
            days = _extend(draft, 20, "working days")
            deadline = _engine(draft, ClockEvent(ClockEventType.EXTENSION, on, days))
            applied = _response(replace(draft, outcome=Outcome.PART.value), args, catalogue)
            return PublicInterestExtension(case, on, applied.exemptions, deadline.due)
        case LetterKind.EIR_EXTENSION:
            deadline = _engine(draft, ClockEvent(ClockEventType.EXTENSION, on))  # reg 7(1): 40
            return EirExtension(case, on, deadline.due, draft.explanation)
        case _:  # SAR_EXTENSION: UK GDPR Art 12(3), up to two further months
            months = _extend(draft, 2, "months")
            deadline = _engine(draft, ClockEvent(ClockEventType.EXTENSION, on, months))
            return SarExtension(case, on, deadline.due, draft.explanation)


def _catalogue(path: str | None) -> Catalogue:
    try:
        return load_catalogue(path)
    except CatalogueError as exc:
        raise UsageError(f"--exemptions: {exc}") from None


def _date(where: str, value: object) -> dt.date:
    if not isinstance(value, str):
        raise UsageError(f"{where}: expected a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _text(where: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UsageError(f"{where}: expected a string")
    return value


def _texts(where: str, value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: expected a list of strings")
    return list(value)


def _from_file(path: Path, settings: Settings, today: dt.date) -> _Draft:
    where = f"--case {path}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{where}: not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: can't be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a JSON object")
    for key in ("reference", "regime", "received", "text"):
        if not data.get(key):
            raise UsageError(f"{where}: {key}: required")
    try:
        regime = Regime(str(data["regime"]).strip().lower())
    except ValueError:
        raise UsageError(f"{where}: regime: {data['regime']!r} is not one of {_REGIMES}") from None
    requester = data.get("requester") or {}
    if not isinstance(requester, dict):
        raise UsageError(f"{where}: requester: expected an object with name and email")
    case = CaseFacts(
        reference=_text(f"{where}: reference", data["reference"]),
        regime=regime,
        received=_date(f"{where}: received", data["received"]),
        requester_name=_text(f"{where}: requester.name", requester.get("name")),
        requester_email=_text(f"{where}: requester.email", requester.get("email")),
        subject=_text(f"{where}: subject", data.get("subject")),
        text=_text(f"{where}: text", data["text"]),
    )
    jurisdiction = settings.authority.jurisdiction
    if data.get("jurisdiction"):
        try:
            jurisdiction = Jurisdiction(str(data["jurisdiction"]))
        except ValueError:
            raise UsageError(f"{where}: jurisdiction: {data['jurisdiction']!r} unknown") from None
    cost = data.get("cost") or {}
    if not isinstance(cost, dict):
        raise UsageError(f"{where}: cost: expected an object with limit, estimate, advice")
    exemptions = data.get("exemptions") or []
    if not isinstance(exemptions, list) or not all(isinstance(e, dict) for e in exemptions):
        raise UsageError(f"{where}: exemptions: expected a list of objects with ref, reason, ...")
    for index, item in enumerate(exemptions):
        if not isinstance(item.get("ref"), str) or not item["ref"].strip():
            raise UsageError(f"{where}: exemptions[{index}].ref: required")
    return _Draft(
        case=case,
        response_date=(
            _date(f"{where}: response_date", data["response_date"])
            if data.get("response_date")
            else today
        ),
        jurisdiction=jurisdiction,
        outcome=_text(f"{where}: outcome", data.get("outcome")),
        summary=_text(f"{where}: summary", data.get("summary")),
        explanation=_text(f"{where}: explanation", data.get("explanation")),
        where=_text(f"{where}: where", data.get("where")),
        previous_request=_text(f"{where}: previous_request", data.get("previous_request")),
        cost={k: _text(f"{where}: cost.{k}", cost.get(k)) for k in ("limit", "estimate", "advice")},
        letter=_text(f"{where}: letter", data.get("letter")),
        extra={
            k: str(data[k]) if isinstance(data[k], int) else _text(f"{where}: {k}", data[k])
            for k in _EXTRA
            if data.get(k) is not None
        },
        events=_events(where, data.get("events")),
        exemptions=[
            {
                "ref": item["ref"],
                "reason": _text(f"{where}: exemptions[{i}].reason", item.get("reason")),
                "pit_for": _texts(f"{where}: exemptions[{i}].pit_for", item.get("pit_for")),
                "pit_against": _texts(
                    f"{where}: exemptions[{i}].pit_against", item.get("pit_against")
                ),
                "conclusion": _text(f"{where}: exemptions[{i}].conclusion", item.get("conclusion")),
            }
            for i, item in enumerate(exemptions)
        ],
    )


def _events(where: str, value: object) -> list[ClockEvent]:
    """Clock events from a case file, written as foibot deadline takes them."""
    from bot.commands.deadline import parse_event

    return [parse_event(text) for text in _texts(f"{where}: events", value)]


def _from_database(reference: str, settings: Settings, today: dt.date) -> _Draft:
    from bot.commands._common import open_database
    from intake.cases import case_by_reference, clock_events

    db = open_database(settings)
    try:
        with db.session() as session:
            row = case_by_reference(
                session, reference, settings.references.prefix, settings.references.secret
            )
            if row is None:
                raise UsageError(f"no case with reference {reference!r}")
            if not row.regime:
                raise UsageError(f"{row.reference}: not a statutory request (no regime set)")
            events = clock_events(session, row)
            case = CaseFacts(
                reference=row.reference,
                regime=Regime(row.regime),
                received=row.received_on,
                requester_name=row.requester_name,
                requester_email=row.requester_email,
                subject=row.subject,
                text=row.text,
            )
    finally:
        db.close()
    return _Draft(
        case=case,
        response_date=today,
        jurisdiction=settings.authority.jurisdiction,
        events=events,
    )


def _split(catalogue: Catalogue, value: str, law: Law | None) -> tuple[str | None, str]:
    """'s31(1)(a)=TEXT' -> ('s31(1)(a)', 'TEXT'); plain TEXT (even with '=') -> (None, TEXT)."""
    head, sep, tail = value.partition("=")
    if sep and catalogue.find(head.strip(), law) is not None:
        return head.strip(), tail.strip()
    return None, value.strip()


def _response(draft: _Draft, args: argparse.Namespace, catalogue: Catalogue) -> Response:
    outcome_text = args.outcome or draft.outcome
    if not outcome_text:
        raise UsageError(f"--outcome is required (one of {_OUTCOMES})")
    try:
        outcome = Outcome(outcome_text.strip().lower())
    except ValueError:
        raise UsageError(f"--outcome: {outcome_text!r} is not one of {_OUTCOMES}") from None

    # Exemptions keyed by their catalogue entry, so "s31(1)(a)" and "section 31(1)(a)" meet.
    order: list[str] = []
    items: dict[str, dict[str, Any]] = {}

    law = law_of(draft.case.regime)  # FOIA and FOISA share some numbers (s35(1)(a))

    def key_of(ref: str) -> str:
        entry = catalogue.find(ref, law)
        return entry.ref if entry is not None else ref.strip()

    def item(ref: str) -> dict[str, Any]:
        key = key_of(ref)
        if key not in items:
            order.append(key)
            items[key] = {
                "ref": ref.strip(),
                "reason": "",
                "pit_for": [],
                "pit_against": [],
                "conclusion": "",
            }
        return items[key]

    for given in draft.exemptions:
        slot = item(given["ref"])
        for name in ("reason", "conclusion"):
            slot[name] = given[name] or slot[name]
        slot["pit_for"] += given["pit_for"]
        slot["pit_against"] += given["pit_against"]
    for ref in args.exemption:
        item(ref)
    for value in args.reason:
        ref, text = _split(catalogue, value, law)
        if ref is None:
            raise UsageError(f"--reason {value!r}: use REF=TEXT, e.g. s31(1)(a)=...")
        item(ref)["reason"] = text

    response = _build(draft, outcome, [items[k] for k in order])
    # Bare factors belong to the only qualified exemption the letter will cite (including
    # the one the outcome implies, such as reg 12(4)(b) for an EIR cost refusal).
    qualified = [
        a.ref
        for a in applied_exemptions(response, catalogue)
        if (e := catalogue.find(a.ref, law)) is not None and e.needs_public_interest_test
    ]
    for flag, name, values in (
        ("--pit-for", "pit_for", args.pit_for),
        ("--pit-against", "pit_against", args.pit_against),
        ("--conclusion", "conclusion", args.conclusion),
    ):
        for value in values:
            ref, text = _split(catalogue, value, law)
            if ref is None:
                if len(qualified) != 1:
                    raise UsageError(
                        f"{flag} {value!r}: say which exemption it is for (REF=TEXT); "
                        f"qualified exemptions cited: {', '.join(qualified) or 'none'}"
                    )
                ref = qualified[0]
            slot = item(ref)
            if name == "conclusion":
                slot[name] = text
            else:
                slot[name].append(text)
    return _build(draft, outcome, [items[k] for k in order])


def _build(draft: _Draft, outcome: Outcome, exemptions: list[dict[str, Any]]) -> Response:
    cost = draft.cost
    case = draft.case
    try:
        review_by = review_request_by(case, draft.response_date, draft.jurisdiction, draft.events)
    except ValueError as exc:  # a date beyond the bank-holiday calendar, or bad events
        raise UsageError(f"response date: {exc}") from None
    return Response(
        case=case,
        outcome=outcome,
        on=draft.response_date,
        review_by=review_by,
        summary=draft.summary,
        explanation=draft.explanation,
        where=draft.where,
        previous_request=draft.previous_request,
        cost=CostEstimate(
            limit=cost.get("limit") or _DEFAULT_LIMIT.get(case.regime, ""),
            estimate=cost.get("estimate", ""),
            advice=cost.get("advice", ""),
        ),
        exemptions=tuple(
            AppliedExemption(
                ref=e["ref"],
                reason=e["reason"],
                pit_for=tuple(e["pit_for"]),
                pit_against=tuple(e["pit_against"]),
                conclusion=e["conclusion"],
            )
            for e in exemptions
        ),
    )
