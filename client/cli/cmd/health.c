/* "health": asks grpc.health.v1.Health whether the server (or one of its
 * services) is serving. Check by default; --watch follows the Watch stream.
 * Exit 0 only when the (last) answer is SERVING. */
#include <stdio.h>

#include "commands.h"
#include "present.h"
#include "grpc/health/v1/health.pb-c.h"

#define CHECK_METHOD "/grpc.health.v1.Health/Check"
#define WATCH_METHOD "/grpc.health.v1.Health/Watch"

static const hz_cli_opt_t health_opts[] = {
    {"service", "NAME",
     "service to ask about, e.g. huizong.v1.Reporting (default: the whole server)"},
    {"watch", NULL,
     "print every status change until the server ends the stream or --timeout expires "
     "(no deadline unless --timeout is given; json prints one object per line)"},
    {NULL, NULL, NULL},
};

static const char *serving_name(int status, char *buf, size_t len) {
  const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
      &grpc__health__v1__health_check_response__serving_status__descriptor, status);
  if (v)
    return v->name;
  snprintf(buf, len, "UNKNOWN_%d", status);
  return buf;
}

/* One answer in the chosen format. header_done tracks the CSV header of a
 * stream of answers. */
static void print_answer(hz_cli_t *cli, const char *service, int status, int *header_done) {
  static const char *const cols[] = {"service", "status"};
  char buf[32];
  const char *row[] = {service, serving_name(status, buf, sizeof(buf))};
  switch (cli->format) {
  case HZ_FORMAT_CSV:
    if (!*header_done)
      hz_csv_write_row(cli->out, 2, cols);
    *header_done = 1;
    hz_csv_write_row(cli->out, 2, row);
    break;
  case HZ_FORMAT_JSON:
    hz_json_write_object(cli->out, 2, cols, row);
    fputc('\n', cli->out);
    break;
  default: fprintf(cli->out, "%s\n", row[1]); break;
  }
  fflush(cli->out);
}

static int check(hz_cli_t *cli, hzc_client_t *client,
                 const Grpc__Health__V1__HealthCheckRequest *req) {
  ProtobufCMessage *resp = NULL;
  hzc_status_t st;
  hzc_status_init(&st);
  hzc_call_opts_t opts = hz_cli_call_opts(cli);
  int rc = hzc_client_unary_opts(client, CHECK_METHOD, &opts, &req->base,
                                 &grpc__health__v1__health_check_response__descriptor, &resp, &st);
  if (rc != HZC_OK) {
    rc = hz_cli_fail(cli, &st);
    hzc_status_reset(&st);
    return rc;
  }
  int status = ((Grpc__Health__V1__HealthCheckResponse *)resp)->status;
  if (cli->format == HZ_FORMAT_XLSX) {
    static const char *const cols[] = {"service", "status"};
    char buf[32];
    const char *row[] = {req->service, serving_name(status, buf, sizeof(buf))};
    hz_write_record(cli, 2, cols, row);
  } else if (cli->format == HZ_FORMAT_JSON) {
    /* A single answer is a one-element array like every other result. */
    static const char *const cols[] = {"service", "status"};
    char buf[32];
    const char *row[] = {req->service, serving_name(status, buf, sizeof(buf))};
    fputs("[\n  ", cli->out);
    hz_json_write_object(cli->out, 2, cols, row);
    fputs("\n]\n", cli->out);
  } else {
    int header_done = 0;
    print_answer(cli, req->service, status, &header_done);
  }
  protobuf_c_message_free_unpacked(resp, NULL);
  /* An OK status still owns the server's trailing metadata (x-request-id). */
  hzc_status_reset(&st);
  return status == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
             ? HZ_EXIT_OK
             : HZ_EXIT_REFUSED;
}

static int watch(hz_cli_t *cli, hzc_client_t *client,
                 const Grpc__Health__V1__HealthCheckRequest *req) {
  hzc_call_opts_t opts = {.timeout_ms = cli->timeout_set ? cli->timeout_ms : 0};
  hzc_call_t *call;
  if (hzc_call_start(client, WATCH_METHOD, &opts, &call) != HZC_OK)
    return hz_cli_error(cli, "cannot start the call");
  if (hzc_call_send(call, &req->base) == HZC_OK)
    hzc_call_close_send(call);

  int last = -1, header_done = 0, got;
  ProtobufCMessage *msg;
  while ((got = hzc_call_recv(call, &grpc__health__v1__health_check_response__descriptor, &msg)) ==
         1) {
    last = ((Grpc__Health__V1__HealthCheckResponse *)msg)->status;
    print_answer(cli, req->service, last, &header_done);
    protobuf_c_message_free_unpacked(msg, NULL);
  }
  hzc_status_t st;
  hzc_status_init(&st);
  hzc_call_finish(call, &st);
  /* Watching until --timeout is a normal way to stop. */
  int ended_ok = st.code == HZ_STATUS_OK || (st.code == HZ_STATUS_DEADLINE_EXCEEDED && last >= 0);
  int rc = ended_ok ? (last == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                           ? HZ_EXIT_OK
                           : HZ_EXIT_REFUSED)
                    : hz_cli_fail(cli, &st);
  hzc_status_reset(&st);
  return rc;
}

static int run_health(hz_cli_t *cli) {
  hzc_client_t *client;
  int rc = hz_cli_client(cli, &client);
  if (rc != HZ_EXIT_OK)
    return rc;
  Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
  const char *service = hz_cli_opt(cli, "service");
  req.service = (char *)(service ? service : "");
  return hz_cli_flag(cli, "watch") ? watch(cli, client, &req) : check(cli, client, &req);
}

const hz_cli_cmd_t hz_cmd_health = {
    .name = "health",
    .summary = "ask whether the server is serving (grpc.health.v1.Health)",
    .opts = health_opts,
    .run = run_health,
};
