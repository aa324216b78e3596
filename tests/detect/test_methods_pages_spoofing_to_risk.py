"""Every parameter of these detectors is documented on its methods page (a page that lags fails)."""

import dataclasses
from pathlib import Path

import pytest

from shadowfleet.detect.cargo import CargoParams
from shadowfleet.detect.draught import DraughtParams
from shadowfleet.detect.identity import IdentityParams
from shadowfleet.detect.risk import DEFAULT_RISK_SIGNALS, RiskParams
from shadowfleet.detect.spoofing import SPOOF_TYPES, SpoofingParams
from shadowfleet.detect.voyages import VOYAGE_SCHEMA, VoyageParams

METHODS = Path(__file__).resolve().parents[2] / "docs" / "methods"


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("spoofing.md", SpoofingParams),
        ("identity.md", IdentityParams),
        ("draught.md", DraughtParams),
        ("voyages.md", VoyageParams),
        ("cargo.md", CargoParams),
        ("risk.md", RiskParams),
    ],
)
def test_every_parameter_is_on_its_methods_page(page: str, params: type) -> None:
    text = (METHODS / page).read_text()
    missing = [f.name for f in dataclasses.fields(params) if f"`{f.name}`" not in text]
    assert not missing, f"{page} does not document {missing}"


def test_every_spoof_type_and_risk_weight_is_published() -> None:
    spoofing = (METHODS / "spoofing.md").read_text()
    assert all(f"`{t}`" in spoofing for t in SPOOF_TYPES)
    risk = (METHODS / "risk.md").read_text()
    for s in DEFAULT_RISK_SIGNALS:
        assert f"| `{s.name}` | {s.weight:g} | {s.cap:g} |" in risk, s.name


def test_voyage_columns_named_on_the_page() -> None:
    text = (METHODS / "voyages.md").read_text()
    core = ["voyage_id", "to_or_from_venezuela", "in_progress", "origin_known", "distance_nm"]
    assert all(c in VOYAGE_SCHEMA.names and f"`{c}`" in text for c in core)
