// Reference server for tests/bench/health_bench.sh: grpc.health.v1.Health
// served by Debian's gRPC C++ (libgrpc++-dev) with the synchronous API, the
// yardstick huizongd's unary throughput is measured against.
//
// Usage: ref_health_server PORT   (listens on 127.0.0.1:PORT, plaintext h2c)
// Stops cleanly on SIGTERM or SIGINT.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "grpc/health/v1/health.grpc.pb.h"

namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// Check looks the service name up in a status table, the same work a real
// health service does; "" (the whole server) is SERVING.
class HealthService final : public Health::Service {
 public:
  HealthService() { statuses_[""] = HealthCheckResponse::SERVING; }

  grpc::Status Check(grpc::ServerContext*, const HealthCheckRequest* request,
                     HealthCheckResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = statuses_.find(request->service());
    if (it == statuses_.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
    }
    response->set_status(it->second);
    return grpc::Status::OK;
  }
  // Watch is left to the generated default (UNIMPLEMENTED): the benchmark
  // only measures unary Check.

 private:
  std::mutex mu_;  // the table may be updated while calls run
  std::map<std::string, HealthCheckResponse::ServingStatus> statuses_;  // by service name
};

// Blocks SIGTERM/SIGINT in every thread and returns once one arrives, so
// the main thread can shut the server down outside a signal handler.
void wait_for_stop_signal(sigset_t* set) {
  int sig = 0;
  sigwait(set, &sig);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  char* end = nullptr;
  long port = std::strtol(argv[1], &end, 10);
  if (*end != '\0' || port <= 0 || port > 65535) {
    std::fprintf(stderr, "bad port: %s\n", argv[1]);
    return 2;
  }

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  HealthService service;
  grpc::ServerBuilder builder;
  std::string address = "127.0.0.1:" + std::to_string(port);
  int bound_port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    std::fprintf(stderr, "cannot listen on %s\n", address.c_str());
    return 1;
  }
  std::fprintf(stderr, "ref_health_server: listening on %s\n", address.c_str());

  std::thread waiter([&server, &stop_signals] {
    wait_for_stop_signal(&stop_signals);
    server->Shutdown();
  });
  server->Wait();
  waiter.join();
  return 0;
}
