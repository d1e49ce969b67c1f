/* The bulk load's sending half: one SubmitStream call carrying a
 * SubmitRequest per pending group, the results matched back to the
 * groups in request order, what could not run sent again, and the
 * summary table. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulk.h"
#include "huizong/v1/reporting.pb-c.h"
#include "present.h"
#include "problems.h"
#include "progress.h"

#define STREAM_METHOD           "/huizong.v1.Reporting/SubmitStream"
#define ATTEMPTS                3    /* sends of a group that could not run, in all */
#define RETRY_WAIT_MS           1000 /* before sending again */
/* Without --timeout the whole stream may take this long (ms). */
#define BULK_DEFAULT_TIMEOUT_MS (60 * 60 * 1000)

/* Sends one group's request on the call. Returns 0 or an HZC_ code. */
static int send_group(hzc_call_t *call, const hz_bulk_group_t *g, int dry_run) {
  size_t n = g->values.n;
  Huizong__V1__IndicatorValue *iv = calloc(n, sizeof(*iv));
  Huizong__V1__IndicatorValue **ivp = calloc(n, sizeof(*ivp));
  int rc = HZC_ENOMEM;
  if (iv && ivp) {
    for (size_t i = 0; i < n; i++) {
      const hz_value_entry_t *e = &g->values.items[i];
      huizong__v1__indicator_value__init(&iv[i]);
      iv[i].indicator_code = e->indicator;
      iv[i].value = e->value;
      iv[i].comment = e->comment;
      ivp[i] = &iv[i];
    }
    Huizong__V1__SubmitRequest req = HUIZONG__V1__SUBMIT_REQUEST__INIT;
    req.submission_id = (char *)g->id;
    req.region_code = g->region;
    req.period = g->period;
    req.values = ivp;
    req.n_values = n;
    req.dry_run = dry_run;
    rc = hzc_call_send(call, &req.base);
  }
  free(iv);
  free(ivp);
  return rc;
}

/* The refusal of one group as text: its message, then every problem on
 * its row, with a did-you-mean for unknown indicators. */
static char *refusal_text(const hz_bulk_t *b, const hz_bulk_group_t *g,
                          const Huizong__V1__SubmitResponse *r) {
  size_t cap = 512 + 300 * r->n_problems, used = 0;
  char *buf = malloc(cap);
  if (!buf)
    return NULL;
  size_t *lines = malloc((g->values.n + 1) * sizeof(*lines));
  for (size_t i = 0; lines && i < g->values.n; i++)
    lines[i] = g->values.items[i].line;
  /* The message summarises the problems: with a list, the list alone. */
  if (r->n_problems > 0)
    used += (size_t)snprintf(buf, cap, "%s", hz_status_name(r->code));
  else
    used += (size_t)snprintf(buf, cap, "%s: %s", hz_status_name(r->code),
                             r->message && *r->message ? r->message : "refused");
  for (size_t i = 0; i < r->n_problems && used + 1 < cap; i++) {
    char one[1200];
    hz_catalog_describe(&b->cat, r->problems[i], lines, lines ? g->values.n : 0, b->unit, one,
                        sizeof(one));
    used += (size_t)snprintf(buf + used, cap - used, "; %s", one);
  }
  free(lines);
  return buf;
}

static void take_result(hz_bulk_t *b, hz_bulk_group_t *g, const Huizong__V1__SubmitResponse *r) {
  g->code = r->code;
  if (r->code == HZ_STATUS_UNAVAILABLE)
    return; /* transient: sent again with the same id */
  if (r->code != HZ_STATUS_OK) {
    g->state = HZ_BULK_REFUSED;
    free(g->problems);
    g->problems = refusal_text(b, g, r);
    return;
  }
  g->imported = r->imported;
  g->updated = r->updated;
  g->unchanged = r->unchanged;
  if (r->status == HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_VALIDATED)
    g->state = HZ_BULK_VALIDATED;
  else
    g->state = r->replayed ? HZ_BULK_REPLAYED : HZ_BULK_ACCEPTED;
}

/* Indices of the groups still pending; returns how many. */
static size_t pending(const hz_bulk_t *b, size_t *idx) {
  size_t n = 0;
  for (size_t i = 0; i < b->n; i++)
    if (b->g[i].state == HZ_BULK_PENDING)
      idx[n++] = i;
  return n;
}

/* Receives the one response and hands each result to its group. */
static int collect(hz_bulk_t *b, hzc_call_t *call, const size_t *idx, size_t n, hzc_status_t *st) {
  ProtobufCMessage *msg = NULL;
  int got = hzc_call_recv(call, &huizong__v1__submit_stream_response__descriptor, &msg);
  int fin = hzc_call_finish(call, st);
  if (got != 1 || fin != HZC_OK) {
    if (msg)
      protobuf_c_message_free_unpacked(msg, NULL);
    if (st->code == HZ_STATUS_OK)
      hzc_status_set(st, HZ_STATUS_INTERNAL, "the server sent no summary");
    return -1;
  }
  const Huizong__V1__SubmitStreamResponse *r = (const void *)msg;
  if (r->n_results != n) {
    hzc_status_set(st, HZ_STATUS_INTERNAL, "the server answered %zu of %zu requests", r->n_results,
                   n);
    protobuf_c_message_free_unpacked(msg, NULL);
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    take_result(b, &b->g[idx[i]], r->results[i]);
  protobuf_c_message_free_unpacked(msg, NULL);
  return 0;
}

/* One SubmitStream with every pending group. Returns 0, or -1 with the
 * call's failure in st. */
static int stream_once(hz_bulk_t *b, hzc_client_t *client, const size_t *idx, size_t n,
                       hz_progress_t *p, size_t *sent, size_t *sent_values, hzc_status_t *st) {
  hzc_call_opts_t opts = {.timeout_ms =
                              b->cli->timeout_set ? b->cli->timeout_ms : BULK_DEFAULT_TIMEOUT_MS};
  hzc_call_t *call;
  if (hzc_call_start(client, STREAM_METHOD, &opts, &call) != HZC_OK) {
    hzc_status_set(st, HZ_STATUS_INTERNAL, "cannot start the call (out of memory)");
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    if (send_group(call, &b->g[idx[i]], b->dry_run) != HZC_OK)
      break; /* the call ended: finish says why */
    (*sent)++;
    *sent_values += b->g[idx[i]].values.n;
    hz_progress_update(p, *sent, *sent_values);
  }
  hzc_call_close_send(call);
  hz_progress_wait(
      p, hz_cli_tr(b->cli, "waiting for the server to store them...", "等待服务器逐组入库…"));
  int rc = collect(b, call, idx, n, st);
  hz_progress_unwait(p);
  return rc;
}

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static int retryable(int code) {
  return code == HZ_STATUS_UNAVAILABLE || code == HZ_STATUS_DEADLINE_EXCEEDED;
}

/* Counts of the outcome, for the last line and the exit code. */
typedef struct tally_s {
  size_t accepted, replayed, validated, refused, unsent;
} tally_t;

static tally_t tally(const hz_bulk_t *b) {
  tally_t t = {0};
  for (size_t i = 0; i < b->n; i++) {
    switch (b->g[i].state) {
    case HZ_BULK_ACCEPTED: t.accepted++; break;
    case HZ_BULK_REPLAYED: t.replayed++; break;
    case HZ_BULK_VALIDATED: t.validated++; break;
    case HZ_BULK_REFUSED: t.refused++; break;
    default: t.unsent++; break;
    }
  }
  return t;
}

static const char *state_word(const hz_bulk_t *b, hz_bulk_state_t s) {
  int zh = b->cli->format == HZ_FORMAT_TABLE && b->cli->lang == HZ_LANG_ZH;
  switch (s) {
  case HZ_BULK_ACCEPTED: return zh ? "已入库" : "accepted";
  case HZ_BULK_REPLAYED: return zh ? "此前已入库" : "already accepted";
  case HZ_BULK_VALIDATED: return zh ? "校验通过" : "validated";
  case HZ_BULK_REFUSED: return zh ? "退回" : "refused";
  default: return zh ? "未完成" : "not done";
  }
}

/* The summary: one row per group, through output.h. */
static int print_summary(const hz_bulk_t *b) {
  static const char *const cols[] = {"region",  "period",    "values",        "status",  "imported",
                                     "updated", "unchanged", "submission_id", "problems"};
  enum { NC = sizeof(cols) / sizeof(cols[0]) };
  hz_table_t t;
  if (hz_table_init(&t, NC, cols) < 0)
    return hz_cli_error(b->cli, "out of memory");
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  int rc = HZ_EXIT_OK;
  for (size_t i = 0; i < b->n && rc == HZ_EXIT_OK; i++) {
    const hz_bulk_group_t *g = &b->g[i];
    int counted = g->state == HZ_BULK_ACCEPTED || g->state == HZ_BULK_REPLAYED ||
                  g->state == HZ_BULK_VALIDATED;
    const char *cells[NC] = {
        g->region,
        g->period,
        hz_cell_int(&pool, (long long)g->values.n),
        state_word(b, g->state),
        counted ? hz_cell_int(&pool, g->imported) : NULL,
        counted ? hz_cell_int(&pool, g->updated) : NULL,
        counted ? hz_cell_int(&pool, g->unchanged) : NULL,
        g->id,
        g->problems,
    };
    if (hz_table_add_row(&t, cells) < 0)
      rc = hz_cli_error(b->cli, "out of memory");
  }
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(b->cli, &t);
  hz_table_free(&t);
  hz_strpool_free(&pool);
  return rc;
}

static void final_line(const hz_bulk_t *b, double secs, char *buf, size_t len) {
  tally_t t = tally(b);
  double rate = secs > 0.001 ? (double)b->nvalues / secs : 0;
  snprintf(buf, len,
           hz_cli_tr(b->cli,
                     "%zu groups, %zu values: %zu accepted, %zu already accepted, %zu validated, "
                     "%zu refused, %zu not done; %.1f s (%.0f values/s)%s",
                     "%zu 组 %zu 个数值: %zu 组入库, %zu 组此前已入库, %zu 组校验通过, %zu 组退回, "
                     "%zu 组未完成; 用时 %.1f 秒 (%.0f 值/秒)%s"),
           b->n, b->nvalues, t.accepted, t.replayed, t.validated, t.refused, t.unsent, secs, rate,
           b->blank ? hz_cli_tr(b->cli, "; blank values were not sent", "; 空白数值未报送") : "");
}

int hz_bulk_send(hz_bulk_t *b) {
  hzc_client_t *client;
  int rc = hz_cli_client(b->cli, &client);
  if (rc != HZ_EXIT_OK)
    return rc;
  size_t *idx = malloc(b->n * sizeof(*idx));
  if (!idx)
    return hz_cli_error(b->cli, "out of memory");
  hz_progress_t p;
  hz_progress_init(&p, b->cli->err, b->cli->lang, hz_cli_tr(b->cli, "groups sent", "组已发送"),
                   hz_cli_tr(b->cli, "values", "值"), b->n, 0);
  hzc_status_t st;
  hzc_status_init(&st);
  size_t sent = 0, sent_values = 0;
  int failed = 0;
  for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
    size_t n = pending(b, idx);
    if (n == 0)
      break;
    if (attempt > 1) {
      sleep_ms(RETRY_WAIT_MS);
      sent = sent_values = 0; /* the progress counts this sending */
      p.total = n;
      p.last_tenth = 0;
    }
    hzc_status_reset(&st);
    failed = stream_once(b, client, idx, n, &p, &sent, &sent_values, &st) < 0;
    if (failed && !retryable(st.code))
      break;
  }
  char last[600];
  final_line(b, hz_progress_now() - p.t0, last, sizeof(last));
  hz_progress_end(&p, NULL);
  if (failed) {
    hz_cli_fail(b->cli, &st);
    fprintf(b->cli->err, "%s\n",
            hz_cli_tr(b->cli,
                      "run the same command again: the submission ids come from the content, so "
                      "nothing is stored twice",
                      "再次运行同一命令即可续传: 提交编号由内容生成, 不会重复入库"));
  }
  rc = print_summary(b);
  fprintf(b->cli->err, "%s\n", last);
  tally_t t = tally(b);
  hzc_status_reset(&st);
  free(idx);
  if (rc != HZ_EXIT_OK)
    return rc;
  return t.refused || t.unsent ? HZ_EXIT_REFUSED : HZ_EXIT_OK;
}
