"""A SparkSession for the runner: local mode that stays on 127.0.0.1, or whatever cluster is configured.

With `master=None` the session takes the master and settings that `spark-submit` (or the platform:
Databricks, EMR, Dataproc) provides; with `local[N]` it binds to 127.0.0.1, has no web UI, and makes the
source tree importable by its Python workers. `SHADOWFLEET_SPARK_PORT` fixes the driver's port P (tried up to
P+16; the block manager takes P+20 to P+36).
"""

import os
import sys
from pathlib import Path
from typing import Any

import shadowfleet

REQUIRED_CONF = {
    "spark.sql.session.timeZone": "UTC",  # timestamps reach the detectors as UTC, as in the lake
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.port.maxRetries": "16",
    "spark.ui.showConsoleProgress": "false",
}


def is_local(master: str | None) -> bool:
    return master is not None and master.startswith("local")


def spark_session(
    master: str | None = None,
    *,
    app_name: str = "shadowfleet-detect",
    shuffle_partitions: int | None = None,
    driver_memory: str | None = None,
    max_records_per_batch: int | None = None,
    conf: dict[str, str] | None = None,
) -> Any:
    """Get or create the SparkSession (see the module doc); `conf` entries win over the defaults."""
    from pyspark.sql import SparkSession

    settings = dict(REQUIRED_CONF)
    if is_local(master):
        settings.update(LOCAL_CONF)
        port = os.environ.get("SHADOWFLEET_SPARK_PORT")
        if port:
            settings["spark.driver.port"] = port
            settings["spark.blockManager.port"] = str(int(port) + 20)
        src = str(Path(shadowfleet.__file__).resolve().parents[1])
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        if src not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([src, *paths])
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if shuffle_partitions is not None:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    if driver_memory is not None:
        settings["spark.driver.memory"] = driver_memory
    if max_records_per_batch is not None:
        settings["spark.sql.execution.arrow.maxRecordsPerBatch"] = str(max_records_per_batch)
    settings.update(conf or {})
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
