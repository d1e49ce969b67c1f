// A table as the user sees it, for export: column headers in the current
// language and cells as shown (figures as exact decimal text).
export interface ExportColumn {
  label: string;
  numeric?: boolean; // cells are decimal text: a number in .xlsx when exact in a double
}

export interface ExportTable {
  name: string; // file name without extension, e.g. "南漳县-2022年第一季度-汇总"
  columns: ExportColumn[];
  rows: string[][]; // one string per column; "" = empty cell
}

/** A file name without characters file systems refuse. */
export function safeFileName(name: string): string {
  return name.replace(/[\\/:*?"<>|\s]+/g, "_").slice(0, 120) || "export";
}

/** Offers bytes as a download. */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
