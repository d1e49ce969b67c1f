/* Printing refusals with their problem lists, each problem once. */
#include "problems.h"

#include <stdio.h>

void hz_problem_describe(const Huizong__V1__Problem *pr, const hz_line_map_t *map, char *buf,
                         size_t len) {
  const char *reason = pr->reason && *pr->reason ? pr->reason : "problem";
  if (pr->line > 0)
    snprintf(buf, len, "line %d: %s", pr->line, reason);
  else if (pr->index >= 0 && map && map->lines && (size_t)pr->index < map->n)
    snprintf(buf, len, "line %zu: %s", map->lines[pr->index], reason);
  else if (pr->index >= 0)
    snprintf(buf, len, "item %d: %s", pr->index + 1, reason);
  else
    snprintf(buf, len, "%s", reason);
}

Huizong__V1__ProblemList *hz_problems_from_status(const hzc_status_t *st) {
  const hzc_metadata_t *m = hzc_status_trailer(st, HZ_PROBLEMS_TRAILER);
  if (!m)
    return NULL;
  return huizong__v1__problem_list__unpack(NULL, m->len, m->value);
}

int hz_cli_refused(hz_cli_t *cli, const hzc_status_t *st, const hz_line_map_t *map) {
  Huizong__V1__ProblemList *list = hz_problems_from_status(st);
  if (!list)
    return hz_cli_fail(cli, st);
  /* The status message is the server's one-line summary of these same
   * problems (for clients that do not read the trailer): printing it too
   * said every problem twice. The count heads the list instead. */
  int total = list->total > 0 ? list->total : (int)list->n_problems;
  fprintf(cli->err, "%s%s: ", hz_cli_msg(cli, HZ_MSG_ERROR), hz_status_name(st->code));
  fprintf(cli->err,
          hz_cli_tr(cli, "%d problem%s; nothing was stored\n", "%d 个问题%s，未保存任何数据\n"),
          total, cli->lang == HZ_LANG_ZH || total == 1 ? "" : "s");
  char line[1024];
  for (size_t i = 0; i < list->n_problems; i++) {
    hz_problem_describe(list->problems[i], map, line, sizeof(line));
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
