/* gRPC-Web framing on a call (https://github.com/grpc/grpc/blob/master/
 * doc/PROTOCOL-WEB.md), whichever carrier brought it (HTTP/1.1 or HTTP/2):
 *   - request: application/grpc-web bodies are gRPC frames as usual;
 *     application/grpc-web-text bodies are base64 (RFC 4648 section 4,
 *     padded), decoded here across chunk boundaries before the frame
 *     decoder sees them;
 *   - response: every message frame goes out as is, or base64-encoded on
 *     its own for -text (a client decodes 4 characters at a time, so a
 *     padded frame followed by the next one is well-formed);
 *   - the final status is one last frame with flag 0x80 whose payload is
 *     HTTP/1 header lines: "grpc-status:N\r\ngrpc-message:...\r\n" and
 *     the handler's trailers ("huizong-problems-bin:<base64>\r\n").
 * A call the transport refuses before any handler runs (limits, bad
 * frames, unknown method) uses Trailers-Only instead: the status in the
 * response headers (response.c, http1_out.c); a handler's status, even
 * without messages, goes in the trailer frame.
 *
 * Lifetimes: nothing here outlives a call; the carry of a split base64
 * group lives in the call (b64_carry), frames are malloc'd outbufs owned
 * by the call's queue once enqueued. */
#ifndef HZ_TRANSPORT_WEB_H
#define HZ_TRANSPORT_WEB_H

#include "transport/stream.h"

/* Beyond the HZ_FRAME_E* codes: the -text body is not base64. */
#define HZ_WEB_EBASE64 (-20)

/* Decodes base64 request bytes and feeds the frame decoder with cb.
 * Returns 0, HZ_WEB_EBASE64 or a HZ_FRAME_E* code. */
int hz_web_text_feed(hz_call_t *call, const uint8_t *data, size_t len, hz_frame_msg_cb cb);

/* b framed for call's response framing: b itself (binary), or a new
 * buffer with b's bytes in base64 (b is freed). NULL when out of memory
 * (b is freed). */
hz_outbuf_t *hz_web_encode(const hz_call_t *call, hz_outbuf_t *b);

/* The trailer frame of call's final status (status, message and
 * trailers set), already encoded for the framing; NULL without memory. */
hz_outbuf_t *hz_web_trailer_frame(const hz_call_t *call);

/* The response content-type of a call in framing f. */
const char *hz_web_content_type(const hz_call_t *call);

#endif
