"""Shared benchmark harness: CPU and wall time, machine load, interleaved repeats, equivalence checks.

Rules every benchmark follows (issue 17, point 7):

- every measure prints CPU time (user + system, children included) and wall time, with the machine
  load (1-minute load average for the number of cores) taken before and after;
- baseline and candidate run alternately (A B B A …), several times; the median is printed;
- the outputs of baseline and candidate are checked equivalent (the ratio is printed only then);
- one failing measure prints « ÉCHEC » with its reason and the script goes on with the others
  (exit code 1 at the end).

Measures in a fresh process (``run_child``) also give the peak resident memory of that process.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cpc_toolkit.fr import format_number


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    peak_mb: float | None = None
    machine: float | None = None  # busy CPU seconds of the whole machine (see machine_cpu)


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine (/proc/stat, every process): counts what ``cpu_now``
    cannot, e.g. Chromium's page processes, reaped by Chromium, not by this process."""
    with open("/proc/stat", encoding="ascii") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def cpu_now() -> float:
    """CPU seconds of this process and of its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def load() -> str:
    """« charge 1,2 / 2 cœurs » (1-minute load average)."""
    return f"charge {format_number(os.getloadavg()[0], 1)} / {os.cpu_count() or 1} cœurs"


def busy() -> bool:
    return os.getloadavg()[0] > (os.cpu_count() or 1)


def measure(fn: Callable[[], Any]) -> tuple[Sample, Any]:
    t0, c0 = time.perf_counter(), cpu_now()
    out = fn()
    return Sample(time.perf_counter() - t0, cpu_now() - c0), out


def run_child(args: list[str], env: dict[str, str] | None = None, timeout: float = 1800) -> tuple[Sample, dict]:
    """Run ``python args…`` in a fresh process that prints one JSON object on its last line.

    CPU time is the child's (rusage delta); ``peak_mb`` is read from the child's JSON (``peak_mb``,
    see :func:`child_peak_mb`) when it reports it.
    """
    t0, c0 = time.perf_counter(), cpu_now()
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)
    wall, cpu = time.perf_counter() - t0, cpu_now() - c0
    if proc.returncode != 0:
        raise RuntimeError(f"processus en échec (code {proc.returncode}) : {proc.stderr.strip()[-800:]}")
    lines = proc.stdout.strip().splitlines()
    data = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return Sample(wall, cpu, data.get("peak_mb")), data


def child_peak_mb() -> float:
    """Peak resident memory of the current process (Mo).

    Linux ``VmHWM`` (high-water mark of this process image): ``ru_maxrss`` would also count the
    parent's memory at fork time, which Linux carries over into the child across ``exec``.
    """
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fmt_s(x: float) -> str:
    return f"{format_number(x, 2 if x < 10 else 1)} s"


def describe(s: Sample) -> str:
    mem = f", mémoire de pointe {format_number(s.peak_mb, 0)} Mo" if s.peak_mb is not None else ""
    machine = f" (machine entière : {fmt_s(s.machine)} de CPU)" if s.machine is not None else ""
    return f"CPU {fmt_s(s.cpu)}{machine}, écoulé {fmt_s(s.wall)}{mem}"


def measure_machine(fn: Callable[[], Any]) -> tuple[Sample, Any]:
    """:func:`measure` plus the whole machine's CPU (for work done by processes this one does not reap)."""
    m0 = machine_cpu()
    s, out = measure(fn)
    return Sample(s.wall, s.cpu, s.peak_mb, machine_cpu() - m0), out


def median_sample(samples: list[Sample]) -> Sample:
    peaks = [s.peak_mb for s in samples if s.peak_mb is not None]
    machines = [s.machine for s in samples if s.machine is not None]
    return Sample(statistics.median(s.wall for s in samples), statistics.median(s.cpu for s in samples),
                  max(peaks) if peaks else None, statistics.median(machines) if machines else None)


@dataclass
class Comparison:
    name: str
    baseline: Sample
    candidate: Sample
    equivalent: bool

    @property
    def cpu_ratio(self) -> float:
        return self.baseline.cpu / max(self.candidate.cpu, 1e-9)

    @property
    def wall_ratio(self) -> float:
        return self.baseline.wall / max(self.candidate.wall, 1e-9)


def compare(name: str, baseline: Callable[[], Any], candidate: Callable[[], Any],
            equivalent: Callable[[Any, Any], bool], repeats: int = 3,
            sample: Callable[[Callable[[], Any]], tuple[Sample, Any]] = measure,
            labels: tuple[str, str] = ("référence", "candidat"), floor: bool = False) -> Comparison:
    """Interleave baseline and candidate (A B, B A, …), check outputs, print medians and ratios.

    ``floor=True``: the baseline is a floor (e.g. an empty process), the ratio printed is candidate / floor.
    """
    base, cand = [], []
    same = True
    for i in range(repeats):
        order = ((base, baseline), (cand, candidate)) if i % 2 == 0 else ((cand, candidate), (base, baseline))
        outs = {}
        for bucket, fn in order:
            s, out = sample(fn)
            bucket.append(s)
            outs[id(bucket)] = out
        same = same and bool(equivalent(outs[id(base)], outs[id(cand)]))
    res = Comparison(name, median_sample(base), median_sample(cand), same)
    print(f"  {name} — médianes de {repeats} passages alternés ({load()}) :")
    print(f"    {labels[0]:>10} : {describe(res.baseline)}")
    print(f"    {labels[1]:>10} : {describe(res.candidate)}")
    if same and floor:
        print(f"    coût / plancher : ×{format_number(1 / max(res.cpu_ratio, 1e-9), 1)} (CPU), "
              f"×{format_number(1 / max(res.wall_ratio, 1e-9), 1)} (écoulé) ; sortie vérifiée : oui")
    elif same and res.baseline.machine and res.candidate.machine:
        print(f"    rapport {labels[0]} / {labels[1]} : ×{format_number(res.baseline.machine / res.candidate.machine, 1)}"
              f" (CPU de la machine), ×{format_number(res.wall_ratio, 1)} (écoulé) ; sorties équivalentes : oui")
    elif same:
        print(f"    rapport {labels[0]} / {labels[1]} : ×{format_number(res.cpu_ratio, 1)} (CPU), "
              f"×{format_number(res.wall_ratio, 1)} (écoulé) ; sorties équivalentes : oui")
    else:
        print("    sorties NON équivalentes : pas de rapport publié")
    return res


def goal(label: str, value: float, limit: float, unit: str = "s") -> bool:
    ok = value <= limit
    print(f"  objectif {label} ≤ {format_number(limit, 2)} {unit} : {format_number(value, 2)} {unit} — "
          f"{'atteint' if ok else 'MANQUÉ'}")
    return ok


@dataclass
class Bench:
    """Sections that keep going when one fails; ``finish()`` prints the summary and the exit code."""

    title: str
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        print(f"== {self.title}")
        print(f"  machine : {os.cpu_count()} cœurs, {load()} au départ")

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        print(f"-- {name}")
        try:
            yield
        except Exception as exc:
            self.failures.append(name)
            print(f"  ÉCHEC de « {name} » : {type(exc).__name__}: {exc}")
            traceback.print_exc(limit=3, file=sys.stderr)

    def finish(self) -> int:
        print(f"  machine : {load()} à la fin" + (" — machine chargée : le temps CPU fait foi" if busy() else ""))
        if self.failures:
            print(f"  {len(self.failures)} mesure(s) en échec : {', '.join(self.failures)}")
            return 1
        return 0
