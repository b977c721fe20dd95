#!/usr/bin/env python3
"""Two callvault builds on the same index, run by run in turn: the reports whose figures moved.

    scripts/bench-ab.py OLD NEW --index /tmp/bench10m.sqlite [--runs 20] [--only TEXT]

Each report runs once untimed per build, then `--runs` times per build, the builds alternating
(first one, then the other, then the other way round), so a machine whose speed drifts over
minutes (a shared VM) weighs on both alike. Prints, per report and build, the median and the
largest wall time of the whole process and the median CPU time (user + system, all threads).
The index is one built by `scripts/bench-index.py --keep` (its dates: 2025).
"""
import argparse, os, resource, statistics, subprocess, time

YEAR = ["--since", "2025-01-01", "--until", "2025-12-31"]
CASES = {
    "summary --by hour (1 year)": ["report", "summary", "--by", "hour"] + YEAR,
    "summary --by day (1 year)": ["report", "summary", "--by", "day"] + YEAR,
    "summary --by day --campaign C (1 year)": ["report", "summary", "--by", "day", "--campaign", "Campaign-07"] + YEAR,
    "summary --by tracking-number (1 year)": ["report", "summary", "--by", "tracking-number"] + YEAR,
    "summary --by source --tz Asia/Kathmandu (1 year)": ["report", "summary", "--by", "source", "--tz", "Asia/Kathmandu"] + YEAR,
    "callers (1 year)": ["report", "callers"] + YEAR,
    "dead-air (1 month)": ["report", "dead-air", "--since", "2025-06-01", "--until", "2025-06-30"],
}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--index", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--only", help="only the reports whose name contains this text")
    args = ap.parse_args()
    builds = [args.old, args.new]
    for name, cmd in CASES.items():
        if args.only and args.only not in name:
            continue
        full = {b: [b] + cmd + ["--db", args.index, "--format", "json"] for b in builds}
        wall = {b: [] for b in builds}
        cpu = {b: [] for b in builds}
        for b in builds:
            subprocess.run(full[b], stdout=subprocess.DEVNULL, check=True)
        for i in range(args.runs):
            for b in (builds if i % 2 == 0 else builds[::-1]):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run(full[b], stdout=subprocess.DEVNULL, check=True)
                wall[b].append((time.perf_counter() - t) * 1000)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[b].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        line = f"{name:50}"
        for b in builds:
            line += (f" | {os.path.basename(b)}: wall p50 {statistics.median(wall[b]):6.1f} max {max(wall[b]):6.1f} ms,"
                     f" CPU p50 {statistics.median(cpu[b]):6.1f} ms")
        print(line, flush=True)

if __name__ == "__main__":
    main()
