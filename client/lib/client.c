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

static int setup_credentials(hzc_client_t *c, const hzc_client_opts_t *opts, hzc_status_t *err) {
  if (opts->token && *opts->token) {
    if (!token_ok(opts->token)) {
      hzc_status_set(err, HZ_STATUS_INVALID_ARGUMENT,
                     "the token contains spaces or non-ASCII characters");
      return HZC_EINVAL;
    }
    if (!(c->authorization = join("Bearer ", opts->token)))
      return HZC_ENOMEM;
  }
  if (c->addr.tls) {
    if (!(c->ssl_ctx = hzc_tls_ctx_new(opts->ca_file, err)))
      return HZC_EINVAL;
    if (!(c->bio_method = hzc_tls_bio_method_new()))
      return HZC_ENOMEM;
  }
  return HZC_OK;
}

int hzc_client_open(hzc_client_t **out, const char *addr, const hzc_client_opts_t *opts,
                    hzc_status_t *err) {
  static const hzc_client_opts_t defaults;
  hzc_status_t scratch;
  hzc_status_init(&scratch);
  if (!err)
    err = &scratch;
  if (!out)
    return HZC_EINVAL;
  *out = NULL;
  if (!opts)
    opts = &defaults;

  hzc_client_t *c = calloc(1, sizeof(*c));
  if (!c)
    return HZC_ENOMEM;
  char why[160];
  int rc = HZC_EINVAL;
  if (hzc_addr_parse(addr, &c->addr, why, sizeof(why)) < 0) {
    hzc_status_set(err, HZ_STATUS_INVALID_ARGUMENT, "invalid address '%s': %s", addr ? addr : "",
                   why);
    goto fail;
  }
  c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 0;
  c->max_recv = opts->max_recv_msg ? opts->max_recv_msg : HZC_DEFAULT_MAX_RECV;
  c->user_agent = join(opts->user_agent ? opts->user_agent : "huizong-client", "/" HZ_VERSION);
  if (!c->user_agent) {
    rc = HZC_ENOMEM;
    goto fail;
  }
  if ((rc = setup_credentials(c, opts, err)) != HZC_OK)
    goto fail;
  *out = c;
  hzc_status_reset(&scratch);
  return HZC_OK;

fail:
  if (rc == HZC_ENOMEM)
    hzc_status_set(err, HZ_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  hzc_status_reset(&scratch);
  hzc_client_close(c);
  return rc;
}

/* Moves conn off duty; it lives on while calls still use it. */
static void retire(hzc_client_t *c, hzc_conn_t *conn) {
  if (conn->live_calls == 0) {
    hzc_conn_free(conn);
    return;
  }
  conn->next = c->retired;
  c->retired = conn;
}

hzc_conn_t *hzc_client_conn(hzc_client_t *c, int64_t deadline, hzc_status_t *st) {
  if (c->conn && !c->conn->dead && !c->conn->goaway)
    return c->conn;
  if (c->conn) {
    retire(c, c->conn);
    c->conn = NULL;
  }
  c->conn = hzc_conn_open(c, deadline, st);
  return c->conn;
}

void hzc_client_conn_idle(hzc_client_t *c, hzc_conn_t *conn) {
  if (conn == c->conn || conn->live_calls > 0)
    return;
  for (hzc_conn_t **p = &c->retired; *p; p = &(*p)->next) {
    if (*p == conn) {
      *p = conn->next;
      hzc_conn_free(conn);
      return;
    }
  }
}

void hzc_client_close(hzc_client_t *c) {
  if (!c)
    return;
  if (c->conn && !c->conn->dead) {
    nghttp2_session_terminate_session(c->conn->session, NGHTTP2_NO_ERROR);
    hzc_conn_flush_nowait(c->conn);
  }
  hzc_conn_free(c->conn);
  while (c->retired) {
    hzc_conn_t *next = c->retired->next;
    hzc_conn_free(c->retired);
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

int hzc_client_unary_opts(hzc_client_t *client, const char *method, const hzc_call_opts_t *opts,
                          const ProtobufCMessage *req, const ProtobufCMessageDescriptor *resp_desc,
                          ProtobufCMessage **resp, hzc_status_t *status) {
  hzc_call_t *call = NULL;
  ProtobufCMessage *msg = NULL;
  if (resp)
    *resp = NULL;
  if (!req || !resp_desc || !resp) {
    if (status)
      hzc_status_set(status, HZ_STATUS_INVALID_ARGUMENT, "missing argument");
    return HZC_EINVAL;
  }
  int rc = hzc_call_start(client, method, opts, &call);
  if (rc != HZC_OK) {
    if (status)
      hzc_status_set(status, HZ_STATUS_INVALID_ARGUMENT, "cannot start call '%s'",
                     method ? method : "");
    return rc;
  }
  if (hzc_call_send(call, req) == HZC_OK)
    hzc_call_close_send(call);
  int got = hzc_call_recv(call, resp_desc, &msg);
  if (got == 1) {
    ProtobufCMessage *extra = NULL;
    int more = hzc_call_recv(call, resp_desc, &extra);
    if (more == 1) {
      protobuf_c_message_free_unpacked(extra, NULL);
      hzc_call_require_single(call, 2);
    }
  } else if (got == 0) {
    hzc_call_require_single(call, 0);
  }
  rc = hzc_call_finish(call, status);
  if (rc != HZC_OK && msg) {
    protobuf_c_message_free_unpacked(msg, NULL);
    msg = NULL;
  }
  *resp = msg;
  return rc;
}

int hzc_client_unary(hzc_client_t *client, const char *method, const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
                     hzc_status_t *status) {
  return hzc_client_unary_opts(client, method, NULL, req, resp_desc, resp, status);
}
