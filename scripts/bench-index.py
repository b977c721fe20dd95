#!/usr/bin/env python3
"""Index benchmark: builds an index of N synthetic calls (default 1,000,000) with the schema
callvault creates (the report aggregates' triggers fire on these direct inserts too), then times
typical `callvault query` and `report` commands end to end, process start included, and prints
p50/p99 latencies.

A few heavy callers (a test line, a robocaller: 5 numbers with 1% of the calls each, tens of
thousands of calls at 1M+) and anonymous calls (2%) are part of the mix; answered calls have
inner silences, some over the dead-air threshold.

    swift build -c release --static-swift-stdlib --product callvault
    scripts/bench-index.py --calls 1000000 --runs 30
    scripts/bench-index.py --calls 10000000 --runs 20 --keep /tmp/bench10m.sqlite
    scripts/bench-index.py --keep /tmp/bench10m.sqlite --reuse --exact-scan   # also time the full scans
    scripts/bench-index.py --calls 1000000 --keep /tmp/b1m.sqlite --postgres "$URL"   # the same on PostgreSQL

With --postgres URL (an empty database; the password from PGPASSFILE or ~/.pgpass), the SQLite
index is moved there with `callvault db migrate` (every call through the report trigger, timed),
and the commands run against PostgreSQL instead.
"""
import argparse, os, random, sqlite3, statistics, subprocess, sys, tempfile, time

CAMPAIGNS = [f"Campaign-{i:02d}" for i in range(40)]
SOURCES = ["google", "bing", "facebook", "radio", "print", "tv"]

def build(db, n, seed=7, con=None, callvault=None):
    """With `callvault`, the fast way: the report triggers are dropped for the bulk insert and put
    back after it, then `callvault db rebuild-aggregates` fills the derived tables from the calls
    (the same tables the triggers would have kept; it also exercises the rebuild at scale).
    Without it every insert fires the triggers, as `--ingest` measures."""
    rnd = random.Random(seed)
    con = con or sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    triggers, indexes = [], []
    if callvault:
        # The fast way also builds the secondary indexes of calls once at the end (a sort each)
        # instead of inserting 10M random keys into a dozen b-trees, with a large page cache.
        con.execute("PRAGMA cache_size = -4000000")
        triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'calls'").fetchall()
        indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL").fetchall()
        for name, _ in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        for name, _ in indexes:
            con.execute(f'DROP INDEX "{name}"')
        con.commit()
    numbers = [f"+1415555{1000 + i:04d}" for i in range(400)]
    con.execute("DELETE FROM registry")
    for i, num in enumerate(numbers):
        con.execute("INSERT INTO registry (tracking_number, campaign, source, medium, imported_at) VALUES (?,?,?,?,?)",
                    (num, CAMPAIGNS[i % len(CAMPAIGNS)], SOURCES[i % len(SOURCES)], "cpc", "2026-01-01T00:00:00Z"))
    start = 1767225600 - 365 * 86400  # a year of calls ending 2026-01-01
    callers = [f"+1{rnd.choice([212, 415, 646, 312, 617, 305, 773])}555{rnd.randrange(10000):04d}" for _ in range(200000)]
    heavy = [f"+1415555{9990 + i:04d}" for i in range(5)]  # 1% of the calls each
    rows = []
    for i in range(n):
        t = start + rnd.randrange(365 * 86400)
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        k = rnd.randrange(len(numbers))
        outcome = rnd.choices(["answered", "missed", "abandoned"], [70, 20, 10])[0]
        dur = rnd.randrange(5000, 900000) if outcome == "answered" else rnd.randrange(30000, 60000) if outcome == "missed" else rnd.randrange(1000, 29000)
        talk = int(dur * 0.7) if outcome == "answered" else 0
        r = rnd.random()
        caller = heavy[int(r * 100)] if r < 0.05 else None if r < 0.07 else rnd.choice(callers)
        # Inner silences: most answered calls a few seconds, 3% over the 10 s dead-air threshold.
        silence, silences = 0, "[]"
        if outcome == "answered" and dur > 60000:
            silence = rnd.randrange(10001, 40000) if rnd.random() < 0.03 else rnd.randrange(500, 6000)
            silences = f'[{{"start_ms":20000,"end_ms":{20000 + silence}}}]'
        cid = f"bench-{i}"
        rows.append((f"c{i:024x}", cid, caller, caller is not None, numbers[k], numbers[k], ts, dur, talk, outcome, silence, 0, silences, 1, 8000, "WAV", "x.wav",
                     f"{ts[:4]}/{ts[5:7]}/{ts[8:10]}/c{i:024x}.opus", "0" * 64, dur // 60, dur * 8, "0" * 64, "{}", "{}", "[]", ts,
                     CAMPAIGNS[k % len(CAMPAIGNS)], SOURCES[k % len(SOURCES)], "cpc", k + 1, caller[2:5] if caller else None))
        if len(rows) == 50000:
            insert(con, rows); rows = []
    if rows:
        insert(con, rows)
    for _, sql in indexes + triggers:
        con.execute(sql)
    con.commit()
    con.execute("ANALYZE")
    con.close()
    if callvault:
        t = time.perf_counter()
        subprocess.run([callvault, "db", "rebuild-aggregates", "--db", db], check=True, stdout=subprocess.DEVNULL)
        print(f"db rebuild-aggregates: {time.perf_counter() - t:.1f} s", flush=True)

def bulk_copy(db, d, url, callvault):
    """The index's schema, meta and registry moved by `db migrate` from an empty twin, then every
    call sent with COPY while the report triggers are off, and the aggregates filled by
    `db rebuild-aggregates` (the same tables the trigger would have kept)."""
    empty = os.path.join(d, "empty.sqlite")
    subprocess.run([callvault, "numbers", "relink", "--db", empty], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([callvault, "db", "migrate", "--from", empty, "--to", url], check=True, stdout=subprocess.DEVNULL)
    psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url]
    # Every trigger on calls is a report trigger (USER: not the key constraints' internal ones).
    subprocess.run(psql + ["-c", "ALTER TABLE calls DISABLE TRIGGER USER"], check=True)
    con = sqlite3.connect(db)
    columns = [r[1] for r in con.execute("PRAGMA table_info(calls)")]
    bools = {i for i, c in enumerate(columns) if c == "caller_valid"}
    t = time.perf_counter()
    p = subprocess.Popen(psql + ["-c", f"COPY calls ({', '.join(columns)}) FROM STDIN"], stdin=subprocess.PIPE, text=True)
    def text(i, v):
        if v is None:
            return "\\N"
        if i in bools:
            return "t" if v else "f"
        return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    for row in con.execute(f"SELECT {', '.join(columns)} FROM calls"):
        p.stdin.write("\t".join(text(i, v) for i, v in enumerate(row)) + "\n")
    p.stdin.close()
    if p.wait() != 0:
        sys.exit("COPY failed")
    print(f"COPY of the calls into PostgreSQL: {time.perf_counter() - t:.1f} s", flush=True)
    subprocess.run(psql + ["-c", "ALTER TABLE calls ENABLE TRIGGER USER; ANALYZE"], check=True)
    t = time.perf_counter()
    subprocess.run([callvault, "db", "rebuild-aggregates", "--db", url], check=True, stdout=subprocess.DEVNULL)
    print(f"db rebuild-aggregates on PostgreSQL: {time.perf_counter() - t:.1f} s", flush=True)

def insert(con, rows):
    con.executemany("""INSERT INTO calls (id, call_id, caller, caller_valid, tracking_number, tracking_number_raw, started_at, duration_ms, talk_ms,
        outcome, longest_silence_ms, leading_silence_ms, silences, channels, sample_rate, source_format, source_name,
        archive_path, sha256, bytes, source_bytes, source_sha256, metadata, extra, warnings, ingested_at,
        campaign, source, medium, registry_id, caller_area_code) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows)

def sizes(db):
    """Bytes of the report aggregates (tables and indexes of v8-report-aggregates) and of the rest."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()
    new = {"report_quarters", "report_campaign_quarters", "report_callers", "report_first_calls",
           "report_first_calls_started", "calls_caller_answered", "calls_answered_silence", "calls_dead_air",
           "report_area_quarters", "report_caller_ids", "report_number_keys", "report_area_keys",
           "report_number_days", "report_area_days", "report_caller_days", "report_caller_packs",
           "report_caller_last", "report_caller_last_missed"}
    added = sum(b for name, b in rows if name in new or any(name.startswith(f"sqlite_autoindex_{t}") for t in new))
    total = sum(b for _, b in rows)
    return added, total - added, {name: b for name, b in rows if name in new}

def timed(cmd, runs):
    # One untimed run first: the pages the command reads are then in the page cache, as on a
    # machine that serves these reports (a cold disk's first read is another measurement).
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - t) * 1000)
        if p.returncode not in (0, 3):
            sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr.decode()}")
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--callvault", default=".build/release/callvault")
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--keep", help="keep the index at this path")
    ap.add_argument("--reuse", action="store_true", help="with --keep: use the index already there")
    ap.add_argument("--exact-scan", action="store_true", help="also time each report with --exact-scan (3 runs)")
    ap.add_argument("--only", help="only the cases whose name contains this text")
    ap.add_argument("--rounds", type=int, default=3, help="with --ingest: alternating rounds of each variant")
    ap.add_argument("--slow-build", action="store_true", help="fire the report triggers on every insert instead of dropping them and rebuilding")
    ap.add_argument("--ingest", type=int, metavar="N", help="only compare the insert rate of N calls with and without the report triggers")
    ap.add_argument("--postgres", metavar="URL", help="move the index into this empty PostgreSQL database and time the commands there")
    ap.add_argument("--postgres-reuse", action="store_true", help="with --postgres: the database already holds the index")
    ap.add_argument("--postgres-bulk", action="store_true",
                    help="with --postgres: copy the calls with COPY, the report trigger off, then db rebuild-aggregates (for 10M: db migrate sends each call through the trigger)")
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="callvault-index-")
    if args.ingest:
        # The same N rows into fresh indexes: without any report aggregate (tables, triggers,
        # listing indexes); as v8 left them (v11's area table and triggers dropped, v8's dead-air
        # index back); and as they are now. Rounds alternate, so the machine's load hits each alike.
        variants = (("without the report aggregates", "none"), ("v8 aggregates (before v11)", "v8"),
                    ("v13 aggregates (before v15)", "v13"), ("the aggregates as this build makes them (now)", "now"))
        dimension_tables = ("report_caller_ids", "report_number_keys", "report_area_keys", "report_number_days", "report_area_days", "report_caller_days")
        rates = {label: [] for label, _ in variants}
        for round in range(args.rounds):
            for label, kind in variants:
                db = os.path.join(d, f"ingest-{kind}-{round}.sqlite")
                subprocess.run([args.callvault, "numbers", "relink", "--db", db], check=True, stdout=subprocess.DEVNULL)
                con = sqlite3.connect(db)
                if kind == "none":
                    for (k, name) in con.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'report_%' OR name IN ('calls_caller_answered', 'calls_answered_silence', 'calls_dead_air')").fetchall():
                        if k in ("trigger", "index", "table"):
                            con.execute(f"DROP {k.upper()} IF EXISTS {name}")
                if kind in ("v8", "v13"):
                    # v15's per-day dimension tables and their triggers.
                    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report_dimension_%'").fetchall():
                        con.execute(f"DROP TRIGGER {name}")
                    for name in dimension_tables:
                        con.execute(f"DROP TABLE IF EXISTS {name}")
                if kind == "v8":
                    for (k, name) in con.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'report_area_%'").fetchall():
                        if k in ("trigger", "table"):
                            con.execute(f"DROP {k.upper()} IF EXISTS {name}")
                    con.execute("DROP INDEX IF EXISTS calls_dead_air")
                    con.execute("CREATE INDEX IF NOT EXISTS calls_answered_silence ON calls(started_at, longest_silence_ms) WHERE outcome = 'answered'")
                con.commit()
                t = time.perf_counter()
                build(db, args.ingest, con=con)
                dt = time.perf_counter() - t
                rates[label].append(args.ingest / dt)
                os.remove(db)
                print(f"round {round + 1}: {args.ingest:,} calls {label}: {dt:.1f} s ({args.ingest / dt:,.0f} calls/s, generation included)", flush=True)
        for label, r in rates.items():
            print(f"{label}: median {statistics.median(r):,.0f} calls/s over {len(r)} rounds")
        return
    db = args.keep or os.path.join(d, "index.sqlite")
    if not (args.reuse and os.path.exists(db)):
        if os.path.exists(db):
            os.remove(db)
        subprocess.run([args.callvault, "numbers", "relink", "--db", db], check=True, stdout=subprocess.DEVNULL)
        t = time.perf_counter()
        build(db, args.calls, callvault=None if args.slow_build else args.callvault)
        print(f"index: {args.calls:,} calls built in {time.perf_counter() - t:.1f} s ({os.path.getsize(db) / 2**20:.0f} MB)")
    s = sizes(db)
    if s:
        added, rest, parts = s
        print(f"report aggregates and indexes: {added / 2**20:.0f} MB on {rest / 2**20:.0f} MB (+{added / rest * 100:.1f}%): "
              + ", ".join(f"{k} {v / 2**20:.0f} MB" for k, v in sorted(parts.items())))
    base = [args.callvault]
    db_args = ["--db", db, "--archive", d]
    if args.postgres:
        if args.postgres_bulk and not args.postgres_reuse:
            bulk_copy(db, d, args.postgres, args.callvault)
        elif not args.postgres_reuse:
            t = time.perf_counter()
            subprocess.run([args.callvault, "db", "migrate", "--from", db, "--to", args.postgres, "--batch", "2000"], check=True, stdout=subprocess.DEVNULL)
            print(f"db migrate to PostgreSQL (every call through the report trigger): {time.perf_counter() - t:.1f} s", flush=True)
        db_args = ["--db", args.postgres, "--archive", d]
    cases = {
        "query --campaign C --since/--until (1 month)": ["query", "--campaign", "Campaign-07", "--since", "2025-06-01", "--until", "2025-06-30"],
        "query --campaign C --campaign D (1 week)": ["query", "--campaign", "Campaign-07", "--campaign", "Campaign-08", "--since", "2025-06-01", "--until", "2025-06-07"],
        "query --caller N": ["query", "--caller", "(415) 555-0000"],
        "query --tracking-number N (1 month)": ["query", "--tracking-number", "+14155551007", "--since", "2025-03-01", "--until", "2025-03-31"],
        "query --outcome missed (1 day)": ["query", "--outcome", "missed", "--since", "2025-09-10", "--until", "2025-09-10"],
        "query newest 100": ["query"],
    }
    for name, cmd in cases.items():
        if args.only and args.only not in name:
            continue
        p50, p99 = timed(base + cmd + db_args + ["--format", "json"], args.runs)
        print(f"{name:50} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
    year = ["--since", "2025-01-01", "--until", "2025-12-31"]
    month = ["--since", "2025-06-01", "--until", "2025-06-30"]
    reports = {
        "report summary --by day (1 year)": ["report", "summary", "--by", "day"] + year,
        "report summary --by day --tz Asia/Kathmandu (1 year)": ["report", "summary", "--by", "day", "--tz", "Asia/Kathmandu"] + year,
        "report summary --by hour (1 year)": ["report", "summary", "--by", "hour"] + year,
        "report summary --by campaign (1 year)": ["report", "summary", "--by", "campaign"] + year,
        "report summary --by campaign C --by day (1 year)": ["report", "summary", "--by", "day", "--campaign", "Campaign-07"] + year,
        "report callers (1 year)": ["report", "callers"] + year,
        "report area-codes (1 year)": ["report", "area-codes"] + year,
        "report summary --by source (1 year)": ["report", "summary", "--by", "source"] + year,
        "report summary --by tracking-number (1 year)": ["report", "summary", "--by", "tracking-number"] + year,
        "report summary --by source --tz Asia/Kathmandu (1 year)": ["report", "summary", "--by", "source", "--tz", "Asia/Kathmandu"] + year,
        "report hours --tz America/New_York (1 year)": ["report", "hours", "--tz", "America/New_York"] + year,
        "report compare (two months of one campaign)": ["report", "compare", "--campaign", "Campaign-07", "--before", "2025-03-01..2025-03-31", "--after", "2025-04-01..2025-04-30"],
        "report missed (1 month, first 1000)": ["report", "missed"] + month,
        "report missed --limit 0 (1 month, every call)": ["report", "missed", "--limit", "0"] + month,
        "report missed --unreturned (1 month)": ["report", "missed", "--unreturned"] + month,
        "report dead-air (1 month)": ["report", "dead-air"] + month,
        "report missed --unreturned (last month, first 1000)": ["report", "missed", "--unreturned", "--since", "2025-12-01", "--until", "2025-12-31"],
        "report missed --unreturned (whole index)": ["report", "missed", "--unreturned"],
    }
    has_report = "report" in subprocess.run(base + ["--help"], capture_output=True, text=True).stdout
    if has_report:
        for name, cmd in reports.items():
            if args.only and args.only not in name:
                continue
            p50, p99 = timed(base + cmd + db_args + ["--format", "json"], args.runs)
            line = f"{name:50} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms"
            if args.exact_scan and "missed" not in name and "dead-air" not in name:
                s50, s99 = timed(base + cmd + db_args + ["--format", "json", "--exact-scan"], 3)
                line += f"   (--exact-scan p50 {s50:7.1f} ms)"
            print(line, flush=True)
    print("(wall time of the whole command, process start included)")

if __name__ == "__main__":
    main()
