"""Registry throughput: OFAC import (entities/s) and AIS identity matching (identities/s).

    python -m bench.registry [--db-dir DIR] [--pg-url URL] [--identities N] [--scope vessels|all]

Baselines measured in the same run:
  import   - the same SDN entries parsed and inserted as bare rows with SQLAlchemy Core (no statements,
             sources, audit chain or versions): the ratio is the price of provenance and auditing.
  matching - exact-IMO dictionary lookup of the same identities: the ratio is the price of the MMSI
             period, fuzzy-name and sanction-propagation rules.
"""

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, insert

from shadowfleet.registry import ofac
from shadowfleet.registry.matching import VesselIndex
from shadowfleet.registry.service import Registry

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ofac-sdn"
RESULTS = Path(__file__).resolve().parent / "results"


def bench_import(
    url: str, entries: list[ofac.SdnEntry], listings: dict[int, ofac.Listing], scope: str
) -> dict[str, float]:
    reg = Registry(url)
    reg.init()
    started = time.perf_counter()
    with reg.db.session(ofac.ACTOR) as session:
        report = ofac.import_entries(session, entries, "2024-05-03", listings, scope)
    elapsed = time.perf_counter() - started
    reg.close()
    return {
        "entities": report.entities_added,
        "statements": report.statements_added,
        "seconds": elapsed,
        "entities_per_s": report.entities_added / elapsed,
    }


def bench_import_baseline(url: str, entries: list[ofac.SdnEntry], scope: str) -> dict[str, float]:
    engine = create_engine(url)
    meta = MetaData()
    table = Table(
        "bare",
        meta,
        Column("id", Integer, primary_key=True),
        Column("name", String(400)),
        Column("remarks", Text),
    )
    meta.create_all(engine)
    rows = [
        {"id": e.ent_num, "name": e.name, "remarks": e.remarks}
        for e in entries
        if scope == "all" or e.sdn_type == "vessel"
    ]
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {"entities": len(rows), "seconds": elapsed, "entities_per_s": len(rows) / elapsed}


def identities(index: VesselIndex, n: int, seed: int = 7) -> list[dict[str, object]]:
    """AIS-like identities: a third by IMO, a third by MMSI, a third by damaged names, some unknown."""
    rng = random.Random(seed)
    imos = list(index.by_imo)
    mmsis = list(index.by_mmsi)
    names = index.name_choices
    rows: list[dict[str, object]] = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            rows.append({"mmsi": None, "imo": rng.choice(imos), "name": None})
        elif kind == 1:
            rows.append(
                {
                    "mmsi": rng.choice(mmsis),
                    "imo": None,
                    "name": None,
                    "first_seen": "2023-01-01",
                    "last_seen": "2023-06-30",
                }
            )
        elif kind == 2:
            name = list(rng.choice(names))
            if len(name) > 4:
                name[rng.randrange(len(name))] = rng.choice("AEIOUXYZ")
            rows.append({"mmsi": None, "imo": None, "name": "M/T " + "".join(name)})
        else:
            rows.append(
                {"mmsi": str(rng.randrange(200_000_000, 799_999_999)), "imo": None, "name": f"UNKNOWN {i}"}
            )
    return rows


def bench_matching(url: str, n: int) -> dict[str, object]:
    reg = Registry(url)
    with reg.db.session() as session:
        started = time.perf_counter()
        index = VesselIndex.from_session(session)
        build_s = time.perf_counter() - started
    reg.close()
    rows = identities(index, n)
    started = time.perf_counter()
    results = index.match(rows)
    match_s = time.perf_counter() - started
    started = time.perf_counter()
    hits = sum(1 for r in rows if r["imo"] is not None and str(r["imo"]) in index.by_imo)
    base_s = time.perf_counter() - started
    rules: dict[str, int] = {}
    for r in results:
        rules[str(r.rule)] = rules.get(str(r.rule), 0) + 1
    return {
        "identities": n,
        "index_build_s": build_s,
        "seconds": match_s,
        "identities_per_s": n / match_s,
        "baseline_exact_imo_per_s": n / base_s if base_s else float("inf"),
        "baseline_hits": hits,
        "by_rule": rules,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sdn", type=Path, default=SHARED / "sdn_2024-05-03.csv")
    parser.add_argument(
        "--history", type=Path, default=SHARED / "derived_sdn_vessels_history_2021-08_to_2024-05.csv"
    )
    parser.add_argument("--pg-url", help="also measure on this PostgreSQL database (must be empty)")
    parser.add_argument("--identities", type=int, default=20_000)
    parser.add_argument("--scope", choices=("vessels", "all"), default="all")
    args = parser.parse_args()

    entries, listings = ofac.read_files(args.sdn, history=args.history)
    out: dict[str, object] = {"scope": args.scope}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        imported = bench_import(url, entries, listings, args.scope)
        baseline = bench_import_baseline(f"sqlite:///{tmp}/bare.db", entries, args.scope)
        out["import_sqlite"] = imported
        out["import_baseline_sqlite"] = baseline
        print(
            f"import (sqlite, scope {args.scope}): {imported['entities']:.0f} entities, {imported['statements']:.0f} statements "
            f"in {imported['seconds']:.2f} s = {imported['entities_per_s']:.0f} entities/s; bare-row baseline "
            f"{baseline['entities_per_s']:.0f} rows/s; ratio {imported['entities_per_s'] / baseline['entities_per_s']:.3f}"
        )
        matched = bench_matching(url, args.identities)
        out["matching_sqlite"] = matched
        ratio = float(matched["identities_per_s"]) / float(matched["baseline_exact_imo_per_s"])  # type: ignore[arg-type]
        print(
            f"matching: {args.identities} identities in {matched['seconds']:.2f} s = {matched['identities_per_s']:.0f} identities/s "
            f"(index built in {matched['index_build_s']:.2f} s); exact-IMO baseline {matched['baseline_exact_imo_per_s']:.0f}/s; "
            f"ratio {ratio:.4f}; by rule {matched['by_rule']}"
        )
    if args.pg_url:
        imported = bench_import(args.pg_url, entries, listings, args.scope)
        out["import_postgresql"] = imported
        print(f"import (postgresql): {imported['entities_per_s']:.0f} entities/s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "registry.json").write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
