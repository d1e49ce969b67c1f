/* The label table and the locale's language. Rows are sorted by nothing
 * in particular: lookups are by strcmp over a few hundred bytes, once per
 * column of a listing. */
#include "labels.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define T  HZ_KIND_TEXT
#define I  HZ_KIND_INT
#define D  HZ_KIND_DECIMAL
#define P  HZ_KIND_PERCENT
#define PP HZ_KIND_POINTS
#define B  HZ_KIND_BOOL
#define TM HZ_KIND_TIME
#define F  HZ_KIND_FIGURE
#define W  HZ_KIND_WORD

const hz_label_t hz_labels[] = {
    /* regions and indicators */
    {"region", T, "地区", "region", NULL},
    {"region_code", T, "地区代码", "region code", NULL},
    {"region_name", T, "地区", "region", NULL},
    {"name", T, "名称", "name", NULL},
    {"code", T, "代码", "code", NULL},
    {"level", W, "级别", "level", NULL},
    {"parent_code", T, "上级代码", "parent", NULL},
    {"reporting", B, "报送单位", "reporting", NULL},
    {"depth", I, "层级", "depth", NULL},
    {"children", I, "下级数", "children", NULL},
    {"indicator", T, "指标", "indicator", NULL},
    {"indicator_code", T, "指标代码", "indicator code", NULL},
    {"indicator_name", T, "指标", "indicator", NULL},
    {"unit", T, "单位", "unit", NULL},
    {"frequency", W, "报送频率", "frequency", NULL},
    {"time_aggregation", W, "时间汇总", "over time", NULL},
    {"region_aggregation", W, "地区汇总", "over regions", NULL},
    {"change_basis", W, "比较方式", "change basis", NULL},
    {"min", D, "下限", "min", NULL},
    {"max", D, "上限", "max", NULL},
    {"numerator", T, "分子", "numerator", NULL},
    {"denominator", T, "分母", "denominator", NULL},
    {"factor", D, "系数", "factor", NULL},
    {"description", T, "说明", "description", NULL},
    /* periods and figures (rollup, series, report) */
    {"period", T, "时期", "period", NULL},
    {"period_type", W, "时期类型", "period type", NULL},
    {"value", D, "本期", "this period", NULL},
    {"reported", F, "已报/应报", "reported", NULL},
    {"reporting_units", I, "已报单位", "reporting units", NULL},
    {"expected_units", I, "应报单位", "expected units", NULL},
    {"previous_year_period", T, "上年同期时期", "last year's period", NULL},
    {"previous_year_value", D, "上年同期", "same period last year", NULL},
    {"yoy", F, "同比", "YoY", NULL},
    {"yoy_growth_pct", P, "同比", "YoY growth", "%"},
    {"yoy_change_pp", PP, "同比增减", "YoY change", "百分点"},
    {"previous_period", T, "上期时期", "previous period", NULL},
    {"previous_period_value", D, "上期", "previous period", NULL},
    {"pop", F, "环比", "vs previous period", NULL},
    {"pop_change_pct", P, "环比", "change on previous period", "%"},
    {"pop_change_pp", PP, "环比增减", "change on previous period", "百分点"},
    {"target", D, "目标", "target", NULL},
    {"completion_pct", P, "完成率", "completion", "%"},
    {"annual_period", T, "年度", "year", NULL},
    {"annual_target", D, "全年目标", "annual target", NULL},
    {"annual_progress_pct", P, "全年进度", "annual progress", "%"},
    {"coverage", F, "覆盖", "coverage", NULL},
    {"coverage_covered", I, "已覆盖子期", "sub-periods covered", NULL},
    {"coverage_total", I, "子期数", "sub-periods", NULL},
    {"coverage_periods", T, "覆盖子期", "covered sub-periods", NULL},
    {"coverage_complete", B, "覆盖完整", "coverage complete", NULL},
    {"yoy_same_subperiods", B, "同口径", "like-for-like", NULL},
    {"ytd", D, "累计", "year to date", NULL},
    {"ytd_yoy", F, "累计同比", "YTD YoY", NULL},
    {"ytd_from_period", T, "累计起", "YTD from", NULL},
    {"ytd_to_period", T, "累计止", "YTD to", NULL},
    {"ytd_value", D, "累计", "year to date", NULL},
    {"ytd_reporting_units", I, "累计已报单位", "YTD reporting units", NULL},
    {"ytd_coverage", F, "累计覆盖", "YTD coverage", NULL},
    {"ytd_previous_year_value", D, "上年同期累计", "YTD last year", NULL},
    {"ytd_yoy_growth_pct", P, "累计同比", "YTD YoY growth", "%"},
    {"ytd_yoy_change_pp", PP, "累计同比增减", "YTD YoY change", "百分点"},
    {"ytd_annual_progress_pct", P, "累计全年进度", "YTD annual progress", "%"},
    {"ytd_same_subperiods", B, "累计同口径", "YTD like-for-like", NULL},
    {"cumulative", B, "累计", "cumulative", NULL},
    /* completeness and reporting discipline */
    {"state", W, "状态", "state", NULL},
    {"expected_reports", I, "应报", "expected", NULL},
    {"reported_reports", I, "已报", "reported", NULL},
    {"on_time_reports", I, "及时", "on time", NULL},
    {"late_reports", I, "迟报", "late", NULL},
    {"reporting_rate_pct", P, "报送率", "reporting rate", "%"},
    {"on_time_rate_pct", P, "及时率", "on-time rate", "%"},
    {"missing_units", I, "未报单位", "missing units", NULL},
    {"reported_periods", T, "已报期", "reported periods", NULL},
    {"late_periods", T, "迟报期", "late periods", NULL},
    {"missing_periods", T, "缺报期", "missing periods", NULL},
    {"values", I, "指标数", "values", NULL},
    {"value_count", I, "指标数", "values", NULL},
    {"deadline", TM, "截止时间", "deadline", NULL},
    {"exception_open", B, "特许补报", "exception open", NULL},
    {"last_submitted_at", TM, "最近报送", "last submitted", NULL},
    {"last_submitted_by", T, "报送人", "submitted by", NULL},
    {"last_submission_id", T, "最近报送编号", "last submission", NULL},
    {"approved_by", T, "审核人", "approved by", NULL},
    {"approved_at", TM, "审核时间", "approved at", NULL},
    {"outcome", W, "结果", "outcome", NULL},
    {"changed", B, "已变更", "changed", NULL},
    {"comment", T, "备注", "comment", NULL},
    {"narrative", T, "工作总结", "narrative", NULL},
    {"submissions", I, "报送次数", "submissions", NULL},
    /* submissions */
    {"submission_id", T, "报送编号", "submission", NULL},
    {"submission", T, "报送编号", "submission", NULL},
    {"status", W, "结果", "status", NULL},
    {"submitted_by", T, "报送人", "submitted by", NULL},
    {"imported", I, "新增", "imported", NULL},
    {"updated", I, "更新", "updated", NULL},
    {"unchanged", I, "未变", "unchanged", NULL},
    {"received", I, "收到", "received", NULL},
    {"created", I, "新建", "created", NULL},
    {"narrative_updated", B, "总结已更新", "narrative updated", NULL},
    {"replayed", B, "重放", "replayed", NULL},
    {"dry_run", B, "仅校验", "dry run", NULL},
    {"received_at", TM, "收到时间", "received at", NULL},
    {"committed_at", TM, "入库时间", "committed at", NULL},
    {"updated_at", TM, "更新时间", "updated at", NULL},
    {"updated_by", T, "更新人", "updated by", NULL},
    /* audit, tokens, windows, exceptions, health */
    {"time", TM, "时间", "time", NULL},
    {"actor", T, "操作人", "actor", NULL},
    {"action", T, "操作", "action", NULL},
    {"old", D, "原值", "old", NULL},
    {"new", D, "新值", "new", NULL},
    {"detail", T, "详情", "detail", NULL},
    {"id", T, "编号", "id", NULL},
    {"role", W, "角色", "role", NULL},
    {"token", T, "令牌", "token", NULL},
    {"created_at", TM, "创建时间", "created at", NULL},
    {"created_by", T, "创建人", "created by", NULL},
    {"revoked_at", TM, "吊销时间", "revoked at", NULL},
    {"last_used_at", TM, "最近使用", "last used", NULL},
    {"days_after_end", I, "期末后天数", "days after end", NULL},
    {"open_future_periods", I, "开放未来期数", "future periods open", NULL},
    {"closes", T, "截止", "closes", NULL},
    {"reason", T, "原因", "reason", NULL},
    {"granted_by", T, "批准人", "granted by", NULL},
    {"granted_at", TM, "批准时间", "granted at", NULL},
    {"expires_at", TM, "失效时间", "expires at", NULL},
    {"service", T, "服务", "service", NULL},
    {NULL, T, NULL, NULL, NULL},
};

/* Enum names (names.c's printed ones) as Chinese tables say them. */
static const char *const words[][2] = {
    {"province", "省"},      {"city", "市"},         {"county", "县"},
    {"township", "乡镇"},    {"village", "村"},      {"year", "年度"},
    {"half_year", "半年"},   {"quarter", "季度"},    {"month", "月度"},
    {"sum", "求和"},         {"last", "期末值"},     {"average", "平均"},
    {"min", "最小"},         {"max", "最大"},        {"none", "不汇总"},
    {"missing", "未报"},     {"submitted", "已报"},  {"approved", "已审核"},
    {"partial", "部分已报"}, {"accepted", "已接收"}, {"validated", "已校验"},
    {"rejected", "已拒绝"},  {"admin", "管理员"},    {"growth", "增长率"},
    {"points", "百分点"},
};

const char *hz_word_text(const char *name, hz_lang_t lang) {
  if (!name || lang != HZ_LANG_ZH)
    return name;
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
    if (strcmp(words[i][0], name) == 0)
      return words[i][1];
  return name;
}

const hz_label_t *hz_label_find(const char *key) {
  if (!key)
    return NULL;
  for (const hz_label_t *l = hz_labels; l->key; l++)
    if (strcmp(l->key, key) == 0)
      return l;
  return NULL;
}

const char *hz_label_text(const char *key, hz_lang_t lang) {
  const hz_label_t *l = hz_label_find(key);
  if (!l)
    return key ? key : "";
  return lang == HZ_LANG_ZH ? l->zh : l->en;
}

int hz_lang_parse(const char *s, hz_lang_t *out) {
  if (!s)
    return -1;
  if (strncasecmp(s, "zh", 2) == 0 || strcasecmp(s, "chinese") == 0 || strcmp(s, "中文") == 0)
    *out = HZ_LANG_ZH;
  else if (strncasecmp(s, "en", 2) == 0 || strcasecmp(s, "english") == 0 || strcmp(s, "英文") == 0)
    *out = HZ_LANG_EN;
  else
    return -1;
  return 0;
}

hz_lang_t hz_lang_from_env(void) {
  /* POSIX precedence: the first non-empty of these decides. */
  static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
    const char *v = getenv(vars[i]);
    if (v && *v)
      return strncmp(v, "zh", 2) == 0 ? HZ_LANG_ZH : HZ_LANG_EN;
  }
  return HZ_LANG_EN;
}

/* [id] = {en, zh} */
static const char *const messages[HZ_MSG_COUNT][2] = {
    [HZ_MSG_ERROR] = {"error: ", "错误："},
    [HZ_MSG_NOTE] = {"note: ", "提示："},
    [HZ_MSG_NO_TOKEN] = {"no token: set HUIZONG_TOKEN or pass --token",
                         "未提供令牌：请设置 HUIZONG_TOKEN 或使用 --token"},
    [HZ_MSG_BAD_TOKEN] =
        {"the token was refused: check HUIZONG_TOKEN or --token "
         "(huizong-admin whoami shows whose it is)",
         "令牌无效：请检查 HUIZONG_TOKEN 或 --token（huizong-admin whoami 可查看令牌归属）"},
    [HZ_MSG_HIDDEN_COLS] =
        {"%zu column(s) left out to fit %zu columns: %s "
         "(choose with --columns, or widen with COLUMNS=)",
         "为适应 %2$zu 列宽，省略了 %1$zu 列：%3$s（可用 --columns 选择，或设置 COLUMNS= 加宽）"},
    [HZ_MSG_YES] = {"yes", "是"},
    [HZ_MSG_NO] = {"no", "否"},
};

const char *hz_msg(hz_lang_t lang, hz_msg_t id) {
  if ((int)id < 0 || id >= HZ_MSG_COUNT)
    return "";
  return messages[id][lang == HZ_LANG_ZH ? 1 : 0];
}
