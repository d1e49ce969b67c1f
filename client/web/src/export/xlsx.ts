// .xlsx through excel-builder-vanilla (maintained; zips with fflate's
// zipSync on the page's own thread: no blob: Worker, which huizongd's
// CSP would refuse). Loaded only when the user exports, so the first
// page stays small. Decimal cells become numbers when a double holds them
// exactly (15 significant digits or fewer), else they stay text so no
// digit is lost.
import type { ExportTable } from "./table";

export function exactNumber(v: string): number | null {
  if (!/^-?\d+(\.\d+)?$/.test(v)) return null;
  const digits = v.replace(/^-/, "").replace(".", "").replace(/^0+/, "");
  return digits.length <= 15 ? Number(v) : null;
}

export async function toXlsx(table: ExportTable): Promise<Blob> {
  const { createWorkbook, createExcelFile } = await import("excel-builder-vanilla");
  const wb = createWorkbook();
  const ws = wb.createWorksheet({ name: "huizong" });
  const rows: (string | number)[][] = [table.columns.map((c) => c.label)];
  for (const row of table.rows) {
    rows.push(row.map((v, i) => (table.columns[i]?.numeric ? exactNumber(v) ?? v : v)));
  }
  ws.setData(rows);
  ws.setColumns(table.columns.map((c) => ({ width: Math.max(10, Math.min(40, c.label.length * 2 + 4)) })));
  wb.addWorksheet(ws);
  return createExcelFile(wb, "Blob");
}
