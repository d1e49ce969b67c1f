/* Unary and paged calls for the commands. Paging is generic over the
 * List* messages through protobuf-c's field descriptors, so each command
 * only says what to do with a page. */
#include "calls.h"

#include <stdlib.h>
#include <string.h>

int hz_cli_unary(hz_cli_t *cli, const char *method, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *resp_desc,
                 ProtobufCMessage **resp, const hz_line_map_t *map) {
  hz_client_t *client;
  *resp = NULL;
  int rc = hz_cli_client(cli, &client);
  if (rc != HZ_EXIT_OK)
    return rc;
  hz_status_t st;
  hz_status_init(&st);
  hz_call_opts_t opts = hz_cli_call_opts(cli);
  if (hz_client_unary_opts(client, method, &opts, req, resp_desc, resp, &st) != HZ_CLIENT_OK)
    rc = hz_cli_refused(cli, &st, map);
  hz_status_reset(&st);
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

/* Applies --page-size (when the command offers it) to the request. */
static int set_page_size(hz_cli_t *cli, ProtobufCMessage *req) {
  const char *v = hz_cli_opt(cli, "page-size");
  if (!v)
    return HZ_EXIT_OK;
  const ProtobufCFieldDescriptor *f =
      protobuf_c_message_descriptor_get_field_by_name(req->descriptor, "page_size");
  char *end;
  long n = strtol(v, &end, 10);
  if (*end || end == v || n < 1 || n > 100000)
    return hz_cli_usage(cli, "invalid --page-size '%s' (1..100000)", v);
  if (f && f->type == PROTOBUF_C_TYPE_INT32)
    *(int32_t *)((char *)req + f->offset) = (int32_t)n;
  return HZ_EXIT_OK;
}

int hz_cli_unary_pages(hz_cli_t *cli, const char *method, ProtobufCMessage *req,
                       const ProtobufCMessageDescriptor *resp_desc, hz_page_cb cb,
                       void *ud) {
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
