"""A small scenario shared by the simulator tests (planned once per session)."""

import pytest

from shadowfleet.sim.output import run_scenario, truth_table, vessels_table
from shadowfleet.sim.reporting import Reports
from shadowfleet.sim.scenario import Scenario, ScenarioConfig

SMALL = ScenarioConfig(seed=11, n_vessels=30, days=14)


@pytest.fixture(scope="session")
def small_run() -> tuple[Scenario, Reports]:
    return run_scenario(SMALL)


@pytest.fixture(scope="session")
def small_scenario(small_run: tuple[Scenario, Reports]) -> Scenario:
    return small_run[0]


@pytest.fixture(scope="session")
def small_reports(small_run: tuple[Scenario, Reports]) -> Reports:
    return small_run[1]


@pytest.fixture(scope="session")
def small_truth(small_scenario: Scenario):  # type: ignore[no-untyped-def]
    return truth_table(small_scenario)


@pytest.fixture(scope="session")
def small_vessels(small_scenario: Scenario):  # type: ignore[no-untyped-def]
    return vessels_table(small_scenario)
