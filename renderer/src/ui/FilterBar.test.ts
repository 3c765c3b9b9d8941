// The shared filter/page/export part in real Chromium: a page bundled from FilterBar.tsx over an
// in-page source of 250 rows, paged by offset (as the alarm journal) and by the last id (as the
// audit trail), filtered, exported, and failing.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.AURUM_CHROMIUM ?? '/usr/bin/chromium';

// One list screen: rows n = 1 … 250 (id 251 - n, newest first); a "to" bound keeps rows with n ≤ to
// (the filter's own meaning here), `?fail` makes every fetch refuse.
const ENTRY = `
import { createRoot } from 'react-dom/client';
import { DataTable } from './DataTable';
import { FilterBar, Pager, useFilteredPages } from './FilterBar';

const params = new URLSearchParams(window.pageParams);
const byId = params.get('cursor') === 'id';
const ROWS = Array.from({ length: 250 }, (_, i) => ({ n: i + 1, id: 250 - i }));
window.fetches = [];

function List() {
  const pages = useFilteredPages({
    initial: () => ({ from: '', to: '' }),
    fetchPage: async (f, cursor, limit) => {
      window.fetches.push({ filter: f, cursor });
      if (params.has('fail')) throw new Error('the core refused');
      const rows = f.to ? ROWS.filter((r) => r.n <= Number(new Date(f.to).getMinutes())) : ROWS;
      const start = byId ? (cursor === undefined ? 0 : rows.findIndex((r) => r.id < cursor)) : (cursor ?? 0);
      return rows.slice(start, start + limit);
    },
    nextCursor: byId ? (shown) => shown.at(-1)?.id : (_shown, offset) => (offset ?? 0) + 100,
    exportCsv: async (f) => ({ filename: 'rows.csv', body: 'n\\n' + JSON.stringify(f), contentType: 'text/csv' }),
    unavailable: 'Rows unavailable',
    pageSize: 100,
  });
  const { shown } = pages;
  return (
    <>
      <FilterBar label="Row filter" pages={pages} />
      <Pager pages={pages} summary={shown.length === 0 ? 'No rows.' : 'Rows ' + shown[0].n + '–' + shown.at(-1).n} />
      <DataTable label="Rows" columns={['n', 'id']} rows={shown} rowKey={(r) => r.id} rowData={(r) => ({ 'data-n': String(r.n) })}
        cells={(r) => (<><td>{r.n}</td><td>{r.id}</td></>)} />
    </>
  );
}
createRoot(document.getElementById('root')).render(<List />);
`;

let browser: Browser;
let bundle: string;

beforeAll(async () => {
  const out = await build({
    stdin: { contents: ENTRY, resolveDir: import.meta.dirname, loader: 'tsx', sourcefile: 'filterbar-page.tsx' },
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  bundle = out.outputFiles[0]!.text;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    env: { ...process.env, HOME: mkdtempSync(path.join(tmpdir(), 'aurum-chromium-')) },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function open(hash: string): Promise<Page> {
  const page = await browser.newPage({ acceptDownloads: true });
  await page.setContent('<div id="root"></div>');
  await page.addScriptTag({ content: `window.pageParams = ${JSON.stringify(hash)};` });
  await page.addScriptTag({ content: bundle });
  return page;
}

const status = (page: Page) => page.getByRole('status').textContent();

describe.skipIf(!existsSync(CHROMIUM))('FilterBar, Pager and DataTable in Chromium', () => {
  for (const cursor of ['offset', 'id']) {
    it(`pages older and newer by ${cursor}, with Newer and Older enabled only where there is a page`, async () => {
      const page = await open(`cursor=${cursor}`);
      const newer = page.getByRole('button', { name: '← Newer' });
      const older = page.getByRole('button', { name: 'Older →' });
      await expect.poll(() => status(page)).toBe('Rows 1–100');
      expect(await page.locator('table[aria-label="Rows"] tbody tr').count()).toBe(100);
      expect(await newer.isDisabled()).toBe(true);
      await older.click();
      await expect.poll(() => status(page)).toBe('Rows 101–200');
      await older.click();
      await expect.poll(() => status(page)).toBe('Rows 201–250');
      expect(await older.isDisabled()).toBe(true);
      await newer.click();
      await expect.poll(() => status(page)).toBe('Rows 101–200');
      await newer.click();
      await expect.poll(() => status(page)).toBe('Rows 1–100');
      expect(await newer.isDisabled()).toBe(true);
      await page.close();
    });
  }

  it('starts again from the first page when the filter changes', async () => {
    const page = await open('cursor=offset');
    await expect.poll(() => status(page)).toBe('Rows 1–100');
    await page.getByRole('button', { name: 'Older →' }).click();
    await expect.poll(() => status(page)).toBe('Rows 101–200');
    // A "to" of 00:42 keeps rows 1 … 42 in this source.
    await page.getByLabel('To').fill('2026-01-01T00:42');
    await expect.poll(() => status(page)).toBe('Rows 1–42');
    const fetches = await page.evaluate(() => (window as unknown as { fetches: { filter: { to: string }; cursor?: number }[] }).fetches);
    expect(fetches.at(-1)).toEqual({ filter: { from: '', to: '2026-01-01T00:42' } });
    await page.close();
  });

  it('exports what the filter selects and says so; says why a page is unavailable', async () => {
    const page = await open('cursor=offset');
    await expect.poll(() => status(page)).toBe('Rows 1–100');
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(file.suggestedFilename()).toBe('rows.csv');
    await expect.poll(() => status(page)).toBe('Exported rows.csv');
    await page.close();

    const failing = await open('cursor=offset&fail');
    await expect.poll(() => status(failing)).toBe('Rows unavailable: the core refused');
    await failing.close();
  });
});
