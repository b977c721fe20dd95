#!/usr/bin/env python3
"""Transcoding benchmark: callvault's one-pass pipeline against the libopus limit, ffmpeg -c:a libopus and opusenc.

Builds a corpus of real 8 kHz speech (Debian's asterisk-core-sounds-en-wav, all prompts
concatenated, repeated to reach --minutes), transcodes it with each tool at the same bitrate and
complexity, one process per file, one at a time, and prints audio-seconds per wall-second, the
ratios, and each tool's peak RSS. The limit is scripts/bare-opus.c: the same PCM through bare
`opus_encode_float` (one encoder per channel), no decoding library, no analysis, no Ogg. The same
corpus is then run as dual-channel files (the other channel the same speech, shifted), against the
limit and `ffmpeg -mapping_family 255` (uncoupled streams, as callvault). Then it transcodes one
long file (--long-hours, default 4) with callvault alone to show memory stays flat whatever the length.

With --encryption it measures the whole pipeline instead: `callvault run --once` over the corpus as
a spool (one sidecar per file), without and with `[encryption] recipients` (a key from `age-keygen`),
alternating the two in every round, and prints each one's throughput and the ratio.

    scripts/bench.sh                 # builds release, then runs this
    scripts/bench.py --minutes 30 --bitrate 16000 --complexity 5 --long-hours 4 --rounds 1
    scripts/bench.py --encryption --minutes 10 --rounds 3
"""
import argparse, array, glob, json, os, shutil, subprocess, sys, tempfile, time, wave

def run(cmd):
    """Runs cmd, returns (wall seconds, peak RSS in MB, CPU seconds user + system)."""
    # GNU time reports the child's own peak RSS (a forked child's rusage would include this script's).
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", rss.name] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode(errors='replace')}")
        kb, user, system = rss.read().split()[-3:]
        return wall, int(kb) / 1024, float(user) + float(system)

def build_corpus(directory, minutes):
    sounds = sorted(glob.glob("/usr/share/asterisk/sounds/en_US_f_Allison/**/*.wav", recursive=True))
    if not sounds:
        sys.exit("asterisk-core-sounds-en-wav is not installed")
    frames_per_file = 8000 * 600  # 10-minute files, like a long call each
    files, out, written, total = [], None, 0, 0
    while total < minutes * 60 * 8000:
        for path in sounds:
            with wave.open(path) as w:
                if w.getframerate() != 8000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
                    continue
                data = w.readframes(w.getnframes())
            if out is None:
                name = os.path.join(directory, f"corpus-{len(files):02d}.wav")
                out = wave.open(name, "wb"); out.setnchannels(1); out.setsampwidth(2); out.setframerate(8000)
                files.append(name); written = 0
            out.writeframes(data)
            n = len(data) // 2
            written += n; total += n
            if written >= frames_per_file:
                out.close(); out = None
            if total >= minutes * 60 * 8000:
                break
    if out:
        out.close()
    return files, total / 8000

def make_dual(directory, corpus):
    """Each corpus file as two channels: the speech, and the same speech shifted by half its length."""
    files = []
    for i, f in enumerate(corpus):
        with wave.open(f) as w:
            left = array.array("h", w.readframes(w.getnframes()))
        half = len(left) // 2
        right = left[half:] + left[:half]
        both = array.array("h", bytes(4 * len(left)))
        both[0::2] = left
        both[1::2] = right
        name = os.path.join(directory, f"dual-{i:02d}.wav")
        with wave.open(name, "wb") as out:
            out.setnchannels(2); out.setsampwidth(2); out.setframerate(8000)
            out.writeframes(both.tobytes())
        files.append(name)
    return files

def build_bare(directory):
    """Compiles scripts/bare-opus.c (the libopus limit)."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bare-opus.c")
    binary = os.path.join(directory, "bare-opus")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "opus"], capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["cc", "-O2", "-o", binary, source] + flags, check=True)
    return binary

def measure(tools, files, seconds, reference, rounds):
    """Runs every tool over every file `rounds` times; prints the table with callvault's speed as a
    ratio to each (above 1: faster), by wall time and by CPU time (user + system, which another
    process on the machine disturbs less)."""
    walls = {name: 0.0 for name in tools}
    cpus = {name: 0.0 for name in tools}
    rsss = {name: 0.0 for name in tools}
    # File by file, every tool in turn: a change in the machine's load touches all tools alike.
    for _ in range(rounds):
        for f in files:
            for name, cmd in tools.items():
                w, r, c = run(cmd(f))
                walls[name] += w; cpus[name] += c; rsss[name] = max(rsss[name], r)
    audio = seconds * rounds
    print(f"{'tool':42} {'audio-s/wall-s':>14} {'audio-s/CPU-s':>14} {'peak RSS MB':>12} {'callvault is (wall)':>20} {'(CPU)':>7}")
    for name in tools:
        ratio = "" if name == reference else f"{walls[name] / walls[reference]:.2f}x"
        cratio = "" if name == reference else f"{cpus[name] / cpus[reference]:.2f}x"
        print(f"{name:42} {audio / walls[name]:14.1f} {audio / cpus[name]:14.1f} {rsss[name]:12.1f} {ratio:>20} {cratio:>7}")

def make_long(directory, corpus, hours):
    """A headerless 8 kHz s16le file (.sln, as Asterisk writes) of `hours`, built by repeating the corpus."""
    path = os.path.join(directory, "long.sln")
    target = int(hours * 3600 * 8000 * 2)
    pcm = b"".join(wave.open(f).readframes(10**9) for f in corpus)
    with open(path, "wb") as out:
        written = 0
        while written < target:
            chunk = pcm[: target - written]
            out.write(chunk); written += len(chunk)
    return path, target / 2 / 8000

def pipeline(args, files, seconds, directory):
    """`callvault run --once` on a spool of the corpus, without and with [encryption]: wall and CPU
    time per configuration, summed over the rounds, the order alternating so load drifts cancel."""
    key = os.path.join(directory, "key.txt")
    subprocess.run(["age-keygen", "-o", key], check=True, capture_output=True)
    recipient = next(l.split(": ", 1)[1].strip() for l in open(key) if l.startswith("# public key: "))
    totals = {"plain": [0.0, 0.0, 0.0], "age": [0.0, 0.0, 0.0]}
    for r in range(args.rounds):
        for mode in (("plain", "age") if r % 2 == 0 else ("age", "plain")):
            root = tempfile.mkdtemp(dir=directory)
            incoming = os.path.join(root, "spool", "incoming")
            os.makedirs(incoming); os.makedirs(os.path.join(root, "archive"))
            for i, f in enumerate(files):
                shutil.copyfile(f, os.path.join(incoming, f"c{i:03d}.wav"))
                with open(os.path.join(incoming, f"c{i:03d}.json"), "w") as side:
                    json.dump({"tracking_number": "+14155550100", "started_at": "2026-11-28T14:03:00Z", "call_id": f"bench-{i}"}, side)
            config = os.path.join(root, "callvault.toml")
            with open(config, "w") as c:
                c.write(f'spool = "spool"\narchive = "archive"\ndatabase = "index.sqlite"\n\n[encoder]\n'
                        f'bitrate = {args.bitrate}\ncomplexity = {args.complexity}\n')
                if mode == "age":
                    c.write(f'\n[encryption]\nrecipients = ["{recipient}"]\n')
            wall, rss, cpu = run([args.callvault, "run", "--once", "--config", config, "--workers", str(args.workers), "--settle-seconds", "0"])
            archived = [n for _, _, names in os.walk(os.path.join(root, "archive")) for n in names if not n.startswith(".")]
            suffix = ".opus.age" if mode == "age" else ".opus"
            if len(archived) != len(files) or not all(n.endswith(suffix) for n in archived):
                sys.exit(f"{mode}: expected {len(files)} {suffix} files, found {archived}")
            totals[mode][0] += wall; totals[mode][1] += cpu; totals[mode][2] = max(totals[mode][2], rss)
            shutil.rmtree(root)
    audio = seconds * args.rounds
    print(f"{'pipeline (run --once, workers ' + str(args.workers) + ')':42} {'audio-s/wall-s':>14} {'audio-s/CPU-s':>14} {'peak RSS MB':>12}")
    for mode, label in (("plain", "no key"), ("age", "[encryption] 1 recipient")):
        wall, cpu, rss = totals[mode]
        print(f"{label:42} {audio / wall:14.1f} {audio / cpu:14.1f} {rss:12.1f}")
    print(f"with a key / without: wall {totals['age'][0] / totals['plain'][0]:.3f}x, CPU {totals['age'][1] / totals['plain'][1]:.3f}x (time; below 1.05 is within 5%)")

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--callvault", default=".build/release/callvault")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--bitrate", type=int, default=16000)
    ap.add_argument("--complexity", type=int, default=5)
    ap.add_argument("--long-hours", type=float, default=4)
    ap.add_argument("--rounds", type=int, default=1, help="passes over the corpus (more smooths a busy machine)")
    ap.add_argument("--encryption", action="store_true", help="measure run --once without and with [encryption] instead")
    ap.add_argument("--workers", type=int, default=1, help="with --encryption: run's --workers")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="callvault-bench-") as d:
        files, seconds = build_corpus(d, args.minutes)
        print(f"corpus: {len(files)} files, {seconds/60:.1f} min of 8 kHz speech; {args.bitrate} bit/s, complexity {args.complexity}")
        if args.encryption:
            print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")
            pipeline(args, files, seconds, d)
            print(f"load average after: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")
            return
        kbps = args.bitrate // 1000
        bare = build_bare(d)
        out = os.path.join(d, "out.opus")
        cv = "callvault (decode+analyse+hash+encode)"
        print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")
        measure({
            cv: lambda f: [args.callvault, "transcode", f, out,
                "--bitrate", str(args.bitrate), "--complexity", str(args.complexity)],
            "callvault --no-mask-dtmf (DTMF detection off)": lambda f: [args.callvault, "transcode", f, out, "--no-mask-dtmf",
                "--bitrate", str(args.bitrate), "--complexity", str(args.complexity)],
            "bare opus_encode_float (the limit)": lambda f: [bare, "single", f, str(args.bitrate), str(args.complexity)],
            "ffmpeg -c:a libopus": lambda f: ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", f, "-c:a", "libopus",
                "-b:a", f"{kbps}k", "-application", "voip", "-compression_level", str(args.complexity), out],
            "opusenc": lambda f: ["opusenc", "--quiet", "--bitrate", str(kbps), "--comp", str(args.complexity), f, out],
        }, files, seconds, cv, args.rounds)
        dual = make_dual(d, files)
        print(f"dual channel: the same {seconds/60:.1f} min as 2 channels, {args.bitrate} bit/s per channel")
        measure({
            cv: lambda f: [args.callvault, "transcode", f, out,
                "--bitrate", str(args.bitrate), "--complexity", str(args.complexity)],
            "callvault --no-mask-dtmf (DTMF detection off)": lambda f: [args.callvault, "transcode", f, out, "--no-mask-dtmf",
                "--bitrate", str(args.bitrate), "--complexity", str(args.complexity)],
            "bare opus_encode_float x2 (the limit)": lambda f: [bare, "single", f, str(args.bitrate), str(args.complexity)],
            "ffmpeg -c:a libopus -mapping_family 255": lambda f: ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", f,
                "-c:a", "libopus", "-mapping_family", "255", "-b:a", f"{2 * kbps}k", "-application", "voip",
                "-compression_level", str(args.complexity), out],
        }, dual, seconds, cv, args.rounds)
        for f in dual:
            os.remove(f)
        print(f"load average after: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")
        if args.long_hours > 0:
            long_path, long_seconds = make_long(d, files, args.long_hours)
            short_wall, short_rss, _ = run([args.callvault, "transcode", files[0], os.path.join(d, "s.opus")])
            wall, rss, _ = run([args.callvault, "transcode", long_path, os.path.join(d, "long.opus"),
                             "--bitrate", str(args.bitrate), "--complexity", str(args.complexity)])
            print(f"long file: {long_seconds/3600:.1f} h in {wall:.1f} s ({long_seconds/wall:.0f} audio-s/s), "
                  f"peak RSS {rss:.1f} MB (10-minute file: {short_rss:.1f} MB)")

if __name__ == "__main__":
    main()
