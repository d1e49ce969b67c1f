// What a refused call says: its gRPC status, the server's message, and
// the problem list huizongd attaches to refusals as the binary trailer
// `huizong-problems-bin` (a serialized huizong.v1.ProblemList: one
// Problem per bad item, `index` the item's position in the request).
import { Code, ConnectError, decodeBinaryHeader } from "@connectrpc/connect";
import { ProblemListSchema, type Problem } from "../gen/huizong/v1/common_pb";

export const PROBLEMS_TRAILER = "huizong-problems-bin";

export interface CallError {
  code: Code;
  codeName: string; // e.g. "InvalidArgument"
  message: string; // the server's grpc-message (or the transport's reason)
  problems: Problem[];
  total: number; // problems found, including any the trailer had no room for
}

/** Reads any thrown value as a CallError (a non-Connect error is Unknown). */
export function callError(e: unknown): CallError {
  const err = ConnectError.from(e);
  let problems: Problem[] = [];
  let total = 0;
  const bin = err.metadata.get(PROBLEMS_TRAILER);
  if (bin) {
    try {
      const list = decodeBinaryHeader(bin, ProblemListSchema);
      problems = list.problems;
      total = list.total || list.problems.length;
    } catch {
      // A trailer that does not decode is reported as no list: the
      // message still says what was wrong.
    }
  }
  return { code: err.code, codeName: Code[err.code], message: err.rawMessage, problems, total };
}

export function isUnauthenticated(e: CallError): boolean {
  return e.code === Code.Unauthenticated;
}
