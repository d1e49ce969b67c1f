/* Statistics figures as people read them. */
#include "statfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dec(const Huizong__V1__Decimal *d) {
  return d && d->value && *d->value ? d->value : NULL;
}

/* "+x" for a value without a sign (zero stays "0.00", not "+0.00"). */
static const char *signed_text(const char *v, char *buf, size_t len) {
  int zero = strspn(v, "0.") == strlen(v);
  snprintf(buf, len, "%s%s", v[0] == '-' || v[0] == '+' || zero ? "" : "+", v);
  return buf;
}

const char *hz_stat_change(hz_lang_t lang, const Huizong__V1__Decimal *pct,
                           const Huizong__V1__Decimal *pp, char *buf, size_t len) {
  char s[64];
  if (dec(pp))
    snprintf(buf, len, "%s%s", signed_text(dec(pp), s, sizeof(s)),
             lang == HZ_LANG_ZH ? "个百分点" : " pp");
  else if (dec(pct))
    snprintf(buf, len, "%s%%", signed_text(dec(pct), s, sizeof(s)));
  else if (len > 0)
    buf[0] = '\0';
  return buf;
}

const char *hz_stat_subperiod(hz_lang_t lang, const char *code, char *buf, size_t len) {
  size_t n = code ? strlen(code) : 0;
  if (n == 6 && (code[4] == 'Q' || code[4] == 'S')) {
    if (lang == HZ_LANG_ZH && code[4] == 'S')
      snprintf(buf, len, "%s", code[5] == '1' ? "上半年" : "下半年");
    else
      snprintf(buf, len, "%s", code + 4);
  } else if (n == 6 && strspn(code, "0123456789") == 6) {
    int m = atoi(code + 4);
    snprintf(buf, len, lang == HZ_LANG_ZH ? "%d月" : "M%d", m);
  } else {
    snprintf(buf, len, "%s", code ? code : "");
  }
  return buf;
}

/* The unit of a count of sub-periods: 季 / quarters. */
static const char *sub_unit(hz_lang_t lang, int period_type) {
  switch (period_type) {
  case HUIZONG__V1__PERIOD_TYPE__PERIOD_TYPE_MONTH: return lang == HZ_LANG_ZH ? "月" : "months";
  case HUIZONG__V1__PERIOD_TYPE__PERIOD_TYPE_QUARTER: return lang == HZ_LANG_ZH ? "季" : "quarters";
  case HUIZONG__V1__PERIOD_TYPE__PERIOD_TYPE_HALF_YEAR:
    return lang == HZ_LANG_ZH ? "个半年" : "half years";
  default: return lang == HZ_LANG_ZH ? "期" : "periods";
  }
}

const char *hz_stat_coverage(hz_lang_t lang, const Huizong__V1__Coverage *c, int period_type,
                             char *buf, size_t len) {
  if (len == 0)
    return buf;
  buf[0] = '\0';
  if (!c || c->complete || (c->total > 0 && c->covered >= c->total))
    return buf;
  int n =
      lang == HZ_LANG_ZH
          ? snprintf(buf, len, "%d/%d%s", c->covered, c->total, sub_unit(lang, period_type))
          : snprintf(buf, len, "%d of %d %s", c->covered, c->total, sub_unit(lang, period_type));
  for (size_t i = 0; i < c->n_covered_periods && n > 0 && (size_t)n < len; i++) {
    char one[32];
    hz_stat_subperiod(lang, c->covered_periods[i], one, sizeof(one));
    n += snprintf(buf + n, len - (size_t)n, "%s%s", i ? "," : ": ", one);
  }
  return buf;
}

const char *hz_stat_period_type(hz_lang_t lang, int t) {
  static const char *const zh[] = {"", "年度", "半年", "季度", "月度"};
  static const char *const en[] = {"", "year", "half year", "quarter", "month"};
  if (t < 0 || t > 4)
    return "?";
  return lang == HZ_LANG_ZH ? zh[t] : en[t];
}

const char *hz_stat_state(hz_lang_t lang, int s) {
  static const char *const zh[] = {"", "未报", "已报", "已审核", "部分已报"};
  static const char *const en[] = {"", "missing", "submitted", "approved", "partial"};
  if (s < 0 || s > 4)
    return "?";
  return lang == HZ_LANG_ZH ? zh[s] : en[s];
}
