// The submitted-value grammar of DESIGN.md, checked as the clerk types:
// optional leading '-', 1..20 integer digits, optionally '.' and 1..6
// fraction digits; no '+', exponent, spaces, separators, NaN. The server
// checks the same again (service/domain/decimal.h); this only says it
// sooner, next to the field. Comparisons are exact on the digits (never
// a float), for the indicator's bounds.

export const MAX_INT_DIGITS = 20;
export const MAX_FRAC_DIGITS = 6;

/** Why a text is not a submitted value; the i18n table words each. */
export type DecimalProblem =
  | "empty"
  | "plus"
  | "space"
  | "separator"
  | "exponent"
  | "fullwidth"
  | "int_digits"
  | "frac_digits"
  | "malformed";

const GRAMMAR = /^-?(\d+)(?:\.(\d+))?$/;

/** null when `text` is a valid submitted value, else what is wrong. */
export function checkDecimal(text: string): DecimalProblem | null {
  if (text === "") return "empty";
  const m = GRAMMAR.exec(text);
  if (m) {
    if (m[1].length > MAX_INT_DIGITS) return "int_digits";
    if (m[2] !== undefined && m[2].length > MAX_FRAC_DIGITS) return "frac_digits";
    return null;
  }
  if (/[\uFF10-\uFF19\uFF0E\uFF0C\uFF0D]/.test(text)) return "fullwidth";
  if (/\s/.test(text)) return "space";
  if (text.startsWith("+")) return "plus";
  if (/^-?[\d.]*[eE]/.test(text)) return "exponent";
  if (/^-?\d[\d,_']*(\.\d*)?$/.test(text) && /[,_']/.test(text)) return "separator";
  return "malformed";
}

interface Parts {
  neg: boolean;
  int: string; // no leading zeros ("" for zero)
  frac: string; // no trailing zeros
}

function parts(text: string): Parts | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const int = m[2].replace(/^0+/, "");
  const frac = (m[3] ?? "").replace(/0+$/, "");
  return { neg: m[1] === "-" && (int !== "" || frac !== ""), int, frac };
}

function cmpMagnitude(a: Parts, b: Parts): number {
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  const n = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(n, "0");
  const fb = b.frac.padEnd(n, "0");
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** Exact comparison of two decimal texts: <0, 0, >0. Invalid text throws,
 *  since callers compare only values that passed checkDecimal or came
 *  from the server. */
export function compareDecimal(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  if (!pa || !pb) throw new Error(`not a decimal: ${pa ? b : a}`);
  if (pa.neg !== pb.neg) return pa.neg ? -1 : 1;
  const c = cmpMagnitude(pa, pb);
  return pa.neg ? -c : c;
}

/** Canonical text: no leading integer zeros, no trailing fraction zeros,
 *  no sign on zero ("04.90" -> "4.9", "-0.0" -> "0"), as the server
 *  normalises. */
export function normalizeDecimal(text: string): string {
  const p = parts(text);
  if (!p) throw new Error(`not a decimal: ${text}`);
  const body = (p.int || "0") + (p.frac ? `.${p.frac}` : "");
  return p.neg ? `-${body}` : body;
}

/** "below" / "above" when the value is outside [min, max] (either bound
 *  may be absent), else null. */
export function outOfBounds(value: string, min?: string, max?: string): "below" | "above" | null {
  if (min !== undefined && min !== "" && compareDecimal(value, min) < 0) return "below";
  if (max !== undefined && max !== "" && compareDecimal(value, max) > 0) return "above";
  return null;
}
