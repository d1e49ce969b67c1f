/* The hosts of a multi-host connection string (host=a,b,c or
 * postgresql://a:1,b:2/db), kept so that each connect can start at a host
 * other than the first.
 *
 * Why: libpq tries the hosts in order and, with target_session_attrs=
 * read-write, keeps the first that takes writes; but PQconnectPoll ignores
 * connect_timeout, so a host that accepts TCP and never answers (a frozen
 * machine, an old primary stuck in I/O) holds the whole attempt until the
 * pool's timer ends it. Started again in the same order, every attempt
 * would hang on that host and never reach the new primary. The pool bounds
 * each host on its own (a new host restarts the timer) and, when one hangs,
 * starts the next attempts at the host after it.
 *
 * Grammar: the connection string's host, hostaddr and port values as libpq
 * reads them (PQconninfoParse): comma-separated lists, port with one entry
 * (every host) or one per host. Fewer than two hosts, or a string libpq
 * cannot parse: nothing to rotate (n = 0), and libpq reports the error. */
#ifndef HZ_DB_HOSTS_H
#define HZ_DB_HOSTS_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct hz_db_hosts_s {
  int n;           /* hosts in the list; 0 when fewer than two */
  char **host;     /* n host names (entries may be ""), or NULL when the
                      string gives only hostaddr */
  char **hostaddr; /* n numeric addresses, or NULL when not given */
  char **port;     /* n ports (a single port repeated), or NULL */
  int first;       /* index of the host the next connect starts at */
} hz_db_hosts_t;

/* Fills h from conninfo. Returns 0 (n may be 0) or -ENOMEM. */
int hz_db_hosts_parse(hz_db_hosts_t *h, const char *conninfo);
void hz_db_hosts_free(hz_db_hosts_t *h);

/* The list of one field ("host", "hostaddr" or "port") starting at
 * h->first, as a malloc'd comma-separated string; NULL when the field was
 * not given, when n is 0, or without memory (libpq then uses the string's
 * own order). */
char *hz_db_hosts_rotated(const hz_db_hosts_t *h, const char *field);

/* Index of the host pg is trying now (PQhost and PQport), or -1. */
int hz_db_hosts_current(const hz_db_hosts_t *h, const PGconn *pg);

#endif
