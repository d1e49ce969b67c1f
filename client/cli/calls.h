/* The call shapes most commands need: one unary call whose refusal is
 * printed with its problem list, a List method followed through all its
 * pages (page_token / next_page_token, see common.proto), and a List method
 * read item by item up to a limit. */
#ifndef HZ_CLI_CALLS_H
#define HZ_CLI_CALLS_H

#include "cli.h"
#include "problems.h"

/* Most pages followed before giving up on a server that never ends. */
#define HZ_CLI_MAX_PAGES 100000

/* One unary call with the command line's client and deadline. On success
 * returns HZ_EXIT_OK with *resp set (free with
 * protobuf_c_message_free_unpacked); otherwise prints the refusal (problem
 * lines mapped through map, which may be NULL) and returns its exit code. */
int hz_cli_unary(hz_cli_t *cli, const char *method, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
                 const hz_line_map_t *map);

/* Receives each page; returns HZ_EXIT_OK to go on, anything else stops. */
typedef int (*hz_page_cb)(void *ud, const ProtobufCMessage *page);

/* Calls method with req (whose string field page_token is set for each
 * page and cleared at the end) until next_page_token comes back empty.
 * A command option "page-size", when the command has one, sets page_size.
 * Returns HZ_EXIT_OK, the callback's code, or the refusal's exit code
 * after printing it. */
int hz_cli_unary_pages(hz_cli_t *cli, const char *method, ProtobufCMessage *req,
                       const ProtobufCMessageDescriptor *resp_desc, hz_page_cb cb, void *ud);

/* Receives one item of a list; returns HZ_EXIT_OK to go on. */
typedef int (*hz_item_cb)(void *ud, const ProtobufCMessage *item);

/* What hz_cli_list reads. */
typedef struct hz_list_spec_s {
  const char *method;                          /* full method path */
  const ProtobufCMessageDescriptor *resp_desc; /* its response type */
  const char *items; /* the response's repeated message field, e.g. "entries" */
  size_t limit;      /* most items delivered; 0 = every item */
} hz_list_spec_t;

/* Like hz_cli_unary_pages, but hands over the items one at a time and
 * stops after spec->limit of them. Each request's page_size is what is
 * still wanted (or --page-size, when the command has it and it is
 * smaller), so a small limit over a long list costs one short page.
 * *more (may be NULL) is set when the limit cut the list short. Returns
 * HZ_EXIT_OK, the callback's code, or the refusal's exit code. */
int hz_cli_list(hz_cli_t *cli, const hz_list_spec_t *spec, ProtobufCMessage *req, hz_item_cb cb,
                void *ud, int *more);

/* The command option "limit" (0 = all) into *limit, dflt when it was not
 * given. Returns HZ_EXIT_OK, or HZ_EXIT_USAGE after saying why. */
int hz_cli_limit_opt(hz_cli_t *cli, size_t dflt, size_t *limit);

#endif
