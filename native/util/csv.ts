// CSV for people who open it in a spreadsheet: RFC 4180 quoting, and cells a spreadsheet would run
// as a formula (= + - @, tab, CR) defused with a leading apostrophe, since comments, maintenance
// notes and audit details are text typed by users. One writer for every CSV the console makes.
export type CsvCell = string | number | boolean | null;

function cell(v: CsvCell): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const out = [header.map(cell).join(',')];
  for (const r of rows) out.push(r.map(cell).join(','));
  return `${out.join('\r\n')}\r\n`;
}
