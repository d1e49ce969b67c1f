/* Progress lines for bulk loads and exports. */
#include "progress.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_S  0.25 /* at most four redraws a second */
#define PLAIN_S   5.0  /* plain lines without a total, and the quiet span */
#define BAR_WIDTH 24

double hz_progress_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hz_progress_init(hz_progress_t *p, FILE *out, hz_lang_t lang, const char *item,
                      const char *unit, size_t total, int quiet_plain) {
  memset(p, 0, sizeof(*p));
  p->out = out;
  p->lang = lang;
  p->tty = isatty(fileno(out));
  p->quiet_plain = quiet_plain;
  p->item = item;
  p->unit = unit;
  p->total = total;
  p->t0 = hz_progress_now();
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, NULL);
}

static void clock_text(char *buf, size_t len, double s) {
  long t = (long)(s + 0.5);
  snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* The line's text, without a line end. Called with the lock held. */
static void compose(const hz_progress_t *p, char *buf, size_t len) {
  double el = hz_progress_now() - p->t0;
  double rate = el > 0.05 ? (double)p->units / el : 0;
  char bar[BAR_WIDTH + 3] = "", eta[48] = "", elapsed[48];
  clock_text(elapsed, sizeof(elapsed), el);
  if (p->total > 0 && p->tty) {
    size_t fill = p->done * BAR_WIDTH / p->total;
    bar[0] = '[';
    for (size_t i = 0; i < BAR_WIDTH; i++)
      bar[1 + i] = i < fill ? '#' : '.';
    bar[BAR_WIDTH + 1] = ']';
    bar[BAR_WIDTH + 2] = '\0';
  }
  if (p->total > 0 && p->done > 0 && p->done < p->total && !p->waiting) {
    char t[48];
    clock_text(t, sizeof(t), el * (double)(p->total - p->done) / (double)p->done);
    snprintf(eta, sizeof(eta), (p->lang == HZ_LANG_ZH ? "  剩余 %s" : "  ETA %s"), t);
  }
  char count[64];
  if (p->total > 0)
    snprintf(count, sizeof(count), "%zu/%zu %s", p->done, p->total, p->item);
  else
    snprintf(count, sizeof(count), "%zu %s", p->done, p->item);
  snprintf(buf, len,
           (p->lang == HZ_LANG_ZH ? "%s%s%s  %.0f %s/秒  用时 %s%s%s%s"
                                  : "%s%s%s  %.0f %s/s  %s elapsed%s%s%s"),
           bar, *bar ? " " : "", count, rate, p->unit, elapsed, eta, p->waiting ? "  " : "",
           p->waiting ? p->waiting : "");
}

/* Writes the line: in place on a terminal, as a line of its own else. */
static void draw(hz_progress_t *p) {
  char line[400];
  compose(p, line, sizeof(line));
  if (p->tty) {
    fprintf(p->out, "\r%s\033[K", line);
    p->drawn = 1;
  } else {
    fprintf(p->out, "%s\n", line);
  }
  fflush(p->out);
  p->last_draw = hz_progress_now();
}

void hz_progress_update(hz_progress_t *p, size_t done, size_t units) {
  pthread_mutex_lock(&p->lock);
  p->done = done;
  p->units = units;
  double now = hz_progress_now();
  if (p->tty) {
    if (now - p->last_draw >= REDRAW_S)
      draw(p);
  } else if (p->total > 0) {
    size_t tenth = done * 10 / p->total;
    if (tenth > p->last_tenth) {
      p->last_tenth = tenth;
      draw(p);
    }
  } else if (now - p->last_draw >= PLAIN_S && (!p->quiet_plain || now - p->t0 >= PLAIN_S)) {
    draw(p);
  }
  pthread_mutex_unlock(&p->lock);
}

static void *tick(void *arg) {
  hz_progress_t *p = arg;
  pthread_mutex_lock(&p->lock);
  while (p->ticking) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 250 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    int r = pthread_cond_timedwait(&p->wake, &p->lock, &ts);
    if (p->ticking && r == ETIMEDOUT)
      draw(p);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

void hz_progress_wait(hz_progress_t *p, const char *msg) {
  pthread_mutex_lock(&p->lock);
  p->waiting = msg;
  draw(p);
  if (p->tty && !p->ticking)
    p->ticking = pthread_create(&p->ticker, NULL, tick, p) == 0;
  pthread_mutex_unlock(&p->lock);
}

void hz_progress_unwait(hz_progress_t *p) {
  pthread_mutex_lock(&p->lock);
  int joined = p->ticking;
  p->ticking = 0;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  if (joined)
    pthread_join(p->ticker, NULL);
  p->waiting = NULL;
}

void hz_progress_end(hz_progress_t *p, const char *final_msg) {
  hz_progress_unwait(p);
  if (p->tty && p->drawn)
    fputs("\r\033[K", p->out);
  if (final_msg && (p->tty || !p->quiet_plain || hz_progress_now() - p->t0 >= PLAIN_S))
    fprintf(p->out, "%s\n", final_msg);
  fflush(p->out);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->wake);
}
