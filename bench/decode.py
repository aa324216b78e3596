"""Decode benchmark: shadowfleet's NMEA decoder against pyais on the same generated traffic mix.

    python -m bench.decode [--lines 500000] [--chunk 100000] [--repeat 3] [--tag-blocks | --trailers]

The mix (shadowfleet.ais.encode.traffic_mix): ~80% types 1-3, 7% type 18, 6% two-part type 5, 5% type
24, the rest types 4 and 21. Reported: the vectorised fast path alone on the mix's position sentences
(position sentences/s), the whole decoder on the whole mix (lines/s, positions and statics as Arrow
tables), and pyais decoding the same lines (multi-part assembly by pyais.stream.IterMessages, then
decode()). --trailers appends a USCG-style trailer (`,r<station>,<time>`, as in NAIS archives) to every
line. --tag-blocks puts an NMEA 4.0 tag block (s: station, c: time) in front of every line, as
AIS-catcher and the project's simulator write them. CPU time of this process is the
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
from shadowfleet.ais.nmea import nmea_checksum


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


def with_tag_blocks(lines: list[bytes], first_line: int = 0) -> list[bytes]:
    """`\\s:station,c:seconds*hh\\` in front of each line: 10 lines a second, one station; `first_line`
    continues the clock of earlier blocks of the same file."""
    out = []
    for i, line in enumerate(lines, first_line):
        body = b"s:rBENCH,c:%d" % (1_750_000_000 + i // 10)
        out.append(b"\\%s*%02X\\%s" % (body, nmea_checksum(body), line))
    return out


def _with_trailers(lines: list[bytes]) -> list[bytes]:
    """`,r<station>,<seconds>` after each line: 10 lines a second, one station."""
    return [b"%s,r003669946,%d" % (line, 1_325_394_060 + i // 10) for i, line in enumerate(lines)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--chunk", type=int, default=100_000, help="lines per NmeaDecoder.feed call")
    parser.add_argument("--repeat", type=int, default=3, help="runs of our decoder (best is reported)")
    parser.add_argument("--pyais-lines", type=int, default=0, help="lines for pyais (default: all)")
    parser.add_argument("--tag-blocks", action="store_true", help="prefix every line with a tag block")
    parser.add_argument("--trailers", action="store_true", help="append a USCG trailer to every line")
    args = parser.parse_args()

    lines = traffic_mix(args.lines, seed=2026)
    if args.tag_blocks:
        lines = with_tag_blocks(lines)
    elif args.trailers:
        lines = _with_trailers(lines)
    chunks = [lines[i : i + args.chunk] for i in range(0, len(lines), args.chunk)]

    position_idx = [int(i) + k * args.chunk for k, c in enumerate(chunks) for i in decode_fast(c).line_idx]
    position_lines = [lines[i] for i in position_idx]
    position_chunks = [position_lines[i : i + args.chunk] for i in range(0, len(position_lines), args.chunk)]

    def fast_only() -> int:
        return sum(int(decode_fast(c).line_idx.size) for c in position_chunks)

    decoder_counts: dict[str, int] = {}

    def whole_decoder() -> int:
        dec = NmeaDecoder("bench")
        rows = 0
        decoder_counts.clear()
        for i, c in enumerate(chunks):
            r = dec.feed(c, 1 + i * args.chunk)
            rows += r.positions.num_rows + r.statics.num_rows
            for key, value in r.counts.items():
                decoder_counts[key] = decoder_counts.get(key, 0) + value
        tail = dec.flush()
        return rows + tail.statics.num_rows

    blocks = [b"\n".join(c) + b"\n" for c in chunks]  # as read from a file in blocks of whole lines

    def whole_decoder_buffer() -> int:
        dec = NmeaDecoder("bench")
        rows = 0
        for i, block in enumerate(blocks):
            r = dec.feed_buffer(block, 1 + i * args.chunk)
            rows += r.positions.num_rows + r.statics.num_rows
        return rows + dec.flush().statics.num_rows

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
    buf_cpu, buf_wall, buf_rows = _timed(whole_decoder_buffer, args.repeat)
    assert buf_rows == all_rows
    py_cpu, py_wall, py_msgs = _timed(pyais_baseline, 1)

    fast_rate = fast_rows / fast_cpu
    all_rate = len(lines) / all_cpu
    buf_rate = len(lines) / buf_cpu
    py_rate = len(pyais_lines) / py_cpu
    result = {
        "lines": len(lines),
        "tag_blocks": args.tag_blocks,
        "trailers": args.trailers,
        "chunk": args.chunk,
        "fast_path_position_sentences": fast_rows,
        "fast_path_position_sentences_per_s": round(fast_rate),
        "decoder_lines_per_s": round(all_rate),
        "decoder_rows": all_rows,
        "decoder_messages": decoder_counts.get("messages", 0),
        "decoder_fast_path_messages": decoder_counts.get("fast_path", 0),
        "decoder_rejects": decoder_counts.get("rejects", 0),
        "decoder_buffer_lines_per_s": round(buf_rate),
        "pyais_lines": len(pyais_lines),
        "pyais_messages": py_msgs,
        "pyais_lines_per_s": round(py_rate),
        "ratio_fast_path_vs_pyais": round(fast_rate / py_rate, 1),
        "ratio_decoder_vs_pyais": round(all_rate / py_rate, 1),
        "ratio_decoder_buffer_vs_pyais": round(buf_rate / py_rate, 1),
        "wall_s": {
            "fast_path": round(fast_wall, 3),
            "decoder": round(all_wall, 3),
            "decoder_buffer": round(buf_wall, 3),
            "pyais": round(py_wall, 3),
        },
        "cpu_s": {
            "fast_path": round(fast_cpu, 3),
            "decoder": round(all_cpu, 3),
            "decoder_buffer": round(buf_cpu, 3),
            "pyais": round(py_cpu, 3),
        },
    }
    tagged = " with tag blocks" if args.tag_blocks else " with trailers" if args.trailers else ""
    print(f"traffic mix{tagged}: {len(lines):,} lines in chunks of {args.chunk:,}")
    print(f"  fast path      {fast_rate:>12,.0f} position sentences/s  ({fast_rows:,} sentences)")
    print(
        f"  whole decoder  {all_rate:>12,.0f} lines/s               ({all_rows:,} rows, "
        f"{decoder_counts.get('fast_path', 0):,} of {decoder_counts.get('messages', 0):,} messages vectorised)"
    )
    print(f"  feed_buffer    {buf_rate:>12,.0f} lines/s               (same decoder, blocks of whole lines)")
    print(f"  pyais          {py_rate:>12,.0f} lines/s               ({py_msgs:,} messages)")
    print(
        f"  ratio to pyais: fast path {result['ratio_fast_path_vs_pyais']}x, decoder "
        f"{result['ratio_decoder_vs_pyais']}x (feed), {result['ratio_decoder_buffer_vs_pyais']}x (feed_buffer)"
    )
    name = (
        "decode_tagged.json"
        if args.tag_blocks
        else "decode_trailers.json"
        if args.trailers
        else "decode.json"
    )
    out = Path(__file__).resolve().parent / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
