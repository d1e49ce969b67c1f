"""Server reflection, v1 and v1alpha, through stock grpcio: what
`grpcurl list` / `grpcurl describe` ask for with no .proto at hand."""

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool

import harness

EXPECTED_SERVICES = {
    "grpc.health.v1.Health",
    "huizong.v1.Reporting",
    "huizong.v1.Aggregation",
    "huizong.v1.Admin",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
}


class ReflectionMixin:
    """The tests, run against one reflection version (set in subclasses)."""

    version = None

    def setUp(self):
        self.channel = self.server.channel()
        self.r = harness.pb("grpc/reflection/%s/reflection.proto" % self.version)
        self.info = harness.bidi(
            self.channel, "/grpc.reflection.%s.ServerReflection/ServerReflectionInfo" % self.version,
            self.r.ServerReflectionRequest, self.r.ServerReflectionResponse)

    def ask(self, *requests):
        responses = list(self.info(iter(requests), timeout=10))
        self.assertEqual(len(responses), len(requests), responses)
        return responses

    def files_of(self, resp):
        self.assertEqual(resp.WhichOneof("message_response"), "file_descriptor_response",
                         resp)
        files = []
        for blob in resp.file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto()
            fd.ParseFromString(blob)
            files.append(fd)
        self.assertTrue(files, "empty file_descriptor_response")
        return files

    def assert_closed_under_dependencies(self, files):
        names = {f.name for f in files}
        for f in files:
            for dep in f.dependency:
                self.assertIn(dep, names, "%s imports %s, which was not sent" % (f.name, dep))
        # What grpcurl does next: build a pool from them. Every file must
        # be accepted, so dependencies are added first.
        pool = descriptor_pool.DescriptorPool()
        pending = list(files)
        added = set()
        for _ in range(len(files) + 1):
            for f in list(pending):
                if all(d in added for d in f.dependency):
                    pool.Add(f)
                    added.add(f.name)
                    pending.remove(f)
        self.assertEqual(pending, [], "files that could not be added to a pool")
        return pool

    def test_list_services(self):
        (resp,) = self.ask(self.r.ServerReflectionRequest(list_services="*"))
        self.assertEqual(resp.WhichOneof("message_response"), "list_services_response", resp)
        names = {s.name for s in resp.list_services_response.service}
        missing = EXPECTED_SERVICES - names
        self.assertFalse(missing, "not listed: %s (listed: %s)" % (sorted(missing), sorted(names)))

    def test_file_containing_service_symbol(self):
        (resp,) = self.ask(self.r.ServerReflectionRequest(
            file_containing_symbol="huizong.v1.Reporting"))
        files = self.files_of(resp)
        self.assertEqual(files[0].name, "huizong/v1/reporting.proto",
                         "the file defining the symbol comes first")
        self.assertIn("Reporting", [s.name for s in files[0].service])
        pool = self.assert_closed_under_dependencies(files)
        svc = pool.FindServiceByName("huizong.v1.Reporting")
        self.assertIn("Submit", [m.name for m in svc.methods])
        self.assertIn("SubmitStream", [m.name for m in svc.methods])

    def test_file_containing_message_and_method_symbols(self):
        resps = self.ask(
            self.r.ServerReflectionRequest(file_containing_symbol="grpc.health.v1.HealthCheckRequest"),
            self.r.ServerReflectionRequest(file_containing_symbol="grpc.health.v1.Health.Check"),
            self.r.ServerReflectionRequest(file_containing_symbol="huizong.v1.Aggregation"),
            self.r.ServerReflectionRequest(file_containing_symbol="huizong.v1.Admin"),
        )
        self.assertEqual(self.files_of(resps[0])[0].name, "grpc/health/v1/health.proto")
        self.assertEqual(self.files_of(resps[1])[0].name, "grpc/health/v1/health.proto")
        for resp, name in ((resps[2], "huizong/v1/aggregation.proto"),
                           (resps[3], "huizong/v1/admin.proto")):
            files = self.files_of(resp)
            self.assertEqual(files[0].name, name)
            self.assert_closed_under_dependencies(files)

    def test_file_by_filename(self):
        (resp,) = self.ask(self.r.ServerReflectionRequest(
            file_by_filename="grpc/health/v1/health.proto"))
        files = self.files_of(resp)
        self.assertEqual(files[0].name, "grpc/health/v1/health.proto")
        self.assertEqual(files[0].package, "grpc.health.v1")
        self.assertEqual([s.name for s in files[0].service], ["Health"])

    def test_unknown_symbol_not_found(self):
        (resp,) = self.ask(self.r.ServerReflectionRequest(
            file_containing_symbol="no.such.Symbol"))
        self.assertEqual(resp.WhichOneof("message_response"), "error_response", resp)
        self.assertEqual(resp.error_response.error_code, grpc.StatusCode.NOT_FOUND.value[0])

    def test_unknown_filename_not_found(self):
        (resp,) = self.ask(self.r.ServerReflectionRequest(file_by_filename="no/such.proto"))
        self.assertEqual(resp.WhichOneof("message_response"), "error_response", resp)
        self.assertEqual(resp.error_response.error_code, grpc.StatusCode.NOT_FOUND.value[0])

    def test_several_requests_in_one_stream(self):
        reqs = [
            self.r.ServerReflectionRequest(list_services=""),
            self.r.ServerReflectionRequest(file_containing_symbol="no.such.Symbol"),
            self.r.ServerReflectionRequest(file_by_filename="grpc/health/v1/health.proto"),
            self.r.ServerReflectionRequest(file_containing_symbol="huizong.v1.Reporting"),
            self.r.ServerReflectionRequest(list_services=""),
        ]
        resps = self.ask(*reqs)
        kinds = [r.WhichOneof("message_response") for r in resps]
        self.assertEqual(kinds, ["list_services_response", "error_response",
                                 "file_descriptor_response", "file_descriptor_response",
                                 "list_services_response"])
        self.assertEqual(self.files_of(resps[3])[0].name, "huizong/v1/reporting.proto")

    def test_interleaved_request_response(self):
        # A client that waits for each answer before the next question
        # (grpcurl does this) must not deadlock the stream.
        import queue
        q = queue.Queue()

        def requests():
            while True:
                item = q.get()
                if item is None:
                    return
                yield item

        call = self.info(requests(), timeout=10)
        for name in ("grpc/health/v1/health.proto", "huizong/v1/common.proto"):
            q.put(self.r.ServerReflectionRequest(file_by_filename=name))
            resp = next(call)
            self.assertEqual(self.files_of(resp)[0].name, name)
        q.put(None)
        self.assertEqual(list(call), [])


class ReflectionV1Test(ReflectionMixin, harness.ServerTestCase):
    version = "v1"


class ReflectionV1AlphaTest(ReflectionMixin, harness.ServerTestCase):
    version = "v1alpha"


if __name__ == "__main__":
    harness.main()
