/* The words people read, in one table: every column key of every listing
 * (the stable key csv and json carry, e.g. "yoy_growth_pct") with its
 * Chinese and English header, its kind (how output.h renders its cells)
 * and its fixed unit; and the few messages the CLIs localize. Words follow
 * /work/shared/STATISTICS.md (本期, 累计, 同比, 环比, 百分点, 报送率 ...).
 *
 * The language comes from --lang, else the POSIX locale variables in
 * their order of precedence (LC_ALL, LC_MESSAGES, LANG): a value starting
 * "zh" is Chinese, anything else (C, POSIX, en_US.UTF-8, unset) English.
 * Why not gettext: the binaries ship no message catalogs, and a column
 * key must map to the same header in a test, a table and a spreadsheet. */
#ifndef HZ_CLI_LABELS_H
#define HZ_CLI_LABELS_H

#include <stddef.h>

typedef enum {
  HZ_LANG_EN = 0,
  HZ_LANG_ZH,
} hz_lang_t;

/* How a column's cells are read and rendered (output.h says per format). */
typedef enum {
  HZ_KIND_TEXT = 0, /* names, codes, periods: printed as given */
  HZ_KIND_INT,      /* counts: JSON numbers, thousands separators in tables */
  HZ_KIND_DECIMAL,  /* exact figures: JSON strings, separators in tables */
  HZ_KIND_PERCENT,  /* a Decimal in percent: "28.00%" in tables, bare elsewhere */
  HZ_KIND_POINTS,   /* a difference of percentages, in 百分点 */
  HZ_KIND_BOOL,     /* "true"/"false": JSON booleans, 是/否 or yes/no in tables */
  HZ_KIND_TIME,     /* RFC 3339 UTC from the wire: shown in the office's zone */
  HZ_KIND_FIGURE,   /* text made for people from figures ("+23.58个百分点"): right-aligned */
  HZ_KIND_WORD,     /* an enum's stable name ("quarter"): 季度 in a Chinese table */
} hz_kind_t;

/* One column key. */
typedef struct hz_label_s {
  const char *key;  /* the csv/json key, snake_case as in the proto */
  hz_kind_t kind;   /* default kind of its cells */
  const char *zh;   /* Chinese header */
  const char *en;   /* English header */
  const char *unit; /* fixed unit added to spreadsheet headers ("%"), or NULL */
} hz_label_t;

/* The whole table, ending with a NULL key (for tests and --columns help). */
extern const hz_label_t hz_labels[];

/* The row of key, or NULL when the table lacks it. */
const hz_label_t *hz_label_find(const char *key);
/* The header of key in lang; the key itself when the table lacks it. */
const char *hz_label_text(const char *key, hz_lang_t lang);

/* The word people read for an enum's stable name in lang ("quarter" ->
 * 季度); the name itself when there is none (English, or unknown). */
const char *hz_word_text(const char *name, hz_lang_t lang);

/* "zh" or "en" (also "zh_CN", "chinese", "中文", "english"). Returns 0 or -1. */
int hz_lang_parse(const char *s, hz_lang_t *out);
/* The language of the environment's locale (see above). */
hz_lang_t hz_lang_from_env(void);

/* Localized messages, by id. */
typedef enum {
  HZ_MSG_ERROR = 0,   /* the "error: " prefix */
  HZ_MSG_NOTE,        /* the "note: " prefix */
  HZ_MSG_NO_TOKEN,    /* no token and the server wants one */
  HZ_MSG_BAD_TOKEN,   /* the server refused the token */
  HZ_MSG_HIDDEN_COLS, /* columns left out to fit; %zu %s */
  HZ_MSG_YES,
  HZ_MSG_NO,
  HZ_MSG_COUNT /* number of messages */
} hz_msg_t;

/* The text of a message in lang (printf format where noted). */
const char *hz_msg(hz_lang_t lang, hz_msg_t id);

#endif
