#ifndef COPUS_SHIM_H
#define COPUS_SHIM_H
#include <opus.h>
#include <opus_multistream.h>

// opus_encoder_ctl is variadic and driven by macros, which Swift cannot call.
// Each wrapper below exposes exactly one request we use.

/// Target bitrate in bit/s for this (single-stream) encoder.
static inline int copus_set_bitrate(OpusEncoder *enc, opus_int32 bps) {
    return opus_encoder_ctl(enc, OPUS_SET_BITRATE(bps));
}
/// 0 (fastest) to 10 (best).
static inline int copus_set_complexity(OpusEncoder *enc, opus_int32 complexity) {
    return opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity));
}
/// Keeps the encoder from spending bits on bands the input rate cannot carry.
static inline int copus_set_max_bandwidth(OpusEncoder *enc, opus_int32 bandwidth) {
    return opus_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(bandwidth));
}
/// Hints that the signal is speech.
static inline int copus_set_signal_voice(OpusEncoder *enc) {
    return opus_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}
/// Encoder delay in samples at the encoder's rate; it becomes the pre-skip.
static inline int copus_get_lookahead(OpusEncoder *enc, opus_int32 *lookahead) {
    return opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(lookahead));
}

// The tests compare our packets with libopus's own multistream encoder (what callvault used before
// it ran one single-stream encoder per channel): one wrapper per request they set.
static inline int copus_ms_set_bitrate(OpusMSEncoder *enc, opus_int32 bps) {
    return opus_multistream_encoder_ctl(enc, OPUS_SET_BITRATE(bps));
}
static inline int copus_ms_set_complexity(OpusMSEncoder *enc, opus_int32 complexity) {
    return opus_multistream_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity));
}
static inline int copus_ms_set_max_bandwidth(OpusMSEncoder *enc, opus_int32 bandwidth) {
    return opus_multistream_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(bandwidth));
}
static inline int copus_ms_set_signal_voice(OpusMSEncoder *enc) {
    return opus_multistream_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}
#endif
