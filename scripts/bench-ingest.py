#!/usr/bin/env python3
"""Ingest benchmark: what the report aggregates cost `callvault run`.

The same spool of real speech (Asterisk prompts, 8 kHz, `--seconds` per call) goes through
`callvault run --once` into a fresh index twice per round: as callvault creates it (every report
trigger keeping its tables in the call's transaction) and with the report triggers dropped (the
tables stay, nothing maintains them: the index without the aggregates' cost). Rounds alternate the
order so the machine's drift hits both alike; wall and CPU time are summed per variant.

    scripts/bench-ingest.py --callvault .build-release/release/callvault --calls 200 --seconds 60 --rounds 3

`--index PATH` starts each run from a copy of an existing index (e.g. a 1M-call one, its archive
marked as that index's), so the triggers work on tables of that size.

`--postgres URL` (a database of a server where the user may create databases; the password from
PGPASSFILE) ingests into PostgreSQL instead: each run into a new database (`--postgres-template
DB`: a copy of that one, e.g. a 1M-call index), the report triggers disabled in the second
variant. The CPU figure is then the whole machine's busy time (/proc/stat): the triggers run in
the server.

    scripts/bench-ingest.py --calls 120 --rounds 2 --postgres "$URL" --postgres-template b1m
"""
import argparse, json, os, resource, shutil, sqlite3, subprocess, sys, tempfile, time, wave
import glob


def corpus(directory, calls, seconds):
    """`calls` WAV files of `seconds` each, cut from the prompts at a different offset each."""
    sounds = sorted(glob.glob("/usr/share/asterisk/sounds/en_US_f_Allison/**/*.wav", recursive=True))
    pcm = b""
    for path in sounds:
        with wave.open(path) as w:
            if w.getframerate() == 8000 and w.getnchannels() == 1 and w.getsampwidth() == 2:
                pcm += w.readframes(w.getnframes())
    if not pcm:
        sys.exit("asterisk-core-sounds-en-wav is not installed")
    size = seconds * 8000 * 2
    files = []
    for i in range(calls):
        start = (i * 7919 * 2 * 97) % max(len(pcm) - size, 2) & ~1
        data = (pcm * (size // len(pcm) + 2))[start:start + size]
        name = os.path.join(directory, f"call-{i:04d}.wav")
        with wave.open(name, "wb") as out:
            out.setnchannels(1); out.setsampwidth(2); out.setframerate(8000)
            out.writeframes(data)
        files.append(name)
    return files


def psql(url, sql):
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def with_database(url, name):
    """`url` naming database `name` instead."""
    head, _, tail = url.partition("?")
    return head.rsplit("/", 1)[0] + "/" + name + ("?" + tail if tail else "")


def busy_seconds():
    """The machine's busy CPU time so far (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / os.sysconf("SC_CLK_TCK")


def one_run(args, files, directory, keep_triggers, round_no):
    root = tempfile.mkdtemp(dir=directory)
    incoming = os.path.join(root, "spool", "incoming")
    os.makedirs(incoming); os.makedirs(os.path.join(root, "archive"))
    db = os.path.join(root, "index.sqlite")
    if args.postgres:
        name = f"callvault_ingest_{os.getpid()}_{round_no}_{int(keep_triggers)}"
        psql(args.postgres, f"DROP DATABASE IF EXISTS {name}")
        psql(args.postgres, f"CREATE DATABASE {name}" + (f" TEMPLATE {args.postgres_template}" if args.postgres_template else ""))
        db = with_database(args.postgres, name)
        # Opening it migrates the schema (a relink would rewrite every call of a template's copy).
        subprocess.run([args.callvault, "query", "--limit", "1", "--db", db], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        index_id = psql(db, "SELECT value FROM meta WHERE key = 'index_id'")
        with open(os.path.join(root, "archive", ".callvault-archive"), "w") as marker:
            json.dump({"created_at": "2026-11-30T00:00:00Z", "index_id": index_id, "note": "bench-ingest.py"}, marker)
        if not keep_triggers:
            # Every trigger on calls is a report trigger (USER: not the key constraints' internal ones).
            psql(db, "ALTER TABLE calls DISABLE TRIGGER USER")
    elif args.index:
        shutil.copyfile(args.index, db)  # at the binary's schema already (a relink would rewrite every call)
        # The archive must be the index's: its marker names the index (as the worker writes it).
        con = sqlite3.connect(db)
        index_id = con.execute("SELECT value FROM meta WHERE key = 'index_id'").fetchone()[0]
        con.close()
        with open(os.path.join(root, "archive", ".callvault-archive"), "w") as marker:
            json.dump({"created_at": "2026-11-30T00:00:00Z", "index_id": index_id, "note": "bench-ingest.py"}, marker)
    else:
        subprocess.run([args.callvault, "numbers", "relink", "--db", db], check=True, stdout=subprocess.DEVNULL)
    if not keep_triggers and not args.postgres:
        con = sqlite3.connect(db)
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report_%'").fetchall():
            con.execute(f'DROP TRIGGER "{name}"')
        con.commit(); con.close()
    for i, f in enumerate(files):
        shutil.copyfile(f, os.path.join(incoming, f"c{i:04d}.wav"))
        with open(os.path.join(incoming, f"c{i:04d}.json"), "w") as side:
            json.dump({"tracking_number": f"+1415555{1000 + i % 50:04d}", "caller": f"+1212555{i % 300:04d}",
                       "started_at": f"2026-11-{1 + round_no:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00Z",
                       "call_id": f"ingest-{round_no}-{i}"}, side)
    config = os.path.join(root, "callvault.toml")
    with open(config, "w") as c:
        c.write(f'spool = "spool"\narchive = "archive"\ndatabase = "{db if args.postgres else "index.sqlite"}"\n')
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = busy_seconds()
    t = time.perf_counter()
    try:
        p = subprocess.run([args.callvault, "run", "--once", "--config", config, "--workers", str(args.workers), "--settle-seconds", "0"],
                           capture_output=True)
    except BaseException:
        if args.postgres:
            psql(args.postgres, f"DROP DATABASE IF EXISTS {db.rsplit('/', 1)[1].split('?')[0]} WITH (FORCE)")
        raise
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = busy_seconds() - busy
    if p.returncode != 0:
        if args.postgres:
            psql(args.postgres, f"DROP DATABASE IF EXISTS {db.rsplit('/', 1)[1].split('?')[0]} WITH (FORCE)")
        sys.exit(f"run failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    if args.postgres:
        archived = int(psql(db, f"SELECT count(*) FROM calls WHERE call_id LIKE 'ingest-{round_no}-%'"))
        if keep_triggers:
            # The trigger's tables describe every call (the aggregates' quarters sum to the calls).
            total, summed = psql(db, "SELECT (SELECT count(*) FROM calls), (SELECT coalesce(sum(calls), 0) FROM report_quarters)").split("|")
            if total != summed:
                sys.exit(f"report_quarters describe {summed} calls of {total}")
        psql(args.postgres, f"DROP DATABASE {db.rsplit('/', 1)[1].split('?')[0]}")
    else:
        con = sqlite3.connect(db)
        archived = con.execute("SELECT count(*) FROM calls WHERE call_id LIKE ?", (f"ingest-{round_no}-%",)).fetchone()[0]
        con.close()
    if archived != len(files):
        sys.exit(f"expected {len(files)} calls archived, found {archived}")
    shutil.rmtree(root)
    if args.postgres:
        return wall, busy
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--callvault", default=".build/release/callvault")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=60, help="length of each call")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--index", help="start each run from a copy of this index")
    ap.add_argument("--postgres", metavar="URL", help="ingest into a new PostgreSQL database of this server per run")
    ap.add_argument("--postgres-template", metavar="DB", help="with --postgres: each run's database a copy of this one")
    args = ap.parse_args()
    if args.postgres and args.index:
        ap.error("--index is a SQLite index to copy; with --postgres use --postgres-template DB")
    directory = tempfile.mkdtemp(prefix="callvault-ingest-")
    try:
        files = corpus(directory, args.calls, args.seconds)
        totals = {True: [0.0, 0.0], False: [0.0, 0.0]}
        for r in range(args.rounds):
            for keep in ((True, False) if r % 2 == 0 else (False, True)):
                wall, cpu = one_run(args, files, directory, keep, r)
                totals[keep][0] += wall; totals[keep][1] += cpu
                label = "with the report aggregates" if keep else "report triggers dropped"
                print(f"round {r + 1}: {label:28} {args.calls / wall:7.2f} calls/s wall, {args.calls / cpu:7.2f} calls/CPU-s", flush=True)
        n = args.calls * args.rounds
        for keep, label in ((True, "with the report aggregates"), (False, "report triggers dropped")):
            wall, cpu = totals[keep]
            print(f"{label:28} {n / wall:7.2f} calls/s wall, {n / cpu:7.2f} calls/CPU-s ({n} calls of {args.seconds} s)")
        print(f"aggregates / none: wall {totals[True][0] / totals[False][0]:.3f}x, CPU {totals[True][1] / totals[False][1]:.3f}x "
              "(time; below 1.05 is within 5%)")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
