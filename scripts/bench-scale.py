#!/usr/bin/env python3
"""Scaling benchmark (issue 20): the same spool of real speech through 1 `callvault run --once`
process and through 2 processes at once against one PostgreSQL cluster, and the throughput ratio.

The calls are Debian's asterisk-core-sounds-en-wav prompts concatenated into --call-seconds of
8 kHz speech each, --calls of them, one sidecar each. Every measurement gets a fresh database on
the cluster, a fresh copy of the spool and an empty archive; each process runs `--workers
--workers-per-process` jobs at once (default 1, so 1 → 2 processes is 1 → 2 encoders on a 2-core
machine). The wall time runs from the start of the first process to the end of the last; the
counts are checked (every call archived once, files = rows). The two configurations alternate in
every round, so a drift in the machine's load touches both alike. Printed: calls/s and
audio-seconds/s for each, the ratio 2 processes / 1, CPU seconds (user + system) of the workers,
and the load average before and after (on a busy machine the ratio means little: say so).

Without --postgres it starts a throwaway cluster (scripts/pg-cluster.sh, as the tests do) and
stops it at the end; with --postgres URL it uses that server (the password from PGPASSWORD or
PGPASSFILE) and creates and drops its own databases there.

    swift build -c release --static-swift-stdlib --product callvault
    scripts/bench-scale.py                          # 120 calls of 60 s, 3 rounds, release build
    scripts/bench-scale.py --calls 24 --call-seconds 20 --rounds 1 --callvault .build/debug/callvault
"""
import argparse, glob, json, os, resource, shutil, subprocess, sys, tempfile, time, urllib.parse, wave

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def build_calls(directory, count, seconds):
    """`count` WAV files of `seconds` of 8 kHz mono speech each (the prompts in turn)."""
    sounds = sorted(glob.glob("/usr/share/asterisk/sounds/en_US_f_Allison/**/*.wav", recursive=True))
    pcm = []
    for path in sounds:
        with wave.open(path) as w:
            if w.getframerate() == 8000 and w.getnchannels() == 1 and w.getsampwidth() == 2:
                pcm.append(w.readframes(w.getnframes()))
    if not pcm:
        sys.exit("bench-scale: asterisk-core-sounds-en-wav is not installed")
    frames = int(seconds * 8000)
    files, k = [], 0
    for i in range(count):
        data = b""
        while len(data) < 2 * frames:
            data += pcm[k % len(pcm)]
            k += 1
        name = os.path.join(directory, f"call-{i:04d}.wav")
        with wave.open(name, "wb") as out:
            out.setnchannels(1); out.setsampwidth(2); out.setframerate(8000)
            out.writeframes(data[: 2 * frames])
        files.append(name)
    return files, count * frames / 8000

def server_cpu(cluster):
    """CPU seconds (user + system) the throwaway cluster's server has used so far: the postmaster's
    own and its reaped children's (backends of closed connections), plus its live children's."""
    if not cluster:
        return None
    try:
        with open(os.path.join(cluster, "data", "postmaster.pid")) as f:
            master = int(f.readline())
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[1] is ppid; [11..14] utime, stime, cutime, cstime (stat fields 14-17).
        if int(pid) == master:
            total += sum(int(x) for x in fields[11:15])
        elif int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / tick

def psql(url, sql, env):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql], env=env, check=True,
                   stdout=subprocess.DEVNULL)

def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))

def measure(args, processes, files, base_url, env, directory, n, cluster=None):
    """One run of `processes` workers over a fresh copy of the spool; returns (wall s, CPU s,
    the database server's CPU s or None when it is not our throwaway cluster)."""
    database = f"cvscale_{os.getpid()}_{n}"
    psql(base_url, f"CREATE DATABASE {database}", env)
    root = tempfile.mkdtemp(dir=directory)
    try:
        incoming = os.path.join(root, "spool", "incoming")
        os.makedirs(incoming); os.makedirs(os.path.join(root, "archive"))
        for i, f in enumerate(files):
            shutil.copyfile(f, os.path.join(incoming, f"c{i:04d}.wav"))
            with open(os.path.join(incoming, f"c{i:04d}.json"), "w") as side:
                json.dump({"tracking_number": "+14155550100", "started_at": "2026-11-28T14:03:00Z", "call_id": f"scale-{n}-{i}"}, side)
        config = os.path.join(root, "callvault.toml")
        with open(config, "w") as c:
            c.write(f'spool = "spool"\narchive = "archive"\ndatabase = "{with_database(base_url, database)}"\n')
        # The processes migrate the new database themselves (under the advisory lock), inside the
        # measured time as in production: well under a second, the same for both configurations.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_before = server_cpu(cluster)
        start = time.perf_counter()
        running = [subprocess.Popen([args.callvault, "run", "--once", "--config", config, "--workers", str(args.workers_per_process),
                                     "--settle-seconds", "0", "--format", "json"],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(processes)]
        outputs = [p.communicate() for p in running]
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_after = server_cpu(cluster)
        archived = 0
        for p, (out, err) in zip(running, outputs):
            if p.returncode != 0:
                sys.exit(f"bench-scale: run --once exited {p.returncode}: {err.decode(errors='replace')[-2000:]}")
            archived += json.loads(out)["archived"]
        files_out = [name for _, _, names in os.walk(os.path.join(root, "archive")) for name in names if not name.startswith(".")]
        left = os.listdir(incoming)
        if archived != len(files) or len(files_out) != len(files) or left:
            sys.exit(f"bench-scale: {processes} process(es): archived {archived}, {len(files_out)} files, {len(left)} left in incoming/; expected {len(files)}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        server = None if server_before is None or server_after is None else server_after - server_before
        return wall, cpu, server
    finally:
        shutil.rmtree(root, ignore_errors=True)
        psql(base_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", env)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--callvault", default=os.path.join(ROOT, ".build/release/callvault"))
    ap.add_argument("--calls", type=int, default=120)
    ap.add_argument("--call-seconds", type=float, default=60)
    ap.add_argument("--rounds", type=int, default=3, help="each round measures 1 and 2 processes (alternating which first)")
    ap.add_argument("--workers-per-process", type=int, default=1, help="run's --workers in each process")
    ap.add_argument("--postgres", help="postgres://USER@HOST:PORT/DB of a server to use (default: a throwaway cluster)")
    args = ap.parse_args()
    if not os.access(args.callvault, os.X_OK):
        sys.exit(f"bench-scale: no callvault at {args.callvault} (swift build -c release --product callvault)")
    env = dict(os.environ)
    cluster = None
    with tempfile.TemporaryDirectory(prefix="callvault-scale-") as d:
        try:
            if args.postgres:
                base_url = args.postgres
            else:
                cluster = tempfile.mkdtemp(prefix="callvault-pg-")
                base_url = subprocess.run([os.path.join(ROOT, "scripts/pg-cluster.sh"), "start", cluster],
                                          check=True, capture_output=True, text=True).stdout.strip()
                env["PGPASSFILE"] = os.path.join(cluster, "pgpass")
            files, seconds = build_calls(d, args.calls, args.call_seconds)
            print(f"spool: {len(files)} calls of {args.call_seconds:g} s of 8 kHz speech ({seconds / 60:.1f} min); "
                  f"{args.workers_per_process} job(s) at once per process; {os.cpu_count()} cores; {args.callvault}")
            print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")
            totals = {1: [0.0, 0.0, 0.0], 2: [0.0, 0.0, 0.0]}
            server_known = cluster is not None
            n = 0
            for r in range(args.rounds):
                for processes in ((1, 2) if r % 2 == 0 else (2, 1)):
                    wall, cpu, server = measure(args, processes, files, base_url, env, d, n, cluster)
                    n += 1
                    totals[processes][0] += wall; totals[processes][1] += cpu
                    if server is None:
                        server_known = False
                    else:
                        totals[processes][2] += server
                    db = "" if server is None else f", database server {server:.2f} s CPU"
                    print(f"  round {r + 1}, {processes} process(es): {wall:.2f} s wall, {cpu:.2f} s CPU{db}")
            # The database server's CPU a call: on a machine it shares with the workers, the share
            # of the cores the encoders cannot have (known only for the throwaway cluster).
            print(f"{'processes':>9} {'calls/s':>10} {'audio-s/s':>10} {'CPU s/call':>11} {'DB CPU s/call':>14}")
            for processes in (1, 2):
                wall, cpu, server = totals[processes]
                calls = len(files) * args.rounds
                db = f"{server / calls:14.4f}" if server_known else f"{'-':>14}"
                print(f"{processes:>9} {calls / wall:10.2f} {seconds * args.rounds / wall:10.1f} {cpu / calls:11.3f} {db}")
            print(f"2 processes / 1: {totals[1][0] / totals[2][0]:.2f}x the throughput (calls/s and audio-s/s alike: the same spool)")
            print(f"load average after: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")
        finally:
            if cluster:
                subprocess.run([os.path.join(ROOT, "scripts/pg-cluster.sh"), "stop", cluster])

if __name__ == "__main__":
    main()
