#!/usr/bin/env bash
# Regenerates samples/: a small, realistic demo spool made from real recorded telephony speech
# (Debian's asterisk-core-sounds-en-wav, 8 kHz), a tracking-number registry and a config file.
# The output is committed (about 1 MB); run this only to change the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
S=/usr/share/asterisk/sounds/en_US_f_Allison
OUT=samples
IN=$OUT/spool/incoming
rm -rf "$OUT/spool"
mkdir -p "$IN"
ff() { ffmpeg -nostdin -v error -y "$@"; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

# Building blocks: speech from the prompts, silence, and a quiet line (-65 dBFS noise).
ff -i $S/demo-thanks.wav -i $S/tt-weasels.wav -i $S/vm-intro.wav -filter_complex "[0][1][2]concat=n=3:v=0:a=1" $T/talk14.wav
ff -i $S/conf-onlyperson.wav -i $S/queue-thankyou.wav -i $S/demo-thanks.wav -filter_complex "[0][1][2]concat=n=3:v=0:a=1" $T/talk10.wav
quiet() { ff -f lavfi -i "anoisesrc=r=8000:a=0.0005:d=$1" -ac 1 "$2"; }
quiet 33 $T/quiet33.wav
quiet 6 $T/quiet6.wav
ff -i $S/hello.wav -i $T/quiet33.wav -filter_complex "[0][1]concat=n=2:v=0:a=1" $T/missed.wav
ff -i $T/quiet6.wav -i $S/hello-world.wav -filter_complex "[0][1]concat=n=2:v=0:a=1" $T/abandoned.wav

sidecar() { # STEM JSON
    printf '%s\n' "$2" > "$IN/$1.json"
}
# 1-5: answered calls in the formats switches write.
ff -i $T/talk14.wav -c:a pcm_mulaw "$IN/1764338400.101.wav"
sidecar 1764338400.101 '{"call_id": "1764338400.101", "tracking_number": "(415) 555-0100", "started_at": "2026-11-20T14:00:00Z", "caller": "(212) 555-0187", "caller_name": "ACME CORP", "disposition": "ANSWERED", "duration_s": 14.1, "metadata": {"queue": "sales"}}'
ff -i $T/talk10.wav -c:a gsm_ms "$IN/1764352800.102.wav"
sidecar 1764352800.102 '{"call_id": "1764352800.102", "tracking_number": "+1 415-555-0101", "started_at": "2026-11-20T13:00:00-05:00", "caller": "312.555.0143", "disposition": "ANSWERED"}'
ff -i $T/talk14.wav -f mulaw "$IN/1764612000.103.ulaw"
sidecar 1764612000.103 '{"call_id": "1764612000.103", "tracking_number": "14155550102", "started_at": "2026-11-22T18:00:00Z", "caller": "+44 20 7946 0958", "disposition": "ANSWERED"}'
ff -i $T/talk10.wav -c:a flac "$IN/1764698400.104.flac"
sidecar 1764698400.104 '{"call_id": "1764698400.104", "tracking_number": "415.555.0102", "started_at": "2026-11-26T16:30:00Z", "caller": "617-555-0199", "disposition": "ANSWERED"}'
ff -i $T/talk14.wav -c:a libmp3lame -b:a 24k "$IN/1764784800.105.mp3"
sidecar 1764784800.105 '{"call_id": "1764784800.105", "tracking_number": "4155550100", "started_at": "2026-11-27T10:15:00Z", "caller": "(212) 555-0187", "disposition": "ANSWERED"}'
# 6: dual channel, caller on the left, agent on the right, talking in turns.
ff -i $T/talk10.wav -i $T/talk14.wav -filter_complex "[0]aformat=sample_fmts=s16:channel_layouts=mono,apad=whole_dur=26[a];[1]aformat=sample_fmts=s16:channel_layouts=mono,adelay=12000,apad=whole_dur=26[b];[a][b]join=inputs=2:channel_layout=stereo" -c:a flac "$IN/1764871200.106.flac"
sidecar 1764871200.106 '{"call_id": "1764871200.106", "tracking_number": "+14155550101", "started_at": "2026-11-27T18:00:00Z", "caller": "773-555-0112", "disposition": "ANSWERED", "channels": ["caller", "agent"]}'
# 7-8: missed (rang out on a quiet line), 9-10: abandoned (gave up early).
ff -i $T/missed.wav -f gsm "$IN/1764900000.107.gsm"
sidecar 1764900000.107 '{"call_id": "1764900000.107", "tracking_number": "(415) 555-0100", "started_at": "2026-11-28T02:00:00Z", "caller": "646-555-0170", "disposition": "NO ANSWER"}'
ff -i $T/missed.wav -c:a gsm_ms "$IN/1764910800.108.wav"
sidecar 1764910800.108 '{"call_id": "1764910800.108", "tracking_number": "+14155550102", "started_at": "2026-11-28T05:00:00Z", "caller": "anonymous", "disposition": "NO ANSWER"}'
ff -i $T/abandoned.wav -c:a gsm_ms "$IN/1764918000.109.wav"
sidecar 1764918000.109 '{"call_id": "1764918000.109", "tracking_number": "415-555-0101", "started_at": "2026-11-28T07:00:00Z", "caller": "(646) 555-0170", "disposition": "NO ANSWER"}'
ff -i $T/abandoned.wav -f mulaw "$IN/1764925200.110.ulaw"
sidecar 1764925200.110 '{"call_id": "1764925200.110", "tracking_number": "+14155550100", "started_at": "2026-11-28T09:00:00Z", "caller": "+1 305 555 0123", "disposition": "BUSY"}'
# 11: the missed caller of 7 gets through later.
ff -i $T/talk10.wav -c:a gsm_ms "$IN/1764932400.111.wav"
sidecar 1764932400.111 '{"call_id": "1764932400.111", "tracking_number": "(415) 555-0100", "started_at": "2026-11-28T11:00:00Z", "caller": "646.555.0170", "disposition": "ANSWERED"}'
# 12: a switch that crashed mid-write: archived with a warning.
ff -i $T/talk14.wav -c:a pcm_mulaw $T/full.wav
head -c 60000 $T/full.wav > "$IN/1764939600.112.wav"
sidecar 1764939600.112 '{"call_id": "1764939600.112", "tracking_number": "+14155550101", "started_at": "2026-11-28T13:00:00Z", "caller": "415 555 0150", "disposition": "ANSWERED", "duration_s": 14.1}'
# 13-14: bad inputs, quarantined with a reason.
head -c 3000 /dev/urandom > "$IN/1764946800.113.wav"
sidecar 1764946800.113 '{"call_id": "1764946800.113", "tracking_number": "+14155550100", "started_at": "2026-11-28T15:00:00Z"}'
ff -i $T/talk10.wav -c:a gsm_ms "$IN/1764950400.114.wav"
sidecar 1764950400.114 '{"call_id": "1764950400.114", "started_at": "2026-11-28T16:00:00Z", "caller": "2125550187"}'
# 15-16: calls to the website's pool numbers (registry rows with pool "web"): 15 while a session
# of samples/sessions.jsonl shows the number, 16 when none does (the pool's fallback).
cp "$IN/1764338400.101.wav" "$IN/1764957600.115.wav"
sidecar 1764957600.115 '{"call_id": "1764957600.115", "tracking_number": "(415) 555-0110", "started_at": "2026-11-28T18:00:00Z", "caller": "(415) 555-0177", "disposition": "ANSWERED"}'
cp "$IN/1764932400.111.wav" "$IN/1764961200.116.wav"
sidecar 1764961200.116 '{"call_id": "1764961200.116", "tracking_number": "(415) 555-0111", "started_at": "2026-11-28T19:00:00Z", "caller": "(628) 555-0134", "disposition": "ANSWERED"}'
# 17-18: outbound call-backs to visitors of samples/callbacks.csv: 17 names its request, 18 is
# matched by the number it dialled within callback_window_minutes.
cp "$IN/1764338400.101.wav" "$IN/1764964800.117.wav"
sidecar 1764964800.117 '{"call_id": "1764964800.117", "direction": "outbound", "callee": "(510) 555-0142", "callback_request_id": "cb-1001", "tracking_number": "(415) 555-0100", "started_at": "2026-11-28T20:00:00Z", "disposition": "ANSWERED"}'
cp "$IN/1764900000.107.gsm" "$IN/1764968400.118.gsm"
sidecar 1764968400.118 '{"call_id": "1764968400.118", "direction": "outbound", "callee": "+1 707 555 0163", "started_at": "2026-11-28T21:00:00Z", "disposition": "NO ANSWER"}'
du -sh "$OUT"
