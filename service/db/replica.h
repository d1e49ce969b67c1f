/* Reads on standbys, fresh at commit (issue 16). Beside the primary's pool,
 * one pool per read server (--read-database-url, a streaming standby);
 * a read job runs on a standby only when that standby has replayed the
 * WAL position the caller read on the primary, else on the primary.
 *
 * Why an answer read this way is fresh at commit: a Submit that returned
 * had committed, and its commit record was inserted into the primary's WAL
 * and flushed (synchronous_commit stays on: a Submit is durable) before its
 * answer was sent. The caller reads pg_current_wal_flush_lsn() on the
 * primary afterwards (db/sql/scaffold.def WAL_POSITION), so that position is
 * at or past the commit record. Why not the insert position: it may include
 * records nobody waits for (the bgwriter's running-xacts snapshot) that no
 * standby can receive before the walwriter flushes them, up to
 * wal_writer_delay later, longer than a read waits (the likely cause of a
 * CI run of test_replica that sent every read to the primary). The standby job starts with hz_read_fresh(position)
 * (migration 020), in the same implicit transaction and round trip as the
 * read itself: it raises HZ001 unless replay has reached the position, and
 * then nothing else in the job runs. Once it passes, every later
 * statement's snapshot sees that commit. Check and read cannot race.
 *
 * A standby that is behind is polled (2 ms, then 5 ms steps) for at most
 * max_wait_ms, then the job goes to the primary; while a standby is known
 * to be behind, a read tries it once and goes to the primary without
 * waiting. A standby that is down, refuses, or fails the job in any way
 * never fails a read: the job runs on the primary, and the caller sees
 * only the primary's verdict. Each standby's state (serving, behind, down)
 * is logged when it changes, never per call.
 *
 * Contract for callers: the statements' values stay valid until done runs
 * or the read is cancelled (the pool copies them on each attempt); done
 * runs at most once, with the caller's statements' results only. */
#ifndef HZ_DB_REPLICA_H
#define HZ_DB_REPLICA_H

#include <stdint.h>
#include <uv.h>

#include "core/log.h"
#include "db/pool.h"

/* A standby's state as reads see it. Changes go through standby_set
 * (replica.c), which logs each change once:
 *   UNKNOWN -> SERVING | BEHIND | DOWN; each of those -> the other two. */
typedef enum {
  HZ_STANDBY_UNKNOWN, /* no read finished there yet */
  HZ_STANDBY_SERVING, /* its last read was fresh and answered there */
  HZ_STANDBY_BEHIND,  /* its last read found it behind past max_wait_ms */
  HZ_STANDBY_DOWN,    /* unreachable: no connection, or one lost */
} hz_standby_state_t;

typedef struct hz_db_standby_s {
  hz_db_pool_t pool;        /* connections to this read server */
  hz_standby_state_t state; /* see hz_standby_state_t */
  char label[32];           /* "read database N" in log lines, N from 1 */
  uint64_t answered;        /* reads answered here (debug log at close) */
} hz_db_standby_t;

typedef struct hz_db_reads_s {
  hz_db_pool_t *primary;     /* where a read goes when no standby is fresh */
  hz_db_standby_t *standbys; /* array of n, in --read-database-url order */
  int n;                     /* read servers; 0 = every read on the primary */
  unsigned next;             /* round-robin start for the next read */
  unsigned max_wait_ms;      /* longest wait for a standby to catch up */
  uv_loop_t *loop;           /* where the wait timers run */
  const hz_log_t *log;       /* state changes */
  uint64_t on_primary;       /* reads answered by the primary */
  int closing_pools;         /* pools whose close has not completed */
  void (*on_closed)(void *); /* hz_db_reads_close's callback */
  void *closed_data;         /* passed to it */
} hz_db_reads_t;

typedef struct hz_db_read_s hz_db_read_t;

/* A pool per URL (size connections, queue_max waiting, timeout_ms as
 * hz_db_pool_init); primary must outlive r. 0 or -ENOMEM. */
int hz_db_reads_init(hz_db_reads_t *r, uv_loop_t *loop, hz_db_pool_t *primary,
                     const char *const *urls, int n, int size, int queue_max, unsigned timeout_ms,
                     unsigned max_wait_ms, const hz_log_t *log);

/* Runs the read job of n statements (at most HZ_DB_MAX_STMTS - 1) fresh
 * at position lsn (WAL_POSITION's text), on a standby when one has
 * replayed it, else on the primary; lsn NULL sends it to the primary.
 * Returns 0 (done will run unless cancelled), or hz_db_pool_submit's error
 * when the primary refused it at once (done will not run). *out, when
 * given, is set before any attempt, for hz_db_read_cancel. */
int hz_db_read_submit(hz_db_reads_t *r, const char *lsn, const hz_db_stmt_t *stmts, int n,
                      hz_db_done_fn done, void *data, hz_db_read_t **out);

/* done will not run; a job in flight completes silently. */
void hz_db_read_cancel(hz_db_read_t *rd);

/* Closes the read pools (not the primary); on_closed runs when done, at
 * once when there are none. Calls drain before this, so no read is left. */
void hz_db_reads_close(hz_db_reads_t *r, void (*on_closed)(void *), void *data);
/* NULL-safe; after close completed. */
void hz_db_reads_free(hz_db_reads_t *r);

#endif
