// The console's one gRPC-Web connection: @connectrpc/connect-web's
// gRPC-Web transport in binary format (application/grpc-web+proto) to the
// page's own origin, which is huizongd itself (same origin: no CORS). Every
// call carries `authorization: Bearer <token>` from the auth store; the
// token is never put in a URL or logged. Deadlines are per call
// (grpc-timeout), so a stalled server surfaces as DEADLINE_EXCEEDED.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { Admin } from "../gen/huizong/v1/admin_pb";
import { Aggregation } from "../gen/huizong/v1/aggregation_pb";
import { Reporting } from "../gen/huizong/v1/reporting_pb";
import { currentToken } from "../auth/token";

/** Deadline of an ordinary call, in ms (a rollup of a province included). */
export const CALL_TIMEOUT_MS = 30_000;

const bearer: Interceptor = (next) => async (req) => {
  const token = currentToken();
  if (token) req.header.set("authorization", `Bearer ${token}`);
  return next(req);
};

const transport = createGrpcWebTransport({
  baseUrl: window.location.origin,
  useBinaryFormat: true,
  interceptors: [bearer],
  defaultTimeoutMs: CALL_TIMEOUT_MS,
});

export const admin: Client<typeof Admin> = createClient(Admin, transport);
export const aggregation: Client<typeof Aggregation> = createClient(Aggregation, transport);
export const reporting: Client<typeof Reporting> = createClient(Reporting, transport);
