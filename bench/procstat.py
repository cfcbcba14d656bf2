"""CPU time and bytes written of processes, and the machine's CPU shares, read from /proc (Linux):
what a benchmark sets beside its wall time to say where the time went."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def process_tree(pid: int, *, children_only: bool = False) -> list[int]:
    """The process and all its descendants (or only the descendants: a gunicorn master's workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += _children(current)
    return found[1:] if children_only else found


def _schedstat(pid: int, field: int) -> float:
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            total += int((task / "schedstat").read_text().split()[field])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


def cpu_seconds(pid: int) -> float:
    """CPU time of the process, all its threads, in nanoseconds' precision (/proc/<pid>/task/*/schedstat;
    /proc/<pid>/stat counts in ticks of 10 ms, too coarse for one request)."""
    return _schedstat(pid, 0)


def written_bytes(pid: int) -> int:
    """Bytes the process caused to be written to storage (/proc/<pid>/io write_bytes)."""
    try:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def runqueue_wait_seconds(pid: int) -> float:
    """Time the process's threads spent ready to run but waiting for a CPU (/proc/<pid>/schedstat):
    on a shared machine, what its other work costs this process."""
    return _schedstat(pid, 1)


@dataclass(frozen=True)
class Snapshot:
    cpu: dict[str, float]
    waited: dict[str, float]
    written: dict[str, int]


class Usage:
    """Named groups of processes (each a function returning the pids now), read together. A group's
    figures are cumulative per process, so compare two snapshots of the same processes."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]):
        self.groups = groups

    def snapshot(self) -> Snapshot:
        cpu, waited, written = {}, {}, {}
        for name, pids in self.groups.items():
            current = pids()
            cpu[name] = sum(cpu_seconds(p) for p in current)
            waited[name] = sum(runqueue_wait_seconds(p) for p in current)
            written[name] = sum(written_bytes(p) for p in current)
        return Snapshot(cpu, waited, written)


def machine_cpu() -> dict[str, float]:
    """The machine's CPU time so far, in seconds: busy (neither idle nor waiting on I/O), iowait, total."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    total = sum(values[:8])
    return {
        "busy": (total - idle - iowait) / TICKS,
        "iowait": iowait / TICKS,
        "steal": steal / TICKS,
        "total": total / TICKS,
    }
