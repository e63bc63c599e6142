"""Run every benchmark in one process and one run; print ratios and write JSON.

Each ``benchmarks/bench_*.py`` module exposes ``run(quick: bool = False) -> dict[str, float]``.
Workloads are measured beside their floor (raw SQL doing the same writes and reads, or a
hand-written query) in the same process, so ratios hold on a noisy machine; absolute times are
reported for context only.

Usage: ``python benchmarks/run.py [--quick] [--only NAME ...] [--json PATH]``
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def core_import_time() -> dict[str, float]:
    """Import time of ``s2c_core`` in a fresh interpreter, against ``import attrs`` alone."""

    def measure(stmt: str) -> float:
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", stmt], check=True)
            best = min(best, time.perf_counter() - t0)
        return best

    floor = measure("pass")
    core = measure("import s2c_core")
    return {
        "interpreter_s": round(floor, 4),
        "import_s2c_core_s": round(core, 4),
        "import_cost_s": round(core - floor, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI smoke run)")
    parser.add_argument("--only", nargs="*", default=None, help="bench module names")
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    results: dict[str, object] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "quick": args.quick,
    }
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only or n in args.only]
    results["import"] = core_import_time()
    print(f"import s2c_core: {results['import']}")
    for name in names:
        module = importlib.import_module(name)
        # the previous workload's dirty pages are written out first: the disk's own catch-up
        # would otherwise weigh on this one's fsyncs and CPU
        os.sync()
        time.sleep(1.0)
        print(f"\n== {name} ==")
        t0 = time.perf_counter()
        try:
            figures = module.run(quick=args.quick)
        except Exception as exc:  # a broken benchmark must not hide the others
            figures = {"error": f"{type(exc).__name__}: {exc}"}
        figures["wall_s"] = round(time.perf_counter() - t0, 2)
        results[name] = figures
        for key, value in figures.items():
            print(f"  {key:<40} {value}")
    args.json.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwritten {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
