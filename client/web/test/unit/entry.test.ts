// The 填报 form's model: problems from the huizong-problems-bin trailer go
// next to the field they name (index = position among the values sent).
import { test } from "node:test";
import assert from "node:assert/strict";
import { create, toBinary, fromBinary } from "@bufbuild/protobuf";
import { IndicatorSchema, ProblemKind, ProblemListSchema, ProblemSchema } from "../../src/gen/huizong/v1/common_pb";
import { buildFields, checkField, placeProblems, valuesToSend } from "../../src/pages/entryModel";

const ind = (code: string, min?: string) =>
  create(IndicatorSchema, { code, name: code, unit: "万元", minValue: min ? { value: min } : undefined });

test("problem indexes map to the values sent, skipping empty fields", () => {
  const fields = buildFields([ind("a"), ind("b"), ind("c", "0")], null, null, null);
  fields[0].input = "4,9";
  fields[2].input = "-5";
  const { values, sent } = valuesToSend(fields);
  assert.deepEqual(values.map((v) => v.indicatorCode), ["a", "c"]);
  // What the server sends, through the wire format and back.
  const wire = toBinary(ProblemListSchema, create(ProblemListSchema, {
    problems: [
      create(ProblemSchema, { index: 0, kind: ProblemKind.MALFORMED, field: "value", reason: "malformed decimal" }),
      create(ProblemSchema, { index: 1, kind: ProblemKind.OUT_OF_BOUNDS, field: "value", reason: "below 0" }),
      create(ProblemSchema, { index: -1, kind: ProblemKind.MISSING_FIELD, reason: "period closed" }),
    ],
    total: 3,
  }));
  const list = fromBinary(ProblemListSchema, wire);
  const loose = placeProblems(list.problems, sent, fields);
  assert.equal(fields[0].server, "malformed decimal");
  assert.equal(fields[1].server, "");
  assert.equal(fields[2].server, "below 0");
  assert.deepEqual(loose.map((p) => p.reason), ["period closed"]);
});

test("grammar errors block, bounds only warn", () => {
  const [f, g] = buildFields([ind("a"), ind("b", "0")], null, null, null);
  f.input = "1e5";
  checkField(f);
  assert.ok(f.malformed && f.typed !== "");
  g.input = "-1";
  checkField(g);
  assert.ok(!g.malformed && g.typed !== "");
  g.input = "3";
  checkField(g);
  assert.equal(g.typed, "");
});
