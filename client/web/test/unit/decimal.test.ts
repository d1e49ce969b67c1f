// The submitted-value grammar (DESIGN.md; service/domain/decimal.h) as the
// form checks it while typing, and exact comparison for bounds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkDecimal, compareDecimal, normalizeDecimal, outOfBounds } from "../../src/format/decimal";

test("valid values", () => {
  for (const ok of ["0", "4.9", "-12.50", "49000", "007", "0.000001", "-0", "1".repeat(20), "1".repeat(20) + ".123456"]) {
    assert.equal(checkDecimal(ok), null, ok);
  }
});

test("each refusal says why", () => {
  const cases: [string, string][] = [
    ["", "empty"],
    ["+4.9", "plus"],
    ["4.9 ", "space"],
    [" 4.9", "space"],
    ["4,900", "separator"],
    ["1,000.5", "separator"],
    ["4_900", "separator"],
    ["4.9e3", "exponent"],
    ["1E5", "exponent"],
    ["４.９", "fullwidth"],
    ["4。9", "malformed"],
    ["1".repeat(21), "int_digits"],
    ["4.9000000", "frac_digits"],
    ["4.", "malformed"],
    [".5", "malformed"],
    ["--1", "malformed"],
    ["NaN", "malformed"],
    ["Infinity", "malformed"],
    ["4.9.1", "malformed"],
    ["abc", "malformed"],
    ["4900万", "malformed"],
  ];
  for (const [text, why] of cases) assert.equal(checkDecimal(text), why, JSON.stringify(text));
});

test("exact comparison, never through a float", () => {
  assert.equal(compareDecimal("4.90", "4.9"), 0);
  assert.equal(compareDecimal("-0", "0"), 0);
  assert.ok(compareDecimal("-1", "0") < 0);
  assert.ok(compareDecimal("-2", "-1") < 0);
  assert.ok(compareDecimal("10", "9.999999") > 0);
  // Past a double's 15-16 digits: the floats would be equal.
  assert.ok(compareDecimal("12345678901234567890.000001", "12345678901234567890") > 0);
  assert.ok(compareDecimal("0.1", "0.09") > 0);
});

test("normalised text as the server stores it", () => {
  assert.equal(normalizeDecimal("04.90"), "4.9");
  assert.equal(normalizeDecimal("-0.00"), "0");
  assert.equal(normalizeDecimal("0.5"), "0.5");
  assert.equal(normalizeDecimal("100"), "100");
});

test("bounds", () => {
  assert.equal(outOfBounds("-1", "0"), "below");
  assert.equal(outOfBounds("0", "0"), null);
  assert.equal(outOfBounds("100000001", "0", "100000000"), "above");
  assert.equal(outOfBounds("5", undefined, undefined), null);
  assert.equal(outOfBounds("5", "", ""), null);
});
