/* The call's two state machines (transport/stream.h): the legal paths run,
 * and an illegal transition (a second hz_call_finish, a step back, a
 * handler finishing a call it was never given) stops the process with
 * assert. Each illegal case runs in a child process and must die of
 * SIGABRT. This also proves asserts are compiled in: a build with -DNDEBUG
 * (buildtype=release only) fails here by design. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hz_test.h"
#include "transport/stream.h"

static const hz_method_t method; /* only its presence matters here */

static void call_init(hz_call_t *call) {
  memset(call, 0, sizeof(*call));
  call->method = &method;
  call->stream_open = 1;
}

/* 1 when fn(call) aborts in a child process. */
static int aborts(void (*fn)(hz_call_t *)) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stderr); /* the assert message is expected */
    hz_call_t call;
    call_init(&call);
    fn(&call);
    _exit(0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void finish_twice(hz_call_t *call) {
  hz_stream_set_handler(call, HZ_HANDLER_ACTIVE);
  hz_stream_set_handler(call, HZ_HANDLER_FINISHED);
  hz_stream_set_handler(call, HZ_HANDLER_FINISHED);
}

static void finish_never_invoked(hz_call_t *call) {
  hz_stream_set_handler(call, HZ_HANDLER_FINISHED);
}

static void handling_before_dispatch(hz_call_t *call) {
  hz_stream_set_state(call, HZ_CALL_HANDLING);
}

static void responded_twice(hz_call_t *call) {
  hz_stream_set_state(call, HZ_CALL_RESPONDED);
  hz_stream_set_state(call, HZ_CALL_RESPONDED);
}

static void back_to_receiving(hz_call_t *call) {
  hz_stream_set_state(call, HZ_CALL_RECEIVING);
  hz_stream_set_state(call, HZ_CALL_RESPONDED);
  hz_stream_set_state(call, HZ_CALL_RECEIVING);
}

HZ_TEST(call_legal_paths_run) {
  hz_call_t call;
  call_init(&call);
  hz_stream_set_state(&call, HZ_CALL_RECEIVING);
  hz_stream_set_handler(&call, HZ_HANDLER_ACTIVE); /* a streamed message */
  hz_stream_set_handler(&call, HZ_HANDLER_ACTIVE); /* and another */
  hz_stream_set_state(&call, HZ_CALL_HANDLING);
  hz_stream_set_state(&call, HZ_CALL_RESPONDED);
  hz_stream_set_handler(&call, HZ_HANDLER_FINISHED);
  HZ_ASSERT_INT_EQ(call.state, HZ_CALL_RESPONDED);
  HZ_ASSERT_INT_EQ(call.handler, HZ_HANDLER_FINISHED);
  call_init(&call);
  hz_stream_set_state(&call, HZ_CALL_RESPONDED); /* refused before dispatch */
  HZ_ASSERT_INT_EQ(call.state, HZ_CALL_RESPONDED);
}

HZ_TEST(call_illegal_transitions_abort) {
  HZ_ASSERT_TRUE(aborts(finish_twice));
  HZ_ASSERT_TRUE(aborts(finish_never_invoked));
  HZ_ASSERT_TRUE(aborts(handling_before_dispatch));
  HZ_ASSERT_TRUE(aborts(responded_twice));
  HZ_ASSERT_TRUE(aborts(back_to_receiving));
}
