/* The libopus limit for scripts/bench.py: encodes a 16-bit PCM WAV with libopus alone (no audio
 * decoding library, no analysis, no Ogg), at the settings callvault uses (VOIP, voice, narrowband
 * cap at 8 kHz, the given bitrate per channel and complexity), 20 ms frames.
 *
 *   bare-opus single IN.wav BPS COMPLEXITY [PACKETS]       one opus_encode_float encoder per channel
 *   bare-opus multistream IN.wav BPS COMPLEXITY [PACKETS]  one opus_multistream_encode_float encoder
 *
 * `single` is the limit the benchmark compares callvault with. `multistream` is how callvault
 * encoded before issue 19; with PACKETS it writes each multistream packet as a 4-byte little-endian
 * length and the bytes, so scripts/bench.py --check can compare callvault's packets byte for byte.
 * Build: cc -O2 -o bare-opus scripts/bare-opus.c $(pkg-config --cflags --libs opus)
 */
#include <opus.h>
#include <opus_multistream.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what) { fprintf(stderr, "bare-opus: %s\n", what); exit(1); }

static uint32_t le32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

int main(int argc, char **argv) {
    if (argc < 5) die("usage: bare-opus single|multistream IN.wav BPS COMPLEXITY [PACKETS]");
    int multistream = strcmp(argv[1], "multistream") == 0;
    FILE *in = fopen(argv[2], "rb");
    if (!in) die("cannot open input");
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    unsigned char *wav = malloc(size);
    if (fread(wav, 1, size, in) != (size_t)size) die("short read");
    fclose(in);
    if (size < 44 || memcmp(wav, "RIFF", 4) || memcmp(wav + 8, "WAVE", 4)) die("not a WAV");
    int channels = 0, rate = 0;
    const int16_t *pcm16 = NULL;
    long frames = 0;
    for (long off = 12; off + 8 <= size;) {
        uint32_t len = le32(wav + off + 4);
        if (!memcmp(wav + off, "fmt ", 4)) {
            channels = wav[off + 10] | wav[off + 11] << 8;
            rate = (int)le32(wav + off + 12);
            if ((wav[off + 22] | wav[off + 23] << 8) != 16) die("not 16-bit PCM");
        } else if (!memcmp(wav + off, "data", 4)) {
            pcm16 = (const int16_t *)(wav + off + 8);
            if (len > size - off - 8) len = size - off - 8;
            frames = len / 2 / (channels ? channels : 1);
            break;
        }
        off += 8 + len + (len & 1);
    }
    if (!pcm16 || channels < 1) die("no fmt or data chunk");
    int bps = atoi(argv[3]), complexity = atoi(argv[4]);
    int bandwidth = rate == 8000 ? OPUS_BANDWIDTH_NARROWBAND : rate == 12000 ? OPUS_BANDWIDTH_MEDIUMBAND
                  : rate == 16000 ? OPUS_BANDWIDTH_WIDEBAND : rate == 24000 ? OPUS_BANDWIDTH_SUPERWIDEBAND
                  : OPUS_BANDWIDTH_FULLBAND;
    FILE *dump = argc > 5 ? fopen(argv[5], "wb") : NULL;
    int frame = rate / 50, err = 0;
    OpusEncoder **enc = calloc(channels, sizeof *enc);
    OpusMSEncoder *ms = NULL;
    if (multistream) {
        unsigned char mapping[255];
        for (int c = 0; c < channels; c++) mapping[c] = c;
        ms = opus_multistream_encoder_create(rate, channels, channels, 0, mapping, OPUS_APPLICATION_VOIP, &err);
        if (err != OPUS_OK) die("encoder");
        opus_multistream_encoder_ctl(ms, OPUS_SET_BITRATE(bps * channels));
        opus_multistream_encoder_ctl(ms, OPUS_SET_COMPLEXITY(complexity));
        opus_multistream_encoder_ctl(ms, OPUS_SET_MAX_BANDWIDTH(bandwidth));
        opus_multistream_encoder_ctl(ms, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    } else {
        for (int c = 0; c < channels; c++) {
            enc[c] = opus_encoder_create(rate, 1, OPUS_APPLICATION_VOIP, &err);
            if (err != OPUS_OK) die("encoder");
            opus_encoder_ctl(enc[c], OPUS_SET_BITRATE(bps));
            opus_encoder_ctl(enc[c], OPUS_SET_COMPLEXITY(complexity));
            opus_encoder_ctl(enc[c], OPUS_SET_MAX_BANDWIDTH(bandwidth));
            opus_encoder_ctl(enc[c], OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
        }
    }
    float *interleaved = malloc(sizeof(float) * frame * channels), *mono = malloc(sizeof(float) * frame);
    unsigned char packet[8000 * 8];
    long bytes = 0, packets = 0;
    for (long start = 0; start < frames; start += frame) {
        for (long i = 0; i < (long)frame * channels; i++) {
            long idx = start * channels + i;
            interleaved[i] = idx < frames * channels ? pcm16[idx] * (1.0f / 32768) : 0;
        }
        if (multistream) {
            int n = opus_multistream_encode_float(ms, interleaved, frame, packet, sizeof packet);
            if (n < 0) die("encode");
            bytes += n;
            if (dump) {
                unsigned char l[4] = {n & 255, n >> 8 & 255, n >> 16 & 255, n >> 24 & 255};
                fwrite(l, 1, 4, dump);
                fwrite(packet, 1, n, dump);
            }
        } else {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < frame; i++) mono[i] = interleaved[i * channels + c];
                int n = opus_encode_float(enc[c], mono, frame, packet, sizeof packet);
                if (n < 0) die("encode");
                bytes += n;
            }
        }
        packets++;
    }
    printf("%ld packets, %ld bytes, %d channels at %d Hz\n", packets, bytes, channels, rate);
    if (dump) fclose(dump);
    return 0;
}
