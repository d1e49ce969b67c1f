/* huizongd configuration: defaults, then environment (HUIZONG_*,
 * DATABASE_URL), then command-line flags. No config file is needed. */
#ifndef HZ_CORE_CONFIG_H
#define HZ_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/log.h"

#define HZ_CONFIG_MAX_CORS 16 /* --cors-origin given at most this often */

/* Per process, not per loop (--threads): --max-connections and
 * --max-held-bytes are counted across all loops with atomics
 * (transport/server.h, hz_server_limits_t). Both guard what the process
 * runs out of (file descriptors, memory), and the kernel spreads
 * connections over the loops' SO_REUSEPORT sockets by a hash of their
 * addresses, not by load: a divided cap would refuse a client on a full
 * loop while another loop had room. --db-connections, --db-queue and
 * --rollup-cache-bytes are divided instead (hz_config_share): each loop
 * owns its pool and cache, and the process total stays what the operator
 * gave. */
typedef struct hz_config_s {
  const char *listen;           /* host:port to bind; port 0 picks one */
  const char *database_url;     /* libpq connection string or URI */
  const char *tls_cert;         /* PEM chain; with tls_key turns TLS on */
  const char *tls_key;          /* PEM private key */
  size_t max_message_bytes;     /* receive limit per gRPC message */
  size_t max_call_bytes;        /* arena cap per call (all its messages) */
  uint32_t max_connections;     /* accepted sockets beyond this are closed */
  uint32_t max_streams;         /* SETTINGS_MAX_CONCURRENT_STREAMS */
  uint32_t max_header_bytes;    /* request header list size cap per stream */
  uint32_t idle_timeout_s;      /* close a connection with no calls after */
  uint32_t handshake_timeout_s; /* TLS handshake + the first bytes (HTTP/2
                                 * preface or HTTP/1.1 request), and each
                                 * request's header block, must finish within */
  uint32_t write_timeout_s;     /* a peer that takes none of the output waiting
                                * for it this long is cut (stream or socket) */
  size_t max_held_bytes;        /* process-wide bytes held by calls (requests
                                * received, buffers, queued responses) */
  size_t max_output_bytes;      /* response bytes one call may have queued */
  uint32_t shutdown_grace_s;    /* drain time on SIGTERM before forcing */
  uint32_t db_connections;      /* PostgreSQL connections of the process,
                                 * split across loops (at least 1 each) */
  uint32_t db_queue;            /* requests waiting for a pool connection,
                                 * process total split across loops */
  uint32_t db_timeout_s;        /* a connect or a sent job unanswered this long
                                  means the database is down for that connection */
  size_t rollup_cache_bytes;    /* Rollup answers kept for repeats, process
                                 * total split across loops; 0 = off */
  hz_log_level_t log_level;     /* stderr verbosity */
  hz_log_format_t log_format;   /* text lines or JSON objects */
  const char *metrics_listen;   /* host:port serving GET /metrics (plain
                                 * HTTP, Prometheus text); NULL = off */
  uint32_t threads;             /* event loops, one per thread (--threads);
                                 * default: the cores this process may use */
  const char *web_root;         /* console files served from this directory
                                 * instead of the ones built in; NULL = built in */
  uint32_t ncors_origins;       /* used entries of cors_origins */
  /* Origins ("https://host:port") allowed to call gRPC-Web cross-origin
   * (--cors-origin); none by default: same-origin only. */
  const char *cors_origins[HZ_CONFIG_MAX_CORS];
} hz_config_t;

void hz_config_defaults(hz_config_t *c);
/* Applies environment variables; returns 0 or -1 with *err set. */
int hz_config_from_env(hz_config_t *c, const char **err);
/* Parses flags starting at argv[*optind]; returns 0, 1 for --help, or -1
 * with a message in err (static storage or argv memory). */
int hz_config_from_args(hz_config_t *c, int argc, char **argv, char *err, size_t errlen);
void hz_config_usage(const char *argv0);
/* Loop `index`'s share of a per-process total split over nloops loops: an
 * even split with the remainder going to the first loops, so the shares
 * add up to total; never below min (a pool needs one connection, so 1
 * connection over 2 loops becomes 1 each). */
size_t hz_config_share(size_t total, unsigned nloops, unsigned index, size_t min);

#endif
