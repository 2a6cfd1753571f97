"""Golden test: re-create the ICO's own response IC-315773-L9G6 (../shared/seed) and check the
draft has every section of the seed, in the seed's order, with the same facts."""

from __future__ import annotations

from datetime import date

import pytest

from config.exemptions import Catalogue
from config.settings import AuthoritySettings
from intake.regime import Jurisdiction
from replies.letters import render_letter
from replies.render import Rendered
from replies.response import AppliedExemption, Outcome, Response
from replies.review import review_request_by

from .conftest import SEED_REQUEST, make_case

RESPONSE_DATE = date(2024, 7, 12)

# The review window, reasoned by hand from the calendar (FOIA s45 Code para 5.4: 40 working
# days from the response; FOIA s10(6): working days exclude weekends and bank holidays in ANY
# part of the UK). Response: Friday 12 July 2024 (also NI's Battle of the Boyne holiday, but the
# response day itself is never counted). Day 1 is Monday 15 July.
#   15-19 Jul: days 1-5; 22-26 Jul: 6-10; 29 Jul-2 Aug: 11-15;
#   Mon 5 Aug: Scotland's summer bank holiday, skipped; 6-9 Aug: 16-19;
#   12-16 Aug: 20-24; 19-23 Aug: 25-29;
#   Mon 26 Aug: summer bank holiday (England, Wales, NI), skipped; 27-30 Aug: 30-33;
#   2-6 Sep: 34-38; Mon 9 Sep: 39; Tue 10 Sep: 40.
LAST_DAY_TO_ASK = date(2024, 9, 10)

REASON = (
    "This is information that relates to our information management, storage and IT "
    "infrastructure which, if disclosed, would be likely to compromise the security of these "
    "and leave us vulnerable to criminal activity by malicious actors."
)
FOR = ("Increased transparency in the way in which the ICO processes and protects information.",)
AGAINST = (
    "There is a strong public interest in the ICO maintaining the security and integrity of "
    "the information it holds.",
    "The risk that, if disclosed, such information could be used by malicious actors seeking "
    "criminal access to our information and systems.",
)
CONCLUSION = (
    "Having considered all of these factors, we have taken the decision that the public "
    "interest in withholding the information outweighs the public interest in disclosing it."
)


def seed_response() -> Response:
    case = make_case()
    return Response(
        case=case,
        outcome=Outcome.PART,
        on=RESPONSE_DATE,
        review_by=review_request_by(case, RESPONSE_DATE, Jurisdiction.ENGLAND_AND_WALES),
        exemptions=(AppliedExemption("s31(1)(a)", REASON, FOR, AGAINST, CONCLUSION),),
    )


@pytest.fixture
def seed(ico: AuthoritySettings, catalogue: Catalogue) -> Rendered:
    return render_letter(seed_response(), ico, catalogue)


def test_the_review_window_comes_from_the_deadline_engine() -> None:
    assert seed_response().review_by == LAST_DAY_TO_ASK


def in_order(text: str, pieces: list[str]) -> None:
    """Each piece appears, and after the one before it."""
    position = -1
    for piece in pieces:
        found = text.find(piece, position + 1)
        assert found != -1, f"missing or out of order: {piece!r}"
        position = found


def test_every_section_of_the_seed_in_the_seeds_order(seed: Rendered) -> None:
    statute = (
        "Information which is not exempt information by virtue of section 30 is exempt "
        "information if its disclosure under this Act would, or would be likely to, prejudice—"
    )
    in_order(
        seed.text,
        [
            "12 July 2024",  # date
            "Case reference: IC-315773-L9G6",  # case reference
            "We are now in a position to respond to your information request of 27 June 2024.",
            "\nRequest\n",
            "> " + SEED_REQUEST,  # the requester's own words, quoted
            "We have handled your request under the Freedom of Information Act 2000 (FOIA).",
            "\nOur response\n",
            "We have withheld some of it",
            "\nSection 31 FOIA\n",  # the exemption's heading
            "withheld under section 31(1)(a) of FOIA",
            REASON,  # why it applies
            "Section 31(1)(a) of FOIA states that:",
            "> " + statute,  # the statutory text, quoted exactly
            "> (a) the prevention or detection of crime,",
            "is not absolute",  # a qualified exemption: the public interest test
            "The public interest factors in favour of disclosure are:",
            "- " + FOR[0],
            "The public interest factors in favour of maintaining the exemption are:",
            "- " + AGAINST[0],
            "- " + AGAINST[1],
            CONCLUSION,
            "This concludes our response to your request.",
            "\nNext steps\n",
            "within 40 working days",  # review: how and the last date
            "Tuesday 10 September 2024",
            "review procedure (https://ico.org.uk/about-the-ico/our-information/review-procedure/)",
            # the complaint route, worded for the authority that is the regulator itself
            "complain to the ICO in its role as the regulator of FOIA (section 50 of FOIA)",
            "exactly as we would a complaint about any other public authority",
            "raise a complaint (https://ico.org.uk/make-a-complaint/)",
            "\nYour information\n",
            "privacy notice (https://ico.org.uk/global/privacy-notice/)",
            "retention policy (https://ico.org.uk/about-the-ico/our-information/retention-policy/)",
            "Yours sincerely,",
            "Information Access Team\nStrategic Planning and Transformation\n"
            "Information Commissioner's Office\n"
            "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF",
        ],
    )


def test_the_html_has_the_same_sections_with_links(seed: Rendered) -> None:
    html = seed.html
    in_order(
        html,
        [
            "<p>12 July 2024</p>",
            "<h2>Request</h2>",
            "<blockquote><p>" + SEED_REQUEST + "</p></blockquote>",
            "<h2>Our response</h2>",
            "<h2>Section 31 FOIA</h2>",
            "<blockquote><p>Information which is not exempt information by virtue of section 30",
            "<ul><li>Increased transparency",
            "<h2>Next steps</h2>",
            '<a href="https://ico.org.uk/about-the-ico/our-information/review-procedure/">',
            '<a href="https://ico.org.uk/make-a-complaint/">raise a complaint</a>',
            "<h2>Your information</h2>",
            '<a href="https://ico.org.uk/global/privacy-notice/">privacy notice</a>',
        ],
    )


def test_an_authority_that_is_not_the_regulator_points_to_the_ico(
    ico: AuthoritySettings, catalogue: Catalogue
) -> None:
    council = AuthoritySettings(**{**ico.__dict__, "is_regulator": False})
    text = render_letter(seed_response(), council, catalogue).text
    assert "complain to the Information Commissioner's Office (section 50 of FOIA)" in text
    assert "in its role as the regulator" not in text
