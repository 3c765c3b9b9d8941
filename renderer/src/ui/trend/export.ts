// Exports of what a trend shows: CSV (one row per sample and pen, ISO time) and PNG (the chart's
// canvas on the theme's background, with the pens listed under it).
export interface ExportRow {
  /** ms since epoch */
  t: number;
  tag: string;
  unit: string;
  v: number | null;
  min: number | null;
  max: number | null;
}

const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const num = (v: number | null) => (v === null ? '' : String(v));

export function toCsv(rows: ExportRow[]): string {
  const sorted = [...rows].sort((a, b) => a.t - b.t || a.tag.localeCompare(b.tag));
  const lines = ['time,tag,unit,value,min,max'];
  for (const r of sorted) lines.push([new Date(r.t).toISOString(), cell(r.tag), cell(r.unit), num(r.v), num(r.min), num(r.max)].join(','));
  return `${lines.join('\n')}\n`;
}

/** The chart canvas over the page background, with a caption: a picture that stands on its own. */
export function chartPng(canvas: HTMLCanvasElement, caption: string[]): Promise<Blob> {
  const style = getComputedStyle(document.documentElement);
  const lineH = 18;
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height + (caption.length + 1) * lineH;
  const g = out.getContext('2d');
  if (!g) return Promise.reject(new Error('no 2D canvas'));
  g.fillStyle = style.getPropertyValue('--bg-panel').trim() || '#35383c';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(canvas, 0, 0);
  g.fillStyle = style.getPropertyValue('--fg').trim() || '#d9dadb';
  g.font = '13px system-ui, sans-serif';
  caption.forEach((line, i) => {
    g.fillText(line, 8, canvas.height + (i + 1) * lineH);
  });
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}

export function stamp(t = Date.now()): string {
  return new Date(t).toISOString().slice(0, 19).replaceAll(':', '-');
}
