"""Shared facts for the letter tests: the seed case (the ICO's own response IC-315773-L9G6)."""

from __future__ import annotations

from datetime import date

import pytest

from config.exemptions import Catalogue, load_catalogue
from config.settings import AuthoritySettings
from intake.regime import Regime
from replies.case import CaseFacts

SEED_REQUEST = (
    "Under the Freedom of Information Act, I would request you to respond to questions "
    "included in the attachment..."
)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def ico() -> AuthoritySettings:
    """The authority in the seed: the regulator answering a request about itself."""
    return AuthoritySettings(
        name="Information Commissioner's Office",
        team="Information Access Team\nStrategic Planning and Transformation",
        address="Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF",
        email="accessicoinformation@ico.org.uk",
        privacy_url="https://ico.org.uk/global/privacy-notice/",
        review_url="https://ico.org.uk/about-the-ico/our-information/review-procedure/",
        retention_url="https://ico.org.uk/about-the-ico/our-information/retention-policy/",
        is_regulator=True,
    )


@pytest.fixture
def council() -> AuthoritySettings:
    return AuthoritySettings()


def make_case(regime: Regime = Regime.FOI, text: str = SEED_REQUEST, **kw: object) -> CaseFacts:
    values: dict[str, object] = {
        "reference": "IC-315773-L9G6",
        "regime": regime,
        "received": date(2024, 6, 27),
        "requester_name": "",
        "subject": "Digital devices and software",
        "text": text,
    }
    values.update(kw)
    return CaseFacts(**values)  # type: ignore[arg-type]
