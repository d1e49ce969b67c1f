/* The language of the messages the input side prints (encoding notes,
 * did-you-mean, progress, the template's headers): Chinese when the
 * locale is Chinese, English otherwise. A minimal stand-in until the CLIs
 * share one locale mechanism (--lang): HUIZONG_LANG (zh|en) wins, then
 * LC_ALL, LC_MESSAGES and LANG as POSIX orders them. */
#ifndef HZ_CLI_INLANG_H
#define HZ_CLI_INLANG_H

/* 1 when messages should be Chinese. */
int hz_lang_zh(void);

/* The Chinese or the English text, by hz_lang_zh(). */
#define HZ_L(zh, en) (hz_lang_zh() ? (zh) : (en))

#endif
