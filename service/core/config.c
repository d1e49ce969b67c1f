/* Flag and environment parsing for huizongd. */
#include "core/config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>

#define MAX_THREADS 256 /* --threads upper bound */

enum {
  OPT_LISTEN = 256,
  OPT_DATABASE_URL,
  OPT_TLS_CERT,
  OPT_TLS_KEY,
  OPT_MAX_MESSAGE,
  OPT_MAX_CALL,
  OPT_MAX_CONNECTIONS,
  OPT_MAX_STREAMS,
  OPT_MAX_HEADER,
  OPT_IDLE,
  OPT_GRACE,
  OPT_HANDSHAKE,
  OPT_WRITE_TIMEOUT,
  OPT_MAX_HELD,
  OPT_MAX_OUTPUT,
  OPT_DB_CONNECTIONS,
  OPT_DB_QUEUE,
  OPT_DB_TIMEOUT,
  OPT_ROLLUP_CACHE,
  OPT_THREADS,
  OPT_LOG_LEVEL,
  OPT_LOG_FORMAT,
  OPT_METRICS_LISTEN,
  OPT_WEB_ROOT,
  OPT_CORS_ORIGIN,
  OPT_HELP,
};

void hz_config_defaults(hz_config_t *c) {
  memset(c, 0, sizeof(*c));
  c->listen = "127.0.0.1:50051";
  c->max_message_bytes = 4u << 20;
  c->max_call_bytes = 64u << 20;
  /* One loop per core this process may run on (its CPU affinity and
   * cgroup quota, as libuv reads them). */
  unsigned cores = uv_available_parallelism();
  c->threads = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : cores;
  c->max_connections = 4096;
  c->max_streams = 128;
  c->max_header_bytes = 16384;
  c->idle_timeout_s = 300;
  c->shutdown_grace_s = 10;
  /* Generous for a real client on a slow link, short enough that silent
   * sockets cannot hold --max-connections for long. */
  c->handshake_timeout_s = 10;
  c->write_timeout_s = 30;
  /* 256 MiB: a few hundred large submissions in flight at once; far below
   * what max-connections x max-streams x max-message-bytes would allow. */
  c->max_held_bytes = 256u << 20;
  c->max_output_bytes = 8u << 20;
  c->db_connections = 4;
  c->db_queue = 1024;
  /* Longer than any call should take on a healthy database, shorter than
   * a client's patience: the calls in flight then fail as UNAVAILABLE and
   * health turns NOT_SERVING instead of every client hitting its deadline. */
  c->db_timeout_s = 15;
  c->rollup_cache_bytes = 16u << 20;
  c->log_level = HZ_LOG_INFO;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out) {
  char *end;
  errno = 0;
  if (!s || !*s || *s == '-')
    return -1;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

/* One table drives both the environment and the flags for numeric knobs. */
typedef struct {
  int opt;         /* getopt value */
  const char *env; /* environment variable or NULL */
  size_t offset;   /* field in hz_config_t */
  int is_size;     /* size_t field (else uint32_t) */
  uint64_t min, max;
} numeric_opt_t;

#define U32(f) offsetof(hz_config_t, f), 0
#define SZ(f)  offsetof(hz_config_t, f), 1
static const numeric_opt_t numeric_opts[] = {
    {OPT_MAX_MESSAGE, "HUIZONG_MAX_MESSAGE_BYTES", SZ(max_message_bytes), 1, 1u << 30},
    {OPT_MAX_CALL, "HUIZONG_MAX_CALL_BYTES", SZ(max_call_bytes), 1u << 16, 1ull << 34},
    {OPT_MAX_CONNECTIONS, "HUIZONG_MAX_CONNECTIONS", U32(max_connections), 1, 1000000},
    {OPT_MAX_STREAMS, "HUIZONG_MAX_STREAMS", U32(max_streams), 1, 65536},
    {OPT_MAX_HEADER, "HUIZONG_MAX_HEADER_BYTES", U32(max_header_bytes), 1024, 1u << 24},
    {OPT_IDLE, "HUIZONG_IDLE_TIMEOUT", U32(idle_timeout_s), 1, 86400 * 7},
    {OPT_GRACE, "HUIZONG_SHUTDOWN_GRACE", U32(shutdown_grace_s), 0, 3600},
    {OPT_HANDSHAKE, "HUIZONG_HANDSHAKE_TIMEOUT", U32(handshake_timeout_s), 1, 3600},
    {OPT_WRITE_TIMEOUT, "HUIZONG_WRITE_TIMEOUT", U32(write_timeout_s), 1, 86400},
    {OPT_MAX_HELD, "HUIZONG_MAX_HELD_BYTES", SZ(max_held_bytes), 1u << 20, 1ull << 40},
    {OPT_MAX_OUTPUT, "HUIZONG_MAX_OUTPUT_BYTES", SZ(max_output_bytes), 1u << 16, 1ull << 34},
    {OPT_DB_CONNECTIONS, "HUIZONG_DB_CONNECTIONS", U32(db_connections), 1, 256},
    {OPT_DB_QUEUE, "HUIZONG_DB_QUEUE", U32(db_queue), 1, 1000000},
    {OPT_DB_TIMEOUT, "HUIZONG_DB_TIMEOUT", U32(db_timeout_s), 1, 3600},
    {OPT_ROLLUP_CACHE, "HUIZONG_ROLLUP_CACHE_BYTES", SZ(rollup_cache_bytes), 0, 1ull << 32},
    {OPT_THREADS, "HUIZONG_THREADS", U32(threads), 1, MAX_THREADS},
};

static int set_numeric(hz_config_t *c, const numeric_opt_t *o, const char *v) {
  uint64_t x;
  if (parse_u64(v, o->min, o->max, &x))
    return -1;
  char *field = (char *)c + o->offset;
  if (o->is_size)
    *(size_t *)field = (size_t)x;
  else
    *(uint32_t *)field = (uint32_t)x;
  return 0;
}

int hz_config_from_env(hz_config_t *c, const char **err) {
  const char *v;
  if ((v = getenv("HUIZONG_LISTEN")) && *v)
    c->listen = v;
  if ((v = getenv("DATABASE_URL")) && *v)
    c->database_url = v;
  if ((v = getenv("HUIZONG_TLS_CERT")) && *v)
    c->tls_cert = v;
  if ((v = getenv("HUIZONG_TLS_KEY")) && *v)
    c->tls_key = v;
  if ((v = getenv("HUIZONG_WEB_ROOT")) && *v)
    c->web_root = v;
  if ((v = getenv("HUIZONG_METRICS_LISTEN")) && *v)
    c->metrics_listen = v;
  if ((v = getenv("HUIZONG_LOG_LEVEL")) && *v && hz_log_level_parse(v, &c->log_level)) {
    *err = "HUIZONG_LOG_LEVEL must be error, warn, info or debug";
    return -1;
  }
  if ((v = getenv("HUIZONG_LOG_FORMAT")) && *v && hz_log_format_parse(v, &c->log_format)) {
    *err = "HUIZONG_LOG_FORMAT must be text or json";
    return -1;
  }
  for (size_t i = 0; i < sizeof(numeric_opts) / sizeof(numeric_opts[0]); i++) {
    const numeric_opt_t *o = &numeric_opts[i];
    if ((v = getenv(o->env)) && *v && set_numeric(c, o, v)) {
      *err = o->env;
      return -1;
    }
  }
  return 0;
}

static const struct option long_opts[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"database-url", required_argument, NULL, OPT_DATABASE_URL},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"max-message-bytes", required_argument, NULL, OPT_MAX_MESSAGE},
    {"max-call-bytes", required_argument, NULL, OPT_MAX_CALL},
    {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
    {"max-streams", required_argument, NULL, OPT_MAX_STREAMS},
    {"max-header-bytes", required_argument, NULL, OPT_MAX_HEADER},
    {"idle-timeout", required_argument, NULL, OPT_IDLE},
    {"shutdown-grace", required_argument, NULL, OPT_GRACE},
    {"handshake-timeout", required_argument, NULL, OPT_HANDSHAKE},
    {"write-timeout", required_argument, NULL, OPT_WRITE_TIMEOUT},
    {"max-held-bytes", required_argument, NULL, OPT_MAX_HELD},
    {"max-output-bytes", required_argument, NULL, OPT_MAX_OUTPUT},
    {"db-connections", required_argument, NULL, OPT_DB_CONNECTIONS},
    {"db-queue", required_argument, NULL, OPT_DB_QUEUE},
    {"db-timeout", required_argument, NULL, OPT_DB_TIMEOUT},
    {"rollup-cache-bytes", required_argument, NULL, OPT_ROLLUP_CACHE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
    {"web-root", required_argument, NULL, OPT_WEB_ROOT},
    {"cors-origin", required_argument, NULL, OPT_CORS_ORIGIN},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* The flag's name: argv[optind - 1] is its value when given apart
 * ("--threads 0"). */
static const char *option_name(int opt) {
  for (const struct option *o = long_opts; o->name; o++)
    if (o->val == opt)
      return o->name;
  return "?";
}

/* An origin is scheme://host[:port] exactly as a browser sends it in
 * Origin: no path, no trailing slash, no wildcard (credentials travel in a
 * header, so "*" would hand any page the user's session). */
static int add_cors_origin(hz_config_t *c, const char *v, char *err, size_t errlen) {
  const char *rest = strncmp(v, "https://", 8) == 0  ? v + 8
                     : strncmp(v, "http://", 7) == 0 ? v + 7
                                                     : NULL;
  if (!rest || !*rest || strpbrk(rest, "/?#*, ") != NULL) {
    snprintf(err, errlen,
             "--cors-origin '%s' is not an origin; give scheme://host[:port] as the "
             "browser sends it, e.g. https://stats.example.cn:8443",
             v);
    return -1;
  }
  if (c->ncors_origins == HZ_CONFIG_MAX_CORS) {
    snprintf(err, errlen, "--cors-origin given more than %d times", HZ_CONFIG_MAX_CORS);
    return -1;
  }
  c->cors_origins[c->ncors_origins++] = v;
  return 0;
}

int hz_config_from_args(hz_config_t *c, int argc, char **argv, char *err, size_t errlen) {
  int opt;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
    switch (opt) {
    case OPT_LISTEN: c->listen = optarg; continue;
    case OPT_DATABASE_URL: c->database_url = optarg; continue;
    case OPT_TLS_CERT: c->tls_cert = optarg; continue;
    case OPT_TLS_KEY: c->tls_key = optarg; continue;
    case OPT_WEB_ROOT: c->web_root = optarg; continue;
    case OPT_METRICS_LISTEN: c->metrics_listen = optarg; continue;
    case OPT_LOG_FORMAT:
      if (hz_log_format_parse(optarg, &c->log_format)) {
        snprintf(err, errlen, "--log-format must be text or json");
        return -1;
      }
      continue;
    case OPT_CORS_ORIGIN:
      if (add_cors_origin(c, optarg, err, errlen))
        return -1;
      continue;
    case OPT_HELP: return 1;
    case OPT_LOG_LEVEL:
      if (hz_log_level_parse(optarg, &c->log_level)) {
        snprintf(err, errlen, "--log-level must be error, warn, info or debug");
        return -1;
      }
      continue;
    case '?':
      snprintf(err, errlen, "unknown or incomplete option '%s'", argv[optind - 1]);
      return -1;
    default: break;
    }
    for (size_t i = 0; i < sizeof(numeric_opts) / sizeof(numeric_opts[0]); i++) {
      if (numeric_opts[i].opt != opt)
        continue;
      if (set_numeric(c, &numeric_opts[i], optarg)) {
        snprintf(err, errlen, "--%s: '%s' is not a number in %llu..%llu", option_name(opt), optarg,
                 (unsigned long long)numeric_opts[i].min, (unsigned long long)numeric_opts[i].max);
        return -1;
      }
    }
  }
  if (optind < argc) {
    snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
    return -1;
  }
  if ((c->tls_cert == NULL) != (c->tls_key == NULL)) {
    snprintf(err, errlen, "--tls-cert and --tls-key go together");
    return -1;
  }
  struct stat st;
  if (c->web_root && (stat(c->web_root, &st) != 0 || !S_ISDIR(st.st_mode))) {
    snprintf(err, errlen,
             "--web-root '%s' is not a directory; give the console's build output "
             "(client/web/dist)",
             c->web_root);
    return -1;
  }
  return 0;
}

size_t hz_config_share(size_t total, unsigned nloops, unsigned index, size_t min) {
  if (nloops < 2)
    return total < min ? min : total;
  size_t share = total / nloops + (index < total % nloops ? 1 : 0);
  return share < min ? min : share;
}

void hz_config_usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [serve] [options]\n"
          "       %s migrate [--database-url URL]\n"
          "       %s token create --role admin|county|township [--region CODE] --name NAME\n"
          "\n"
          "options (environment in brackets):\n"
          "  --listen IP:PORT          address for gRPC, gRPC-Web and the console\n"
          "                            [HUIZONG_LISTEN] (127.0.0.1:50051);\n"
          "                            IPv6 in brackets ([::1]:50051), port 0 picks a free one\n"
          "  --database-url URL        PostgreSQL connection [DATABASE_URL]\n"
          "  --tls-cert FILE           PEM certificate chain; enables TLS (ALPN h2, http/1.1) "
          "[HUIZONG_TLS_CERT]\n"
          "  --tls-key FILE            PEM private key [HUIZONG_TLS_KEY]\n"
          "  --max-message-bytes N     largest request message accepted (4194304)\n"
          "  --max-call-bytes N        memory cap per call (67108864)\n"
          "  --threads N               event loops, one per thread, each with its own\n"
          "                            listening socket (SO_REUSEPORT), database pool\n"
          "                            and Rollup cache [HUIZONG_THREADS] (the cores\n"
          "                            available, %u here)\n"
          "  --max-connections N       concurrent connections of the process, all\n"
          "                            loops together (4096)\n"
          "  --max-streams N           concurrent streams per connection (128)\n"
          "  --max-header-bytes N      request header list size (16384)\n"
          "  --idle-timeout SECONDS    close connections without calls after (300)\n"
          "  --handshake-timeout SECONDS  time for the TLS handshake and the first\n"
          "                            bytes (HTTP/2 preface or HTTP/1.1 request),\n"
          "                            and for each request's headers (10)\n"
          "  --write-timeout SECONDS   cut a client that reads none of its responses\n"
          "                            for this long (30)\n"
          "  --max-held-bytes N        memory all calls of all loops may hold (requests,\n"
          "                            queued responses); beyond it new requests get\n"
          "                            RESOURCE_EXHAUSTED (268435456)\n"
          "  --max-output-bytes N      responses one call may have queued for a client\n"
          "                            that is not reading; beyond it the stream is\n"
          "                            reset (8388608)\n"
          "  --shutdown-grace SECONDS  time to finish calls on SIGTERM (10)\n"
          "  --db-connections N        PostgreSQL connections of the process, split\n"
          "                            across the loops, at least 1 each (4)\n"
          "  --db-queue N              requests waiting for a connection, split\n"
          "                            across the loops, at least 1 each (1024)\n"
          "  --db-timeout SECONDS      a database connection that leaves a connect or a\n"
          "                            call unanswered this long is dropped: the call is\n"
          "                            UNAVAILABLE, health NOT_SERVING until one is back (15)\n"
          "  --rollup-cache-bytes N    Rollup answers kept, checked against the\n"
          "                            database on every call, split across the\n"
          "                            loops; 0 = off (16 MiB)\n"
          "  --log-level LEVEL         error|warn|info|debug [HUIZONG_LOG_LEVEL] (info)\n"
          "  --log-format FORMAT       text|json: json writes one object per line\n"
          "                            [HUIZONG_LOG_FORMAT] (text)\n"
          "  --metrics-listen HOST:PORT  serve Prometheus metrics at GET /metrics over\n"
          "                            plain HTTP [HUIZONG_METRICS_LISTEN] (off)\n"
          "  --web-root DIR            serve the web console from DIR instead of the\n"
          "                            copy built in [HUIZONG_WEB_ROOT]\n"
          "  --cors-origin URL         let pages of this origin (scheme://host[:port])\n"
          "                            call gRPC-Web cross-origin; repeatable (none:\n"
          "                            same-origin only)\n"
          "Numeric options also read HUIZONG_<NAME> (e.g. HUIZONG_MAX_MESSAGE_BYTES).\n",
          argv0, argv0, argv0, uv_available_parallelism());
}
