"""Where `shadowfleet detect` finds land polygons when no --land is given."""

import shutil
from pathlib import Path

import pytest

from shadowfleet.geodata.land import default_land_path, load_shore


def test_shared_data_first(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_land_path(shared_data) == shared_data / "geo" / "world-atlas" / "land-10m.json"


def test_fresh_install_falls_back_to_the_npm_world_atlas(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "site"
    installed = work / "node_modules" / "world-atlas" / "land-10m.json"
    installed.parent.mkdir(parents=True)
    shutil.copy(shared_data / "geo" / "world-atlas" / "land-10m.json", installed)
    monkeypatch.setenv("SHADOWFLEET_SHARED_DATA", str(tmp_path / "absent"))
    monkeypatch.chdir(work)
    found = default_land_path()
    assert found == installed
    shore = load_shore(found)
    # Caracas is on land, the Caribbean north of La Guaira is not
    assert shore.is_land([10.5], [-66.9]).tolist() == [True]
    assert shore.is_land([11.5], [-66.9]).tolist() == [False]
