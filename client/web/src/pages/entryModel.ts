// The 填报 form's model, apart from its page: one field per indicator of
// the period's frequency, the value as typed and what is wrong with it
// (checked as typed, then by the server's dry run), beside last year's and
// last period's values for reference.
import type { Indicator } from "../gen/huizong/v1/common_pb";
import type { Report } from "../gen/huizong/v1/aggregation_pb";
import type { Problem } from "../gen/huizong/v1/common_pb";
import { checkDecimal, normalizeDecimal, outOfBounds } from "../format/decimal";
import { t } from "../i18n";

export interface Field {
  ind: Indicator;
  input: string; // as typed (trimmed on send)
  stored: string; // the value stored for this period; "" = none
  lastYear: string; // 上年同期 value; "" = none
  lastPeriod: string; // 上期 value; "" = none
  typed: string; // what checkDecimal/bounds say now; "" = fine
  malformed: boolean; // typed is a grammar error (blocks 提交; bounds only warn)
  server: string; // the server's problem from the last 检查/提交; "" = none
}

function valueOf(r: Report | null, code: string): string {
  return r?.values.find((v) => v.indicator?.code === code)?.value ?? "";
}

/** Fields for the submitted (not computed) indicators of one frequency. */
export function buildFields(indicators: Indicator[], current: Report | null, lastYear: Report | null,
  lastPeriod: Report | null): Field[] {
  return indicators.map((ind) => ({
    ind,
    input: valueOf(current, ind.code),
    stored: valueOf(current, ind.code),
    lastYear: valueOf(lastYear, ind.code),
    lastPeriod: valueOf(lastPeriod, ind.code),
    typed: "",
    malformed: false,
    server: "",
  }));
}

/** The as-typed check of one field: grammar, then the indicator's
 *  bounds. Sets f.typed and f.malformed. Why bounds only warn: the server
 *  is the authority on them (检查 asks it), the grammar is not in doubt. */
export function checkField(f: Field): void {
  const v = f.input.trim();
  f.typed = "";
  f.malformed = false;
  if (v === "") return;
  const p = checkDecimal(v);
  if (p) {
    f.typed = t(`decimal.${p}`);
    f.malformed = true;
    return;
  }
  const min = f.ind.minValue?.value;
  const max = f.ind.maxValue?.value;
  const b = outOfBounds(v, min, max);
  if (b === "below") f.typed = t("entry.below", { min: min ?? "" });
  if (b === "above") f.typed = t("entry.above", { max: max ?? "" });
}

/** The values to send: every field with a value, in form order; `sent[i]`
 *  is the field of the request's i-th value (a Problem's index). */
export function valuesToSend(fields: Field[]): { values: { indicatorCode: string; value: string }[]; sent: Field[] } {
  const sent = fields.filter((f) => f.input.trim() !== "");
  return { values: sent.map((f) => ({ indicatorCode: f.ind.code, value: f.input.trim() })), sent };
}

/** Puts each problem next to its field (by index into the sent values,
 *  or by indicator code); returns the problems that belong to no field. */
export function placeProblems(problems: Problem[], sent: Field[], fields: Field[]): Problem[] {
  for (const f of fields) f.server = "";
  const loose: Problem[] = [];
  for (const p of problems) {
    const f = (p.index >= 0 ? sent[p.index] : undefined) ?? fields.find((x) => p.indicatorCode && x.ind.code === p.indicatorCode);
    if (f) f.server = f.server ? `${f.server}; ${p.reason}` : p.reason;
    else loose.push(p);
  }
  return loose;
}

/** Whether a field's value differs from what is stored (for the form's
 *  "changed" mark); compares exact values, so "4.90" equals "4.9". */
export function changed(f: Field): boolean {
  const v = f.input.trim();
  if (v === f.stored) return false;
  if (v === "" || f.stored === "" || checkDecimal(v)) return true;
  return normalizeDecimal(v) !== normalizeDecimal(f.stored);
}
