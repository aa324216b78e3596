"""Decode benchmark: shadowfleet's NMEA decoder against pyais on the same generated traffic mix.

    python -m bench.decode [--lines 500000] [--chunk 100000] [--repeat 3]

The mix (shadowfleet.ais.encode.traffic_mix): ~80% types 1-3, 7% type 18, 6% two-part type 5, 5% type
24, the rest types 4 and 21. Reported: the vectorised fast path alone (position sentences/s), the whole
decoder on the mix (lines/s, positions and statics as Arrow tables), and pyais decoding the same lines
(multi-part assembly by pyais.stream.IterMessages, then decode()). CPU time of this process is the
measure (the machine may be shared); wall time is reported too. JSON goes to bench/results/decode.json.
"""

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from pyais.stream import IterMessages

from shadowfleet.ais.decoder import NmeaDecoder
from shadowfleet.ais.encode import traffic_mix
from shadowfleet.ais.fastpath import decode_fast


def _timed(fn: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    """Best CPU and wall seconds over `repeat` runs, and what fn returned."""
    best_cpu = best_wall = float("inf")
    out = 0
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return best_cpu, best_wall, out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--chunk", type=int, default=100_000, help="lines per NmeaDecoder.feed call")
    parser.add_argument("--repeat", type=int, default=3, help="runs of our decoder (best is reported)")
    parser.add_argument("--pyais-lines", type=int, default=0, help="lines for pyais (default: all)")
    args = parser.parse_args()

    lines = traffic_mix(args.lines, seed=2026)
    chunks = [lines[i : i + args.chunk] for i in range(0, len(lines), args.chunk)]

    def fast_only() -> int:
        return sum(int(decode_fast(c).line_idx.size) for c in chunks)

    def whole_decoder() -> int:
        dec = NmeaDecoder("bench")
        rows = 0
        for i, c in enumerate(chunks):
            r = dec.feed(c, 1 + i * args.chunk)
            rows += r.positions.num_rows + r.statics.num_rows
        tail = dec.flush()
        return rows + tail.statics.num_rows

    pyais_lines = lines[: args.pyais_lines] if args.pyais_lines else lines

    def pyais_baseline() -> int:
        n = 0
        for msg in IterMessages(pyais_lines):
            try:
                msg.decode()
                n += 1
            except Exception:
                pass
        return n

    fast_cpu, fast_wall, fast_rows = _timed(fast_only, args.repeat)
    all_cpu, all_wall, all_rows = _timed(whole_decoder, args.repeat)
    py_cpu, py_wall, py_msgs = _timed(pyais_baseline, 1)

    fast_rate = fast_rows / fast_cpu
    all_rate = len(lines) / all_cpu
    py_rate = len(pyais_lines) / py_cpu
    result = {
        "lines": len(lines),
        "chunk": args.chunk,
        "fast_path_position_sentences": fast_rows,
        "fast_path_position_sentences_per_s": round(fast_rate),
        "decoder_lines_per_s": round(all_rate),
        "decoder_rows": all_rows,
        "pyais_lines": len(pyais_lines),
        "pyais_messages": py_msgs,
        "pyais_lines_per_s": round(py_rate),
        "ratio_fast_path_vs_pyais": round(fast_rate / py_rate, 1),
        "ratio_decoder_vs_pyais": round(all_rate / py_rate, 1),
        "wall_s": {
            "fast_path": round(fast_wall, 3),
            "decoder": round(all_wall, 3),
            "pyais": round(py_wall, 3),
        },
        "cpu_s": {"fast_path": round(fast_cpu, 3), "decoder": round(all_cpu, 3), "pyais": round(py_cpu, 3)},
    }
    print(f"traffic mix: {len(lines):,} lines in chunks of {args.chunk:,}")
    print(f"  fast path      {fast_rate:>12,.0f} position sentences/s  ({fast_rows:,} sentences)")
    print(f"  whole decoder  {all_rate:>12,.0f} lines/s               ({all_rows:,} rows)")
    print(f"  pyais          {py_rate:>12,.0f} lines/s               ({py_msgs:,} messages)")
    print(
        f"  ratio: fast path {result['ratio_fast_path_vs_pyais']}x pyais, decoder {result['ratio_decoder_vs_pyais']}x pyais"
    )
    out = Path(__file__).resolve().parent / "results" / "decode.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
