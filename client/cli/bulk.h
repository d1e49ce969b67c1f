/* `huizong submit --bulk FILE`: many townships' and periods' values from
 * one sheet (columns region, period, indicator, value, comment; CSV in
 * UTF-8 or GBK, xlsx or JSON; see valuesfile.h), grouped by (region,
 * period) in the order the groups first appear, and sent as one
 * Reporting/SubmitStream call with one SubmitRequest per group.
 *
 * Every local problem (malformed sheet, a name that fits several
 * indicators, an indicator twice in one group) is listed with its row
 * before anything is sent (exit 2). Each group's submission id is a
 * version 5 UUID of its content (region, period, every indicator, value
 * and comment in order), so running the same sheet again is a replay: the
 * server stores nothing new and answers with the original acceptance,
 * which the summary calls "already accepted". A group whose content
 * changed gets a new id and is an update. Groups the server could not run
 * (UNAVAILABLE for that request, or the whole call) are sent again with
 * the same ids, at most three times in all.
 *
 * Progress goes to stderr (progress.h); the summary, one row per group
 * with its outcome and problems, goes through output.h in the chosen
 * format; exit 0 when every group was accepted, 1 when any was refused. */
#ifndef HZ_CLI_BULK_H
#define HZ_CLI_BULK_H

#include <stddef.h>

#include "cli.h"
#include "suggest.h"
#include "valuelist.h"
#include "wire/uuid.h"

/* What became of a group. */
typedef enum {
  HZ_BULK_PENDING = 0, /* not answered yet (or to be sent again) */
  HZ_BULK_ACCEPTED,    /* committed now */
  HZ_BULK_REPLAYED,    /* committed by an earlier run: nothing new stored */
  HZ_BULK_VALIDATED,   /* --dry-run found no problem */
  HZ_BULK_REFUSED,     /* the server refused it; nothing stored */
} hz_bulk_state_t;

/* One (region, period) group: one SubmitRequest. */
typedef struct hz_bulk_group_s {
  char *region;                     /* region code, owned */
  char *period;                     /* period code, owned */
  hz_value_list_t values;           /* its values with their rows */
  char id[HZ_WIRE_UUID_TEXT_SIZE];  /* content-derived submission id */
  hz_bulk_state_t state;            /* outcome so far */
  int code;                         /* the server's status code for it */
  int imported, updated, unchanged; /* the server's counts */
  char *problems;                   /* refusal text with rows, owned, or NULL */
} hz_bulk_group_t;

/* A bulk load. */
typedef struct hz_bulk_s {
  hz_cli_t *cli;      /* the command line */
  const char *label;  /* the file as messages name it */
  const char *unit;   /* "line", "row" or "item": how rows are named */
  hz_catalog_t cat;   /* the indicator catalog */
  hz_bulk_group_t *g; /* groups in first-appearance order */
  size_t n;           /* how many */
  size_t cap;         /* allocated */
  size_t *slots;      /* hash of (region, period): group index + 1, 0 = free */
  size_t nslots;      /* power of two */
  size_t nvalues;     /* values in all groups */
  size_t blank;       /* rows without a value: not sent */
  int dry_run;        /* --dry-run */
} hz_bulk_t;

/* Runs the whole load for `submit --bulk path`; returns the exit code. */
int hz_bulk_run(hz_cli_t *cli, const char *path);

/* Parts, for bulksend.c and the unit tests. */
void hz_bulk_init(hz_bulk_t *b, hz_cli_t *cli, const char *label);
void hz_bulk_free(hz_bulk_t *b);
/* The group of (region, period), created when new; NULL when out of memory. */
hz_bulk_group_t *hz_bulk_group(hz_bulk_t *b, const char *region, const char *period);
/* Derives every group's submission id. Returns 0 or -1. */
int hz_bulk_ids(hz_bulk_t *b);
/* Sends the pending groups and prints the summary; returns the exit code. */
int hz_bulk_send(hz_bulk_t *b);

#endif
