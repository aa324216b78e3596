import pytest

from shadowfleet.geodata.land import load_shore
from shadowfleet.geodata.ports import load_gazetteer


@pytest.fixture(scope="session")
def gazetteer(shared_data):
    return load_gazetteer(shared_data / "gfw-ports-anchorages")


@pytest.fixture(scope="session")
def shore(shared_data):
    return load_shore(shared_data / "geo" / "world-atlas" / "land-10m.json")
