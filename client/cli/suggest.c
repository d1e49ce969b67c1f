/* Indicator codes and names: resolution and did-you-mean. */
#include "suggest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "problems.h"
#include "huizong/v1/admin.pb-c.h"
#include "present.h"
#include "wire/utf8.h"

#define LIST_INDICATORS_METHOD "/huizong.v1.Admin/ListIndicators"
#define MAX_CP                 64 /* longest text compared, in code points */
#define FAR                    1000

static void entry_free(hz_cat_entry_t *e) {
  free(e->code);
  free(e->name);
  free(e->unit);
  free(e->min);
  free(e->max);
}

void hz_catalog_free(hz_catalog_t *cat) {
  if (!cat)
    return;
  for (size_t i = 0; i < cat->n; i++)
    entry_free(&cat->v[i]);
  free(cat->v);
  hz_lang_t lang = cat->lang;
  memset(cat, 0, sizeof(*cat));
  cat->lang = lang;
}

static char *dup_opt(const char *s) {
  return s ? strdup(s) : NULL;
}

int hz_catalog_add(hz_catalog_t *cat, const char *code, const char *name, const char *unit,
                   int period_type, const char *min, const char *max) {
  if (cat->n == cat->cap) {
    size_t cap = cat->cap ? cat->cap * 2 : 64;
    hz_cat_entry_t *v = realloc(cat->v, cap * sizeof(*v));
    if (!v)
      return -1;
    cat->v = v;
    cat->cap = cap;
  }
  hz_cat_entry_t e = {.code = strdup(code),
                      .name = strdup(name ? name : ""),
                      .unit = strdup(unit ? unit : ""),
                      .period_type = period_type,
                      .min = dup_opt(min),
                      .max = dup_opt(max)};
  if (!e.code || !e.name || !e.unit || (min && !e.min) || (max && !e.max)) {
    entry_free(&e);
    return -1;
  }
  cat->v[cat->n++] = e;
  return 0;
}

static int add_page(void *ud, const ProtobufCMessage *msg) {
  hz_catalog_t *cat = ud;
  const Huizong__V1__ListIndicatorsResponse *page = (const void *)msg;
  for (size_t i = 0; i < page->n_indicators; i++) {
    const Huizong__V1__Indicator *ind = page->indicators[i];
    if (hz_catalog_add(cat, ind->code, ind->name, ind->unit, ind->period_type,
                       hz_cell_decimal(ind->min_value), hz_cell_decimal(ind->max_value)) < 0)
      return HZ_EXIT_REFUSED;
    cat->v[cat->n - 1].ratio = ind->ratio != NULL;
  }
  return HZ_EXIT_OK;
}

/* One page into cat; its next token (malloc'd, NULL at the end) in *next. */
static int load_page(hzc_client_t *client, const hzc_call_opts_t *opts, hz_catalog_t *cat,
                     Huizong__V1__ListIndicatorsRequest *req, char **next, hzc_status_t *st) {
  ProtobufCMessage *resp = NULL;
  int rc = hzc_client_unary_opts(client, LIST_INDICATORS_METHOD, opts, &req->base,
                                 &huizong__v1__list_indicators_response__descriptor, &resp, st);
  if (rc != HZC_OK)
    return rc;
  const Huizong__V1__ListIndicatorsResponse *page = (const void *)resp;
  const char *token = page->next_page_token;
  /* A server repeating its token would loop for ever: that ends it too. */
  int more = token && *token && strcmp(token, req->page_token) != 0;
  *next = more ? strdup(token) : NULL;
  rc = add_page(cat, resp) == HZ_EXIT_OK && (*next || !more) ? HZC_OK : HZC_ENOMEM;
  protobuf_c_message_free_unpacked(resp, NULL);
  if (rc != HZC_OK)
    hzc_status_set(st, HZ_STATUS_INTERNAL, "out of memory reading the indicator catalog");
  return rc;
}

int hz_catalog_load(hz_cli_t *cli, hz_catalog_t *cat, hzc_status_t *st) {
  memset(cat, 0, sizeof(*cat));
  cat->lang = cli->lang;
  hzc_client_t *client;
  if (hz_cli_client(cli, &client) != HZ_EXIT_OK) {
    hzc_status_set(st, HZ_STATUS_UNAVAILABLE, "no connection");
    return HZC_ECALL;
  }
  hzc_call_opts_t opts = hz_cli_call_opts(cli);
  Huizong__V1__ListIndicatorsRequest req = HUIZONG__V1__LIST_INDICATORS_REQUEST__INIT;
  char *token = NULL;
  int rc = HZC_OK;
  for (int page = 0; rc == HZC_OK && page < HZ_CLI_MAX_PAGES; page++) {
    req.page_token = token ? token : (char *)"";
    char *next = NULL;
    rc = load_page(client, &opts, cat, &req, &next, st);
    free(token);
    token = next;
    if (!token)
      break;
  }
  free(token);
  if (rc != HZC_OK)
    hz_catalog_free(cat);
  return rc;
}

int hz_catalog_fetch(hz_cli_t *cli, hz_catalog_t *cat) {
  hzc_status_t st;
  hzc_status_init(&st);
  int rc = hz_catalog_load(cli, cat, &st) == HZC_OK ? HZ_EXIT_OK : hz_cli_refused(cli, &st, NULL);
  hzc_status_reset(&st);
  return rc;
}

int hz_catalog_fetch_lenient(hz_cli_t *cli, hz_catalog_t *cat) {
  hzc_status_t st;
  hzc_status_init(&st);
  int rc = HZ_EXIT_OK;
  if (hz_catalog_load(cli, cat, &st) != HZC_OK && st.code != HZ_STATUS_UNAVAILABLE &&
      st.code != HZ_STATUS_DEADLINE_EXCEEDED)
    rc = hz_cli_refused(cli, &st, NULL);
  hzc_status_reset(&st);
  return rc;
}

long hz_catalog_resolve(const hz_catalog_t *cat, const char *s) {
  for (size_t i = 0; i < cat->n; i++)
    if (strcmp(cat->v[i].code, s) == 0)
      return (long)i;
  long found = -1;
  for (size_t i = 0; i < cat->n; i++) {
    if (cat->v[i].name[0] && strcmp(cat->v[i].name, s) == 0) {
      if (found >= 0)
        return -2;
      found = (long)i;
    }
  }
  return found;
}

/* Decodes up to MAX_CP code points, ASCII folded to lower case. Returns
 * the count, or MAX_CP + 1 when the text is longer (or not UTF-8). */
static size_t code_points(const char *s, uint32_t *out) {
  size_t n = 0, len = strlen(s), i = 0;
  while (i < len) {
    uint32_t cp;
    size_t k = hz_wire_utf8_decode((const uint8_t *)s + i, len - i, &cp);
    if (k == 0 || n == MAX_CP)
      return MAX_CP + 1;
    out[n++] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    i += k;
  }
  return n;
}

static size_t min3(size_t a, size_t b, size_t c) {
  size_t m = a < b ? a : b;
  return m < c ? m : c;
}

size_t hz_edit_distance(const char *a, const char *b) {
  uint32_t x[MAX_CP], y[MAX_CP];
  size_t n = code_points(a, x), m = code_points(b, y);
  if (n > MAX_CP || m > MAX_CP)
    return FAR;
  static const size_t W = MAX_CP + 1;
  size_t dist[(MAX_CP + 1) * (MAX_CP + 1)];
  for (size_t i = 0; i <= n; i++)
    dist[i * W] = i;
  for (size_t j = 0; j <= m; j++)
    dist[j] = j;
  for (size_t i = 1; i <= n; i++) {
    for (size_t j = 1; j <= m; j++) {
      size_t cost = x[i - 1] == y[j - 1] ? 0 : 1;
      size_t d = min3(dist[(i - 1) * W + j] + 1, dist[i * W + j - 1] + 1,
                      dist[(i - 1) * W + j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] &&
          dist[(i - 2) * W + j - 2] + 1 < d)
        d = dist[(i - 2) * W + j - 2] + 1;
      dist[i * W + j] = d;
    }
  }
  return dist[n * W + m];
}

/* How far s may be from a candidate to be suggested. */
static size_t allowed(const char *s, const char *cand) {
  uint32_t tmp[MAX_CP];
  size_t a = code_points(s, tmp), b = code_points(cand, tmp);
  size_t longer = a > b ? a : b;
  return longer / 3 > 0 ? longer / 3 : 1;
}

/* The distance of s to an entry: to its code or its name, the nearer. */
static size_t entry_distance(const hz_cat_entry_t *e, const char *s) {
  size_t dc = hz_edit_distance(s, e->code);
  size_t dn = e->name[0] ? hz_edit_distance(s, e->name) : FAR;
  if (dc > allowed(s, e->code))
    dc = FAR;
  if (dn > allowed(s, e->name))
    dn = FAR;
  return dc < dn ? dc : dn;
}

void hz_catalog_suggest(const hz_catalog_t *cat, const char *s, char *buf, size_t len) {
  size_t best = FAR;
  buf[0] = '\0';
  for (size_t i = 0; i < cat->n; i++) {
    size_t d = entry_distance(&cat->v[i], s);
    if (d < best)
      best = d;
  }
  if (best == FAR || len == 0)
    return;
  size_t used =
      (size_t)snprintf(buf, len, "%s", (cat->lang == HZ_LANG_ZH ? "您是否要填 " : "did you mean "));
  int shown = 0;
  for (size_t i = 0; i < cat->n && shown < 3 && used < len; i++) {
    const hz_cat_entry_t *e = &cat->v[i];
    if (entry_distance(e, s) != best)
      continue;
    used +=
        (size_t)snprintf(buf + used, len - used, "%s%s (%s)",
                         shown ? (cat->lang == HZ_LANG_ZH ? "、" : " or ") : "", e->code, e->name);
    shown++;
  }
  if (used < len)
    snprintf(buf + used, len - used, "%s", (cat->lang == HZ_LANG_ZH ? "？" : "?"));
}

int hz_catalog_code(const hz_catalog_t *cat, const char *s, size_t line, const char **code,
                    hz_diags_t *d) {
  long i = hz_catalog_resolve(cat, s);
  *code = i >= 0 ? cat->v[i].code : s;
  if (i != -2)
    return 0;
  char codes[200] = "";
  size_t used = 0;
  for (size_t k = 0; k < cat->n && used < sizeof(codes); k++)
    if (strcmp(cat->v[k].name, s) == 0)
      used += (size_t)snprintf(codes + used, sizeof(codes) - used, "%s%s", used ? ", " : "",
                               cat->v[k].code);
  hz_diags_add(d, line,
               (cat->lang == HZ_LANG_ZH
                    ? "“%s”是多个指标的名称（%s）：请填写指标代码"
                    : "'%s' is the name of several indicators (%s): write the code"),
               s, codes);
  return -1;
}

void hz_catalog_hint(const hz_catalog_t *cat, const char *code, char *buf, size_t len) {
  buf[0] = '\0';
  if (!cat || !code || !*code || hz_catalog_resolve(cat, code) != -1 || len < 8)
    return;
  char s[400];
  hz_catalog_suggest(cat, code, s, sizeof(s));
  if (*s)
    snprintf(buf, len, " (%s)", s);
}

void hz_catalog_describe(const hz_catalog_t *cat, const Huizong__V1__Problem *pr,
                         const size_t *lines, size_t nlines, const char *unit, char *buf,
                         size_t len) {
  const char *reason = pr->reason && *pr->reason ? pr->reason : "problem";
  char hint[420];
  hz_catalog_hint(cat, pr->indicator_code, hint, sizeof(hint));
  if (pr->index >= 0 && lines && (size_t)pr->index < nlines)
    snprintf(buf, len, "%s %zu: %s%s", unit, lines[pr->index], reason, hint);
  else if (pr->index >= 0)
    snprintf(buf, len, "item %d: %s%s", pr->index + 1, reason, hint);
  else
    snprintf(buf, len, "%s%s", reason, hint);
}

int hz_catalog_refused(hz_cli_t *cli, const hzc_status_t *st, const hz_catalog_t *cat,
                       const size_t *lines, size_t nlines, const char *unit) {
  Huizong__V1__ProblemList *list = hz_problems_from_status(st);
  if (!list)
    return hz_cli_fail(cli, st);
  /* As hz_cli_refused: the status message summarises these same problems,
   * so the count heads the list instead and each problem is said once. */
  int total = list->total > 0 ? list->total : (int)list->n_problems;
  fprintf(cli->err, "%s%s: ", hz_cli_msg(cli, HZ_MSG_ERROR), hz_status_name(st->code));
  fprintf(cli->err,
          hz_cli_tr(cli, "%d problem%s; nothing was stored\n", "%d 个问题%s，未保存任何数据\n"),
          total, cli->lang == HZ_LANG_ZH || total == 1 ? "" : "s");
  char line[1200];
  for (size_t i = 0; i < list->n_problems; i++) {
    hz_catalog_describe(cat, list->problems[i], lines, nlines, unit, line, sizeof(line));
    fprintf(cli->err, "%s\n", line);
  }
  if (list->total > 0 && (size_t)list->total > list->n_problems) {
    size_t more = (size_t)list->total - list->n_problems;
    fprintf(cli->err, "(%zu more problem%s not listed by the server)\n", more,
            more == 1 ? "" : "s");
  }
  protobuf_c_message_free_unpacked(&list->base, NULL);
  return HZ_EXIT_REFUSED;
}
