/* Client lifetime (address, credentials, TLS context), the choice of the
 * connection a new call goes to, and the unary-call convenience. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HZ_VERSION
#define HZ_VERSION "0"
#endif

/* A header value must be visible ASCII; a token is never anything else. */
static int token_ok(const char *t) {
  for (; *t; t++)
    if ((unsigned char)*t < 0x21 || (unsigned char)*t > 0x7e)
      return 0;
  return 1;
}

static char *join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 1);
  if (s) {
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
  }
  return s;
}

static int setup_credentials(hz_client_t *c, const hz_client_opts_t *opts,
                             hz_status_t *err) {
  if (opts->token && *opts->token) {
    if (!token_ok(opts->token)) {
      hz_status_set(err, HZ_STATUS_INVALID_ARGUMENT,
                    "the token contains spaces or non-ASCII characters");
      return HZ_CLIENT_EINVAL;
    }
    if (!(c->authorization = join("Bearer ", opts->token)))
      return HZ_CLIENT_ENOMEM;
  }
  if (c->addr.tls) {
    if (!(c->ssl_ctx = hz_tls_ctx_new(opts->ca_file, err)))
      return HZ_CLIENT_EINVAL;
    if (!(c->bio_method = hz_tls_bio_method_new()))
      return HZ_CLIENT_ENOMEM;
  }
  return HZ_CLIENT_OK;
}

int hz_client_open(hz_client_t **out, const char *addr,
                   const hz_client_opts_t *opts, hz_status_t *err) {
  static const hz_client_opts_t defaults;
  hz_status_t scratch;
  hz_status_init(&scratch);
  if (!err)
    err = &scratch;
  if (!out)
    return HZ_CLIENT_EINVAL;
  *out = NULL;
  if (!opts)
    opts = &defaults;

  hz_client_t *c = calloc(1, sizeof(*c));
  if (!c)
    return HZ_CLIENT_ENOMEM;
  char why[160];
  int rc = HZ_CLIENT_EINVAL;
  if (hz_addr_parse(addr, &c->addr, why, sizeof(why)) < 0) {
    hz_status_set(err, HZ_STATUS_INVALID_ARGUMENT, "invalid address '%s': %s",
                  addr ? addr : "", why);
    goto fail;
  }
  c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 0;
  c->max_recv = opts->max_recv_msg ? opts->max_recv_msg : HZ_CLIENT_DEFAULT_MAX_RECV;
  c->user_agent = join(opts->user_agent ? opts->user_agent : "huizong-client",
                       "/" HZ_VERSION);
  if (!c->user_agent) {
    rc = HZ_CLIENT_ENOMEM;
    goto fail;
  }
  if ((rc = setup_credentials(c, opts, err)) != HZ_CLIENT_OK)
    goto fail;
  *out = c;
  hz_status_reset(&scratch);
  return HZ_CLIENT_OK;

fail:
  if (rc == HZ_CLIENT_ENOMEM)
    hz_status_set(err, HZ_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  hz_status_reset(&scratch);
  hz_client_close(c);
  return rc;
}

/* Moves conn off duty; it lives on while calls still use it. */
static void retire(hz_client_t *c, hz_conn_t *conn) {
  if (conn->live_calls == 0) {
    hz_conn_free(conn);
    return;
  }
  conn->next = c->retired;
  c->retired = conn;
}

hz_conn_t *hz_client_conn(hz_client_t *c, int64_t deadline, hz_status_t *st) {
  if (c->conn && !c->conn->dead && !c->conn->goaway)
    return c->conn;
  if (c->conn) {
    retire(c, c->conn);
    c->conn = NULL;
  }
  c->conn = hz_conn_open(c, deadline, st);
  return c->conn;
}

void hz_client_conn_idle(hz_client_t *c, hz_conn_t *conn) {
  if (conn == c->conn || conn->live_calls > 0)
    return;
  for (hz_conn_t **p = &c->retired; *p; p = &(*p)->next) {
    if (*p == conn) {
      *p = conn->next;
      hz_conn_free(conn);
      return;
    }
  }
}

void hz_client_close(hz_client_t *c) {
  if (!c)
    return;
  if (c->conn && !c->conn->dead) {
    nghttp2_session_terminate_session(c->conn->session, NGHTTP2_NO_ERROR);
    hz_conn_flush_nowait(c->conn);
  }
  hz_conn_free(c->conn);
  while (c->retired) {
    hz_conn_t *next = c->retired->next;
    hz_conn_free(c->retired);
    c->retired = next;
  }
  if (c->ssl_ctx)
    SSL_CTX_free(c->ssl_ctx);
  if (c->bio_method)
    BIO_meth_free(c->bio_method);
  free(c->authorization);
  free(c->user_agent);
  free(c);
}

int hz_client_unary_opts(hz_client_t *client, const char *method,
                         const hz_call_opts_t *opts,
                         const ProtobufCMessage *req,
                         const ProtobufCMessageDescriptor *resp_desc,
                         ProtobufCMessage **resp, hz_status_t *status) {
  hz_call_t *call = NULL;
  ProtobufCMessage *msg = NULL;
  if (resp)
    *resp = NULL;
  if (!req || !resp_desc || !resp) {
    if (status)
      hz_status_set(status, HZ_STATUS_INVALID_ARGUMENT, "missing argument");
    return HZ_CLIENT_EINVAL;
  }
  int rc = hz_call_start(client, method, opts, &call);
  if (rc != HZ_CLIENT_OK) {
    if (status)
      hz_status_set(status, HZ_STATUS_INVALID_ARGUMENT,
                    "cannot start call '%s'", method ? method : "");
    return rc;
  }
  if (hz_call_send(call, req) == HZ_CLIENT_OK)
    hz_call_close_send(call);
  int got = hz_call_recv(call, resp_desc, &msg);
  if (got == 1) {
    ProtobufCMessage *extra = NULL;
    int more = hz_call_recv(call, resp_desc, &extra);
    if (more == 1) {
      protobuf_c_message_free_unpacked(extra, NULL);
      hz_call_require_single(call, 2);
    }
  } else if (got == 0) {
    hz_call_require_single(call, 0);
  }
  rc = hz_call_finish(call, status);
  if (rc != HZ_CLIENT_OK && msg) {
    protobuf_c_message_free_unpacked(msg, NULL);
    msg = NULL;
  }
  *resp = msg;
  return rc;
}

int hz_client_unary(hz_client_t *client, const char *method,
                    const ProtobufCMessage *req,
                    const ProtobufCMessageDescriptor *resp_desc,
                    ProtobufCMessage **resp, hz_status_t *status) {
  return hz_client_unary_opts(client, method, NULL, req, resp_desc, resp, status);
}
