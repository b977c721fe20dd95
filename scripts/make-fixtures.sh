#!/usr/bin/env bash
# Generates the test fixtures from real telephony speech (Debian's asterisk-core-sounds-en-wav,
# 8 kHz recorded prompts) and synthesis, in every format callvault reads. Not committed: made
# anew by scripts/test.sh (a few seconds). Usage: scripts/make-fixtures.sh OUTDIR
set -euo pipefail
OUT=${1:-Tests/Fixtures/generated}
S=/usr/share/asterisk/sounds/en_US_f_Allison
mkdir -p "$OUT"
[ -f "$OUT/.complete" ] && [ "$OUT/.complete" -nt "$0" ] && exit 0
ff() { ffmpeg -nostdin -v error -y "$@"; }

# speech.wav: 16.18 s of speech, 5.00 s of digital silence, 4.xx s of speech (8 kHz mono PCM).
ff -i $S/tt-monkeys.wav -f lavfi -t 5 -i anullsrc=r=8000:cl=mono -i $S/tt-weasels.wav \
   -filter_complex "[0][1][2]concat=n=3:v=0:a=1" -ar 8000 -ac 1 -c:a pcm_s16le "$OUT/speech.wav"
# Every format the switch might leave.
ff -i "$OUT/speech.wav" -c:a pcm_mulaw "$OUT/speech-ulaw.wav"
ff -i "$OUT/speech.wav" -c:a pcm_alaw "$OUT/speech-alaw.wav"
ff -i "$OUT/speech.wav" -c:a gsm_ms "$OUT/speech-gsm.wav"
ff -i "$OUT/speech.wav" -c:a adpcm_ima_wav "$OUT/speech-ima.wav"
ff -i "$OUT/speech.wav" -c:a flac "$OUT/speech.flac"
ff -i "$OUT/speech.wav" -c:a libmp3lame -b:a 32k "$OUT/speech.mp3"
ff -i "$OUT/speech.wav" -c:a libvorbis -q:a 2 "$OUT/speech.ogg"
ff -i "$OUT/speech.wav" -f aiff "$OUT/speech.aiff"
ff -i "$OUT/speech.wav" -c:a pcm_mulaw -f au "$OUT/speech.au"
ff -i "$OUT/speech.wav" -f mulaw "$OUT/speech.ulaw"
ff -i "$OUT/speech.wav" -f alaw "$OUT/speech.alaw"
ff -i "$OUT/speech.wav" -f gsm "$OUT/speech.gsm"
ff -i "$OUT/speech.wav" -f s16le "$OUT/speech.sln"
ff -i "$OUT/speech.wav" -ar 16000 -f s16le "$OUT/speech.sln16"
ff -i "$OUT/speech.wav" -ar 11025 "$OUT/speech-11025.wav"
ff -i "$OUT/speech.wav" -ar 44100 "$OUT/speech-44100.wav"
ff -i "$OUT/speech.wav" -ar 16000 "$OUT/speech-16k.wav"
# Dual channel: caller talks on the left, the agent's channel is silent.
ff -i "$OUT/speech.wav" -f lavfi -i anullsrc=r=8000:cl=mono -filter_complex "[0][1]amerge=inputs=2" \
   -ac 2 -c:a pcm_s16le "$OUT/dual-agent-silent.wav"
# Truncated: a switch that crashed mid-write (header declares 25 s, 6 s present).
head -c 96044 "$OUT/speech.wav" > "$OUT/truncated.wav"
# A call that rang out (33 s of a quiet line and a short "hello") and one abandoned after 7 s.
ff -f lavfi -i "anoisesrc=r=8000:a=0.0005:d=33" -ac 1 "$OUT/.quiet33.wav"
ff -i $S/hello.wav -i "$OUT/.quiet33.wav" -filter_complex "[0][1]concat=n=2:v=0:a=1" -ar 8000 -ac 1 "$OUT/missed.wav"
ff -f lavfi -i "anoisesrc=r=8000:a=0.0005:d=6" -i $S/hello-world.wav -filter_complex "[0]aformat=channel_layouts=mono[a];[a][1]concat=n=2:v=0:a=1" -ar 8000 -ac 1 "$OUT/abandoned.wav"
rm -f "$OUT/.quiet33.wav"
# Bad inputs.
: > "$OUT/empty.wav"
head -c 4096 /dev/urandom > "$OUT/random.wav"
printf 'RIFF\x24\x00\x00\x00WAVEfmt ' > "$OUT/header-only.wav"
touch "$OUT/.complete"
