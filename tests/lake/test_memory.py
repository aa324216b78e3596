"""keep_freed_memory: freed chunk-sized arrays are reused instead of being mapped afresh."""

import resource
import subprocess
import sys

import pytest

SCRIPT = """
import resource, sys
from shadowfleet.commands._memory import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
faults = []
for _ in range(6):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = bytearray(48 * 2**20)  # above glibc's default mmap threshold; zero-filled, so touched
    del block
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(sum(faults[2:]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc allocator setting")
def test_freed_blocks_are_reused(cli_env: dict[str, str]) -> None:
    def later_faults(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, mode], env=cli_env, capture_output=True, text=True, check=True
        )
        return int(done.stdout.strip())

    assert resource.getpagesize() > 0
    default, kept = later_faults("default"), later_faults("keep")
    # each fresh 48 MiB mapping faults thousands of pages; reused heap memory faults none
    assert default > 1000
    assert kept < default / 10
