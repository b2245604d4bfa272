/**
 * Collections as files: CSV (RFC 4180) and NDJSON (one JSON value per line). Pure text work, so
 * that the stream that writes them (src/entity-sets) is only about paging and back-pressure.
 */

export type ExportFormat = 'csv' | 'ndjson';

export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8; header=present',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark; other readers
 * (Python's csv with `utf-8-sig`, pandas, LibreOffice) skip it.
 */
export const CSV_BYTE_ORDER_MARK = '\uFEFF';

/** What a spreadsheet would take for a formula at the start of a cell (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell: a string as it is, a number or Boolean as JSON writes it, null as empty, and a complex
 * or collection value as its JSON text. Text that a spreadsheet would run as a formula gets a
 * leading `'` (shown by Excel as text, not a formula); numbers are never touched, so `-5` stays a
 * number. Quoted (RFC 4180 §2) when it holds a comma, a quote, a CR or an LF.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${value}` : value;
  else if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  else {
    text = JSON.stringify(value);
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record: cells separated by commas, ended by CRLF (RFC 4180 §2). */
export function csvLine(values: readonly unknown[]): string {
  let line = '';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) line += ',';
    line += csvCell(values[index]);
  }
  return `${line}\r\n`;
}

/** One NDJSON line. */
export function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/**
 * A file name for Content-Disposition: the name's letters, digits, `-`, `_` and `.` kept, the
 * rest as `-`, at most 100 characters; and RFC 8187's `filename*` with the name as it is.
 */
export function attachmentDisposition(name: string, extension: ExportFormat): string {
  const safe =
    name
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 100) || 'export';
  const full = `${name}.${extension}`;
  return `attachment; filename="${safe}.${extension}"; filename*=UTF-8''${encodeURIComponent(full)}`;
}

/**
 * A file's text from its records, a chunk of `perChunk` records at a time (each chunk one write):
 * for CSV the BOM and header row of `columns` first, then each record's values in those columns;
 * for NDJSON each record whole. Pulls the next record only when the chunk before was taken.
 */
export async function* fileChunks<T>(
  records: AsyncIterable<T>,
  format: ExportFormat,
  columns: readonly string[],
  valuesOf: (record: T) => Record<string, unknown>,
  perChunk = 200,
): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_BYTE_ORDER_MARK + csvLine(columns);
  let chunk = '';
  let count = 0;
  for await (const record of records) {
    const values = valuesOf(record);
    chunk +=
      format === 'csv' ? csvLine(columns.map((column) => values[column])) : ndjsonLine(values);
    if (++count === perChunk) {
      yield chunk;
      chunk = '';
      count = 0;
    }
  }
  if (chunk) yield chunk;
}
