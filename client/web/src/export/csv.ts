// CSV that Excel opens correctly: UTF-8 with a byte-order mark (without it
// Excel reads Chinese as the ANSI code page), CRLF line ends, RFC 4180
// quoting. A text cell that Excel would take as a formula (=, +, -, @ not
// followed by a digit) is prefixed with an apostrophe; figures stay as
// they are, so "-12.5" is still a number.
import type { ExportTable } from "./table";

const FORMULA = /^[=+@\t\r]|^-(?![\d.])/;

function cell(v: string, numeric: boolean): string {
  let s = v;
  if (!numeric && FORMULA.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV text, BOM first. */
export function toCsv(table: ExportTable): string {
  const lines = [table.columns.map((c) => cell(c.label, false)).join(",")];
  for (const row of table.rows) {
    lines.push(row.map((v, i) => cell(v, !!table.columns[i]?.numeric)).join(","));
  }
  return "\uFEFF" + lines.join("\r\n") + "\r\n";
}
