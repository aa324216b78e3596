"""The one-command demo: build everything under `var/demo/` from what is on this machine, then serve.

Steps (each calls another room's public API; each is skipped when its output already exists):
  1. simulate the Venezuela scenario into the lake (simulated rows, marked so);
  2. ingest the real samples from ../shared/data when present (NMEA corpora, MarineCadastre CSV, the
     GFW encounter tracks);
  3. detect events (incremental: a re-run over unchanged data writes nothing);
  4. create and seed the registry, and import the OFAC SDN snapshot when present;
  5. create a demo editor account (credentials printed; demo mode only).
No step uses the network.
"""

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

DEMO_DIR = Path("var") / "demo"
DEMO_EDITOR = "demo-editor"
DEMO_REVIEWER = "demo-reviewer"  # entries naming people are published by a second editor
SIM_SEED = 7
SIM_VESSELS = 80
SIM_DAYS = 30.0
CLUSTER_GAP_DAYS = 7


@dataclass
class DemoPaths:
    root: Path

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{(self.root / 'registry.db').resolve()}"

    @property
    def secret_file(self) -> Path:
        return self.root / "secret_key"

    @property
    def editor_file(self) -> Path:
        return self.root / "editor.json"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"


@dataclass
class DemoReport:
    lines: list[str] = field(default_factory=list)

    def say(self, message: str) -> None:
        self.lines.append(message)


def shared_data_dir() -> Path:
    override = os.environ.get("SHADOWFLEET_SHARED_DATA")
    if override:
        return Path(override)
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        candidate = base.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


def _load_state(paths: DemoPaths) -> dict[str, object]:
    if paths.state_file.is_file():
        return dict(json.loads(paths.state_file.read_text(encoding="utf-8")))
    return {}


def _save_state(paths: DemoPaths, state: dict[str, object]) -> None:
    tmp = paths.state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(paths.state_file)


def secret_key(paths: DemoPaths) -> str:
    """A random secret kept in var/demo/ so sessions survive a restart of the demo."""
    if paths.secret_file.is_file():
        return paths.secret_file.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    paths.secret_file.write_text(key, encoding="utf-8")
    paths.secret_file.chmod(0o600)
    return key


def simulate(
    paths: DemoPaths, report: DemoReport, n_vessels: int = SIM_VESSELS, days: float = SIM_DAYS
) -> None:
    """The simulator's Venezuela scenario, straight from Arrow tables into the lake (marked simulated)."""
    from shadowfleet.lake.manifest import ChunkEntry
    from shadowfleet.lake.writer import LakeWriter
    from shadowfleet.sim.output import scenario_to_tables
    from shadowfleet.sim.scenario import ScenarioConfig

    config = ScenarioConfig(seed=SIM_SEED, n_vessels=n_vessels, days=days, name="venezuela")
    tables = scenario_to_tables(config)
    key = f"sim-{config.name}-seed{config.seed}-v{config.n_vessels}-d{config.days:g}"
    chunk = ChunkEntry(
        chunk_key=key,
        source=f"simulator:{config.name}:seed={config.seed}",
        source_kind="simulated",
        chunk_index=0,
        first_line=1,
        n_lines=tables.positions.num_rows + tables.statics.num_rows,
        n_bytes=0,
        positions=tables.positions.num_rows,
        statics=tables.statics.num_rows,
        rejects=0,
        simulated=True,
    )
    with LakeWriter(paths.lake) as writer:
        written = writer.write_chunk(chunk, tables.positions, tables.statics)
    report.say(
        f"simulate: Venezuela scenario, {tables.vessels.num_rows} fictional vessels, "
        f"{tables.positions.num_rows} positions ({'written' if written else 'already in the lake'})"
    )


def sample_inputs(shared: Path) -> list[tuple[str, list[Path]]]:
    """(format, files) groups of the real samples present under `shared`."""
    nmea = [
        shared / "gpsd-ais" / "test" / "sample.aivdm",
        shared / "libais-testdata" / "test.aivdm",
        shared / "libais-testdata" / "tagblock.nmea",
        shared / "pyais-samples" / "tests" / "nmea_data_sample.txt",
        shared / "pyais-samples" / "examples" / "gatehouse.nmea",
    ]
    csv = sorted((shared / "marinecadastre-2022-01-03-sample").glob("*.csv"))
    gfw = [shared / "gfw-encounter-real-2015-03-19" / "tracks.csv"]
    return [
        ("nmea", [p for p in nmea if p.is_file()]),
        ("marinecadastre", [p for p in csv if p.is_file()]),
        ("gfw", [p for p in gfw if p.is_file()]),
    ]


MARINECADASTRE_SAMPLE_NOTE = (
    "a sample cut (the first 99,999 rows of one day's MarineCadastre file, a median of 7 positions a"
    " vessel): apparent gaps and port calls in it may be artefacts of the cut, not of the ship"
)


def sample_notes(shared: Path) -> tuple[tuple[str, str], ...]:
    """Notes for the event pages on the demo's real samples that are cuts of larger files."""
    return tuple(
        (p.name, MARINECADASTRE_SAMPLE_NOTE) for p in dict(sample_inputs(shared)).get("marinecadastre", [])
    )


def ingest_samples(paths: DemoPaths, shared: Path, report: DemoReport) -> None:
    from shadowfleet.ais.csv_import import ColumnMapping
    from shadowfleet.lake.ingest import IngestOptions, ingest_paths

    if not shared.is_dir():
        report.say(f"ingest: no reference data at {shared}; skipped")
        return
    for fmt, files in sample_inputs(shared):
        if not files:
            continue
        if fmt == "gfw":
            mapping = ColumnMapping(
                columns={"mmsi": "mmsi", "ts": "timestamp_utc", "lat": "lat", "lon": "lon"}
            )
            options = IngestOptions(mapping=mapping)
        else:
            options = IngestOptions(fmt=fmt)
        summary = ingest_paths(paths.lake, [str(f) for f in files], options)
        report.say(
            f"ingest {fmt}: {summary.positions} positions, {summary.statics} static reports, "
            f"{summary.rejects} rejected lines, {summary.chunks_skipped} chunks already in the lake"
        )


def _time_clusters(ts_us: np.ndarray, gap_us: int) -> list[tuple[int, int]]:
    """[first, last] microsecond ranges of the data separated by more than `gap_us` without positions."""
    if len(ts_us) == 0:
        return []
    t = np.unique(ts_us)
    breaks = np.flatnonzero(np.diff(t) > gap_us)
    starts = np.concatenate([[t[0]], t[breaks + 1]])
    ends = np.concatenate([t[breaks], [t[-1]]])
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def detect_by_period(context: object) -> Callable[[pa.Table, pa.Table], tuple[pa.Table, pa.Table]]:
    """`run_all` once per stretch of time with data.

    The demo lake mixes samples years apart (2015, 2022, today's clock-stamped corpora, the simulated
    month); the detectors' per-vessel window keys overflow over such spans, and nothing can be detected
    across years without data anyway, so each stretch is run on its own.
    """
    from shadowfleet.detect.run import DetectContext, run_all, stack_events

    assert isinstance(context, DetectContext)

    def run(positions: pa.Table, statics: pa.Table) -> tuple[pa.Table, pa.Table]:
        ts = positions.column("ts").cast(pa.int64()).to_numpy()
        sta_ts = statics.column("ts").cast(pa.int64()).to_numpy()
        parts, voyages = [], []
        for first, last in _time_clusters(ts, CLUSTER_GAP_DAYS * 86_400_000_000):
            pos_mask = (ts >= first) & (ts <= last)
            sta_mask = (sta_ts >= first - 86_400_000_000) & (sta_ts <= last)
            events, found = run_all(
                positions.filter(pa.array(pos_mask)), statics.filter(pa.array(sta_mask)), context
            )
            parts.append(events)
            voyages.append(found)
        merged = pa.concat_tables(voyages, promote_options="permissive") if voyages else pa.table({})
        return stack_events(parts), merged

    return run


def detect(paths: DemoPaths, shared: Path, report: DemoReport) -> None:
    from shadowfleet.detect.run import DetectContext, detection_fingerprint
    from shadowfleet.geodata.land import load_shore
    from shadowfleet.geodata.ports import load_gazetteer
    from shadowfleet.lake.events import read_voyages, run_incremental

    if not (paths.lake / "_manifest").is_dir():
        report.say("detect: the lake is empty; skipped")
        return
    wpi = shared / "gfw-ports-anchorages"
    land = shared / "geo" / "world-atlas" / "land-10m.json"
    gazetteer = load_gazetteer(wpi if wpi.is_dir() else None, include_searoute=True)
    shore = load_shore(land) if land.is_file() else None
    context = DetectContext(gazetteer=gazetteer, shore=shore)
    try:
        result = run_incremental(paths.lake, detect_by_period(context), detection=detection_fingerprint())
    except (ValueError, MemoryError) as exc:
        # The site still serves tracks and the registry; the failure is reported, not hidden.
        report.say(f"detect: FAILED ({exc}); the site will show no new events")
        return
    voyages = read_voyages(paths.lake)
    report.say(
        f"detect: {result.events_after} events, {0 if voyages is None else voyages.num_rows} voyages "
        f"({len(result.changed_days)} days re-run)"
    )


def build_registry(paths: DemoPaths, shared: Path, state: dict[str, object], report: DemoReport) -> None:
    from shadowfleet.registry import ofac, seed
    from shadowfleet.registry.service import Registry
    from shadowfleet.registry.validation import RegistryError

    registry = Registry(paths.db_url)
    try:
        registry.init()
        try:
            with registry.db.session(seed.ACTOR) as session:
                loaded = seed.load(session)
            report.say(f"registry seed: {loaded.entities} entities, {loaded.entities_added} new")
        except RegistryError as exc:
            # The seed loads in one transaction: a bad file leaves the registry unchanged.
            report.say(f"registry seed: FAILED, nothing loaded ({exc})")
        sdn = shared / "ofac-sdn" / "sdn_2024-05-03.csv"
        history = shared / "ofac-sdn" / "derived_sdn_vessels_history_2021-08_to_2024-05.csv"
        if sdn.is_file() and not state.get("ofac"):
            entries, listings = ofac.read_files(sdn, None, None, history if history.is_file() else None)
            when = ofac.list_date_from_name(sdn) or "2024-05-03"
            with registry.db.session(ofac.ACTOR) as session:
                imported = ofac.import_entries(session, entries, when, listings, "vessels")
            state["ofac"] = True
            report.say(
                f"sanctions: OFAC SDN {when}: {imported.vessels} vessels, {imported.entities_added} new entities"
            )
        if not paths.editor_file.is_file():
            accounts = []
            for username in (DEMO_EDITOR, DEMO_REVIEWER):
                password = secrets.token_urlsafe(12)
                registry.create_user(username, password, "editor", actor="demo")
                accounts.append({"username": username, "password": password})
            paths.editor_file.write_text(json.dumps(accounts), encoding="utf-8")
            paths.editor_file.chmod(0o600)
    finally:
        registry.close()


def build(
    root: Path = DEMO_DIR,
    shared: Path | None = None,
    progress: Callable[[str], None] = print,
    sim_vessels: int = SIM_VESSELS,
    sim_days: float = SIM_DAYS,
) -> DemoPaths:
    """Build (or reuse) the demo data under `root`; returns where it lives."""
    paths = DemoPaths(root)
    root.mkdir(parents=True, exist_ok=True)
    shared = shared or shared_data_dir()
    state = _load_state(paths)
    report = DemoReport()
    steps: list[tuple[str, Callable[[], None]]] = [
        ("simulate", lambda: simulate(paths, report, sim_vessels, sim_days)),
        ("ingest", lambda: ingest_samples(paths, shared, report)),
    ]
    for name, step in steps:
        if state.get(name):
            progress(f"{name}: already done (var/demo reused)")
            continue
        step()
        state[name] = True
        _save_state(paths, state)
        for line in report.lines:
            progress(line)
        report.lines.clear()
    detect(paths, shared, report)
    build_registry(paths, shared, state, report)
    _save_state(paths, state)
    for line in report.lines:
        progress(line)
    return paths


def demo_watchlist(paths: DemoPaths, size: int = 10) -> tuple[int, ...]:
    """The demo's watch list: the vessels the detect room's risk score ranks highest from their events."""
    from shadowfleet.detect.risk import risk_signals_from_events, score_risk
    from shadowfleet.lake.events import read_events

    events = read_events(paths.lake) if (paths.lake / "events").exists() else None
    if events is None or events.num_rows == 0:
        return ()
    scored = score_risk(risk_signals_from_events(events))
    ranked = scored.filter(pa.compute.greater(scored["risk_score"], 0)).slice(0, size)
    return tuple(int(m) for m in ranked["mmsi"].to_pylist())


def editor_credentials(paths: DemoPaths) -> list[tuple[str, str]]:
    """The demo's editor accounts (user, password): an editor and a second one who publishes what the
    first wrote about people. A demo built before there were two holds one."""
    if not paths.editor_file.is_file():
        return []
    data = json.loads(paths.editor_file.read_text(encoding="utf-8"))
    accounts = data if isinstance(data, list) else [data]
    return [(str(a["username"]), str(a["password"])) for a in accounts]
