#!/usr/bin/env python3
"""Transcoding benchmark: callvault's one-pass pipeline against ffmpeg -c:a libopus and opusenc.

Builds a corpus of real 8 kHz speech (Debian's asterisk-core-sounds-en-wav, all prompts
concatenated, repeated to reach --minutes), transcodes it with each tool at the same bitrate and
complexity, one process per file, one at a time, and prints audio-seconds per wall-second, the
ratios, and each tool's peak RSS. Then it transcodes one long file (--long-hours, default 4) with
callvault alone to show memory stays flat whatever the length.

    scripts/bench.sh                 # builds release, then runs this
    scripts/bench.py --minutes 30 --bitrate 16000 --complexity 5 --long-hours 4
"""
import argparse, glob, os, resource, subprocess, sys, tempfile, time, wave

def run(cmd):
    """Runs cmd, returns (wall seconds, peak RSS in MB)."""
    # GNU time reports the child's own peak RSS (a forked child's rusage would include this script's).
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode(errors='replace')}")
        return wall, int(rss.read().split()[-1]) / 1024

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

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--callvault", default=".build/release/callvault")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--bitrate", type=int, default=16000)
    ap.add_argument("--complexity", type=int, default=5)
    ap.add_argument("--long-hours", type=float, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="callvault-bench-") as d:
        files, seconds = build_corpus(d, args.minutes)
        print(f"corpus: {len(files)} files, {seconds/60:.1f} min of 8 kHz speech; {args.bitrate} bit/s, complexity {args.complexity}")
        kbps = args.bitrate // 1000
        tools = {
            "callvault (decode+analyse+hash+encode)": lambda f, o: [args.callvault, "transcode", f, o,
                "--bitrate", str(args.bitrate), "--complexity", str(args.complexity)],
            "ffmpeg -c:a libopus": lambda f, o: ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", f, "-c:a", "libopus",
                "-b:a", f"{kbps}k", "-application", "voip", "-compression_level", str(args.complexity), o],
            "opusenc": lambda f, o: ["opusenc", "--quiet", "--bitrate", str(kbps), "--comp", str(args.complexity), f, o],
        }
        results = {}
        for name, cmd in tools.items():
            wall, rss = 0.0, 0.0
            for f in files:
                w, r = run(cmd(f, os.path.join(d, "out.opus")))
                wall += w; rss = max(rss, r)
            results[name] = (seconds / wall, rss, wall)
        base = results["callvault (decode+analyse+hash+encode)"][0]
        print(f"{'tool':42} {'audio-s/wall-s':>15} {'wall s':>8} {'peak RSS MB':>12} {'callvault is':>14}")
        for name, (rate, rss, wall) in results.items():
            ratio = "" if rate == base else f"{base / rate:.2f}x"
            print(f"{name:42} {rate:15.1f} {wall:8.2f} {rss:12.1f} {ratio:>14}")
        if args.long_hours > 0:
            long_path, long_seconds = make_long(d, files, args.long_hours)
            short_wall, short_rss = run([args.callvault, "transcode", files[0], os.path.join(d, "s.opus")])
            wall, rss = run([args.callvault, "transcode", long_path, os.path.join(d, "long.opus"),
                             "--bitrate", str(args.bitrate), "--complexity", str(args.complexity)])
            print(f"long file: {long_seconds/3600:.1f} h in {wall:.1f} s ({long_seconds/wall:.0f} audio-s/s), "
                  f"peak RSS {rss:.1f} MB (10-minute file: {short_rss:.1f} MB)")

if __name__ == "__main__":
    main()
