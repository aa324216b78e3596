"""`shadowfleet detect --engine spark`: the whole lake through Spark, events stored as the local engine does."""

from shadowfleet.detect.run import DetectContext
from shadowfleet.scale.runner import detect_spark
from shadowfleet.scale.session import spark_session
from shadowfleet.scale.storage import LakeLocationError, locate


class SparkCommandError(ValueError):
    """Bad options or a lake Spark cannot use."""


def parse_conf(pairs: list[str]) -> dict[str, str]:
    conf: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SparkCommandError(f"--spark-conf needs KEY=VALUE, got {pair!r}")
        conf[key.strip()] = value.strip()
    return conf


def run_spark_command(lake: str, context: DetectContext, master: str | None, conf_pairs: list[str]) -> str:
    """Run, store, and return a one-line summary."""
    conf = parse_conf(conf_pairs)
    loc = locate(lake)
    if loc.local is not None and not loc.local.is_dir():
        raise SparkCommandError(f"lake folder not found: {loc.local}")
    spark = spark_session(master, conf=conf)
    try:
        run = detect_spark(spark, loc, context)
    except LakeLocationError as exc:
        raise SparkCommandError(str(exc)) from exc
    finally:
        spark.stop()
    kinds: dict[str, int] = {}
    for kind in run.events.column("kind").to_pylist():
        kinds[kind] = kinds.get(kind, 0) + 1
    counts = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "none"
    return (
        f"spark: {run.position_files} position files; {run.events.num_rows} events ({counts}) "
        f"stored in {loc.url}/events in {run.seconds['detect_s'] + run.seconds['store_s']:.1f} s"
    )
