"""One local[2] Spark session for the whole test run (a JVM start costs ~20 s)."""

import os

import pytest

SPARK_PORT = "18400"  # this room's fixed port range: 18400-18499


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark")
    from shadowfleet.scale.session import spark_session

    os.environ.setdefault("SHADOWFLEET_SPARK_PORT", SPARK_PORT)
    session = spark_session(
        "local[2]",
        app_name="shadowfleet-tests",
        shuffle_partitions=4,
        driver_memory="1g",
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def geo_context(gazetteer, shore):
    """One context object for the session: Spark ships it to the executors once."""
    from shadowfleet.detect.run import DetectContext

    return DetectContext(gazetteer, shore)
