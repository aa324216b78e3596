"""`shadowfleet detect --engine spark` stores what `shadowfleet detect` (local engine) stores."""

import shutil
import subprocess

import pytest

from shadowfleet.lake.events import read_events

from .lakes import assert_same_events, write_lake
from .scenario import scenario, statics

pytestmark = pytest.mark.spark


def test_cli_spark_engine_matches_local_engine(tmp_path, cli_cmd, cli_env, shared_data):
    local_lake = write_lake(tmp_path / "local", scenario(), statics())
    spark_lake = tmp_path / "spark"
    shutil.copytree(local_lake, spark_lake)
    geo = [
        "--wpi", str(shared_data / "gfw-ports-anchorages"),
        "--land", str(shared_data / "geo" / "world-atlas" / "land-10m.json"),
    ]  # fmt: skip
    local = subprocess.run(
        [*cli_cmd, "detect", "--lake", str(local_lake), "--full", *geo],
        env=cli_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert local.returncode == 0, local.stderr
    env = {**cli_env, "SHADOWFLEET_SPARK_PORT": "18450"}
    spark = subprocess.run(
        [
            *cli_cmd, "detect", "--engine", "spark", "--master", "local[2]", "--lake", str(spark_lake), *geo,
            "--spark-conf", "spark.sql.shuffle.partitions=4", "--spark-conf", "spark.driver.memory=1g",
        ],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert spark.returncode == 0, spark.stderr[-3000:]
    assert "events (" in spark.stdout and "encounter" in spark.stdout
    expected, actual = read_events(local_lake), read_events(spark_lake)
    assert expected is not None and actual is not None
    assert_same_events(expected, actual)


def test_cli_spark_engine_errors(tmp_path, cli_cmd, cli_env):
    missing = subprocess.run(
        [*cli_cmd, "detect", "--engine", "spark", "--lake", str(tmp_path / "nope")],
        env=cli_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 2 and "lake folder not found" in missing.stderr
    bad = subprocess.run(
        [*cli_cmd, "detect", "--engine", "warp", "--lake", str(tmp_path)],
        env=cli_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 2 and "--engine must be local or spark" in bad.stderr
