/* Unary and paged calls for the commands. Paging is generic over the
 * List* messages through protobuf-c's field descriptors, so each command
 * only says what to do with a page. */
#include "calls.h"

#include <stdlib.h>
#include <string.h>

int hz_cli_unary(hz_cli_t *cli, const char *method, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
                 const hz_line_map_t *map) {
  hzc_client_t *client;
  *resp = NULL;
  int rc = hz_cli_client(cli, &client);
  if (rc != HZ_EXIT_OK)
    return rc;
  hzc_status_t st;
  hzc_status_init(&st);
  hzc_call_opts_t opts = hz_cli_call_opts(cli);
  if (hzc_client_unary_opts(client, method, &opts, req, resp_desc, resp, &st) != HZC_OK)
    rc = hz_cli_refused(cli, &st, map);
  hzc_status_reset(&st);
  return rc;
}

/* Address of a string field of msg, or NULL when it has none by that name. */
static char **string_field(ProtobufCMessage *msg, const char *name) {
  const ProtobufCFieldDescriptor *f =
      protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
  if (!f || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
    return NULL;
  return (char **)((char *)msg + f->offset);
}

/* --page-size, when the command offers it: *n = its value, or 0 when it
 * was not given. Returns an exit code. */
static int page_size_opt(hz_cli_t *cli, long *n) {
  const char *v = hz_cli_opt(cli, "page-size");
  *n = 0;
  if (!v)
    return HZ_EXIT_OK;
  char *end;
  *n = strtol(v, &end, 10);
  if (*end || end == v || *n < 1 || *n > 100000)
    return hz_cli_usage(cli, "invalid --page-size '%s' (1..100000)", v);
  return HZ_EXIT_OK;
}

/* Address of the int32 page_size of req, or NULL when it has none. */
static int32_t *page_size_field(ProtobufCMessage *req) {
  const ProtobufCFieldDescriptor *f =
      protobuf_c_message_descriptor_get_field_by_name(req->descriptor, "page_size");
  if (!f || f->type != PROTOBUF_C_TYPE_INT32 || f->label == PROTOBUF_C_LABEL_REPEATED)
    return NULL;
  return (int32_t *)((char *)req + f->offset);
}

/* Applies --page-size (when the command offers it) to the request. */
static int set_page_size(hz_cli_t *cli, ProtobufCMessage *req) {
  long n;
  int rc = page_size_opt(cli, &n);
  int32_t *field = page_size_field(req);
  if (rc == HZ_EXIT_OK && n > 0 && field)
    *field = (int32_t)n;
  return rc;
}

int hz_cli_unary_pages(hz_cli_t *cli, const char *method, ProtobufCMessage *req,
                       const ProtobufCMessageDescriptor *resp_desc, hz_page_cb cb, void *ud) {
  char **token = string_field(req, "page_token");
  if (!token)
    return hz_cli_error(cli, "%s has no page_token (client bug)", method);
  int rc = set_page_size(cli, req);
  if (rc != HZ_EXIT_OK)
    return rc;
  char *saved = *token;
  char *next = NULL;
  for (int page = 0; rc == HZ_EXIT_OK; page++) {
    if (page >= HZ_CLI_MAX_PAGES) {
      rc = hz_cli_error(cli, "%s: more than %d pages; giving up", method, HZ_CLI_MAX_PAGES);
      break;
    }
    *token = next ? next : (char *)"";
    ProtobufCMessage *resp;
    if ((rc = hz_cli_unary(cli, method, req, resp_desc, &resp, NULL)) != HZ_EXIT_OK)
      break;
    rc = cb(ud, resp);
    char **more = string_field(resp, "next_page_token");
    int has_more = more && *more && **more;
    char *following = has_more ? strdup(*more) : NULL;
    protobuf_c_message_free_unpacked(resp, NULL);
    if (has_more && !following) {
      rc = hz_cli_error(cli, "out of memory");
      break;
    }
    /* A server repeating its token would loop forever. */
    if (following && next && strcmp(following, next) == 0) {
      free(following);
      rc = hz_cli_error(cli, "%s returned the same page token twice", method);
      break;
    }
    free(next);
    next = following;
    if (!next)
      break;
  }
  free(next);
  *token = saved;
  return rc;
}

/* The repeated message field called name of msg: its items and count. */
static int items_field(const ProtobufCMessage *msg, const char *name, ProtobufCMessage ***items,
                       size_t *n) {
  const ProtobufCFieldDescriptor *f =
      protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
  if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || f->label != PROTOBUF_C_LABEL_REPEATED)
    return -1;
  *n = *(const size_t *)((const char *)msg + f->quantifier_offset);
  *items = *(ProtobufCMessage ***)((char *)msg + f->offset);
  return 0;
}

/* State of one hz_cli_list run. */
typedef struct list_run_s {
  hz_cli_t *cli;              /* the command line */
  const hz_list_spec_t *spec; /* what is read */
  ProtobufCMessage *req;      /* request being paged */
  int32_t *page_size;         /* req's page_size field */
  long page_opt;              /* --page-size, 0 = not given */
  size_t delivered;           /* items handed to the callback */
  char *next;                 /* token of the next page, NULL before the first */
} list_run_t;

/* The page size to ask for: what is still wanted, capped by --page-size. */
static int32_t wanted(const list_run_t *r) {
  long want = r->page_opt;
  if (r->spec->limit > 0) {
    size_t left = r->spec->limit - r->delivered;
    if (left > INT32_MAX)
      left = INT32_MAX;
    if (want == 0 || (size_t)want > left)
      want = (long)left;
  }
  return (int32_t)want;
}

/* Fetches one page and delivers its items; *done is set at the end. */
static int list_page(list_run_t *r, hz_item_cb cb, void *ud, int *done, int *more) {
  hz_cli_t *cli = r->cli;
  const hz_list_spec_t *spec = r->spec;
  ProtobufCMessage *resp;
  *r->page_size = wanted(r);
  int rc = hz_cli_unary(cli, spec->method, r->req, spec->resp_desc, &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  ProtobufCMessage **items;
  size_t n;
  if (items_field(resp, spec->items, &items, &n) < 0) {
    protobuf_c_message_free_unpacked(resp, NULL);
    return hz_cli_error(cli, "%s has no list '%s' (client bug)", spec->method, spec->items);
  }
  size_t i = 0;
  for (; i < n && rc == HZ_EXIT_OK; i++) {
    if (spec->limit > 0 && r->delivered >= spec->limit)
      break;
    rc = cb(ud, items[i]);
    r->delivered++;
  }
  char **tok = string_field(resp, "next_page_token");
  int has_next = tok && *tok && **tok;
  int full = spec->limit > 0 && r->delivered >= spec->limit;
  *more = full && (i < n || has_next);
  *done = rc != HZ_EXIT_OK || full || !has_next;
  if (!*done) {
    char *following = strdup(*tok);
    if (!following)
      rc = hz_cli_error(cli, "out of memory");
    else if (r->next && strcmp(following, r->next) == 0)
      rc = hz_cli_error(cli, "%s returned the same page token twice", spec->method);
    free(r->next);
    r->next = following;
    *done = rc != HZ_EXIT_OK;
  }
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

int hz_cli_list(hz_cli_t *cli, const hz_list_spec_t *spec, ProtobufCMessage *req, hz_item_cb cb,
                void *ud, int *more) {
  list_run_t r = {.cli = cli, .spec = spec, .req = req};
  char **token = string_field(req, "page_token");
  int more_v = 0;
  r.page_size = page_size_field(req);
  if (!token || !r.page_size)
    return hz_cli_error(cli, "%s has no page_token/page_size (client bug)", spec->method);
  int rc = page_size_opt(cli, &r.page_opt);
  char *saved = *token;
  int done = 0;
  for (int page = 0; rc == HZ_EXIT_OK && !done; page++) {
    if (page >= HZ_CLI_MAX_PAGES) {
      rc = hz_cli_error(cli, "%s: more than %d pages; giving up", spec->method, HZ_CLI_MAX_PAGES);
      break;
    }
    *token = r.next ? r.next : (char *)"";
    rc = list_page(&r, cb, ud, &done, &more_v);
  }
  free(r.next);
  *token = saved;
  if (more)
    *more = more_v;
  return rc;
}

int hz_cli_limit_opt(hz_cli_t *cli, size_t dflt, size_t *limit) {
  const char *v = hz_cli_opt(cli, "limit");
  *limit = dflt;
  if (!v)
    return HZ_EXIT_OK;
  char *end;
  long n = strtol(v, &end, 10);
  if (end == v || *end || n < 0 || n > 100000000)
    return hz_cli_usage(cli, "invalid --limit '%s' (0 = all, or 1..100000000)", v);
  *limit = (size_t)n;
  return HZ_EXIT_OK;
}
