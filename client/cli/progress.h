/* Progress of a long import or export on stderr. On a terminal, one line
 * redrawn in place with \r at most four times a second: a bar when the
 * total is known, done / total, units per second and the time left; while
 * the work is out of our hands (a SubmitStream's answer comes once, at
 * the end) the elapsed time keeps moving, drawn by a helper thread. When
 * stderr is not a terminal, plain lines instead: one each time another
 * tenth of the total is done (or every five seconds without a total), so
 * logs stay short and readable. Words follow the command line's language. */
#ifndef HZ_CLI_PROGRESS_H
#define HZ_CLI_PROGRESS_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#include "labels.h"

/* One progress display. */
typedef struct hz_progress_s {
  FILE *out;            /* stderr */
  hz_lang_t lang;       /* language of the words shown */
  int tty;              /* out is a terminal: redraw in place */
  int quiet_plain;      /* without a terminal, say nothing before quiet_s */
  const char *item;     /* what is counted: "groups", "records" */
  const char *unit;     /* what the rate counts: "values", "records" */
  size_t total;         /* items expected, 0 = unknown */
  size_t done;          /* items done */
  size_t units;         /* units done (the rate's numerator) */
  double t0;            /* start, monotonic seconds */
  double last_draw;     /* last redraw or plain line */
  size_t last_tenth;    /* tenths of total already reported as lines */
  int drawn;            /* a \r line is on the terminal */
  const char *waiting;  /* the waiting message, NULL when not waiting */
  pthread_t ticker;     /* redraws the elapsed time while waiting */
  int ticking;          /* the ticker runs */
  pthread_mutex_t lock; /* guards the fields the ticker reads */
  pthread_cond_t wake;  /* ends the ticker's sleep */
} hz_progress_t;

/* Starts a display; item and unit are the words shown. quiet_plain: no
 * plain lines at all for work that ends within five seconds (an export
 * piped to a file). */
void hz_progress_init(hz_progress_t *p, FILE *out, hz_lang_t lang, const char *item,
                      const char *unit, size_t total, int quiet_plain);
/* done items and units so far. */
void hz_progress_update(hz_progress_t *p, size_t done, size_t units);
/* The work continues elsewhere (the server): shows msg with the elapsed
 * time until hz_progress_end. */
void hz_progress_wait(hz_progress_t *p, const char *msg);
/* The work is back here: stops the waiting display. */
void hz_progress_unwait(hz_progress_t *p);
/* Final line (the line is ended; on a terminal the \r line is replaced). */
void hz_progress_end(hz_progress_t *p, const char *final_msg);

/* Monotonic seconds. */
double hz_progress_now(void);

#endif
