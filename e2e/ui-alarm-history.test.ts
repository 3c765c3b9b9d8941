// Alarm history, KPIs, audible annunciation and the audit trail in real headless Chromium against
// serve mode on the demo plant. One console and one browser page for the file (tests run in order):
// Pump101 is slowed so its low-flow alarm raises; it is acknowledged with a comment over the API and
// the journal must show that acknowledgement, the KPIs must show figures, and the audit viewer the
// setpoint write with an intact hash chain. Screenshots go to test-artifacts/ (and, with AURUM_DOCS_SCREENSHOTS=1, docs/screenshots/).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmCounts, AlarmRow } from '../native/api/alarm-requests.js';
import { artifactsDir, axeFindings, type ChromiumConsole, chromiumAvailable, startChromiumConsole } from './browser.js';
import { lowFlowAlarm, root, slowDemoPumps, waitForUnacked } from './harness.js';

const ALARM = lowFlowAlarm('Pump101');
const SETPOINT = 'Demo/PumpStation/Pump101/SpeedSetpoint';
const COMMENT = 'e2e: low flow seen, pump slowed on purpose';

let demo: ChromiumConsole;
let page: Page;

async function shot(name: string, docsName?: string): Promise<void> {
  const file = path.join(artifactsDir, `ui-alarm-history-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  // Like the console suite: the committed docs screenshots change only when asked for.
  if (docsName && process.env.AURUM_DOCS_SCREENSHOTS) {
    const docsDir = path.join(root, 'docs', 'screenshots');
    mkdirSync(docsDir, { recursive: true });
    copyFileSync(file, path.join(docsDir, `${docsName}.png`));
  }
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('alarm history, KPIs, annunciation and audit trail in Chromium', () => {
  beforeAll(async () => {
    demo = await startChromiumConsole();
    await slowDemoPumps(demo, ['Pump101']);
    page = await demo.page({ hash: '#/alarm-history', title: 'Alarm history' });
  }, 60_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it('lists the acknowledgement of an alarm raised and acknowledged in the test, and exports the journal', async () => {
    // The low-flow alarm has a 10 s on-delay after the flow falls below its limit.
    await waitForUnacked(demo, [ALARM], 30_000);
    const acked = await demo.api('/api/alarms/ack', { method: 'POST', body: JSON.stringify({ ids: [ALARM], comment: COMMENT }) });
    expect(acked.ok).toBe(true);

    await page.getByRole('button', { name: 'Refresh' }).click();
    const ackRow = page.locator(`tr[data-kind="ack"][data-alarm="${ALARM}"]`);
    await expect.poll(() => ackRow.count(), { timeout: 10_000 }).toBe(1);
    expect(await ackRow.textContent()).toContain(COMMENT);
    expect(await ackRow.textContent()).toContain('admin');
    expect(await ackRow.locator('.priority').textContent()).toBe('● P4 Low');
    expect(await page.locator(`tr[data-kind="activate"][data-alarm="${ALARM}"]`).count()).toBeGreaterThanOrEqual(1);

    // Filtering by event kind keeps only acknowledgements.
    await page.getByLabel('Event').selectOption('ack');
    await expect.poll(() => page.locator('table.journal-table tbody tr:not([data-kind="ack"])').count()).toBe(0);
    expect(await ackRow.count()).toBe(1);
    await shot('journal', 'alarm-history');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(csv).toContain(COMMENT);
    expect(await axeFindings(page, 'journal')).toEqual([]);
  }, 50_000);

  it('shows the EEMUA 191 KPIs with numbers and the most frequent alarms', async () => {
    await page.getByRole('button', { name: 'KPIs' }).click();
    const activations = page.locator('.kpi', { hasText: 'Activations' }).locator('.kpi-value');
    await expect.poll(async () => Number(await activations.textContent())).toBeGreaterThanOrEqual(1);
    const average = await page.locator('.kpi', { hasText: 'Average per 10 min' }).locator('.kpi-value').textContent();
    expect(Number(average)).toBeGreaterThan(0);
    expect(await page.locator('.kpi', { hasText: 'Average per 10 min' }).textContent()).toContain('about 1 per 10 min');
    const areas = page.getByRole('table', { name: 'Alarm rate per operator position' });
    expect(await areas.locator('tbody tr', { hasText: 'PumpStation' }).count()).toBe(1);
    const top = page.getByRole('table', { name: 'Most frequent alarms' });
    expect(await top.locator('tbody tr', { hasText: 'Demo/PumpStation/Pump101/Flow' }).count()).toBe(1);
    await shot('kpis');
    expect(await axeFindings(page, 'kpis')).toEqual([]);
  });

  it('sounds for an unacknowledged High alarm, silences until a new one arrives, and remembers the off switch', async () => {
    const horn = page.locator('.annunciator');
    const state = () => horn.getAttribute('data-annunciation');
    const real = await demo.json<{ alarms: AlarmRow[]; counts: AlarmCounts }>('/api/alarms');
    const audible = real.alarms.some((a) => (a.priority === 'Critical' || a.priority === 'High') && a.state === 'unack_active');
    await expect.poll(state).toBe(audible ? 'sounding' : 'quiet');
    expect(await horn.getByRole('button', { name: 'Silence' }).isDisabled()).toBe(!audible);
    // The demo plant has no High or Critical alarm on demand: feed the alarm store two as the
    // `alarms` stream would, then take them out again.
    const fake = (id: string, state: AlarmRow['state']): AlarmRow => ({
      id,
      tag: `Demo/PumpStation/Header/${id}`,
      area: 'PumpStation',
      machine: 'Header',
      type: 'lo',
      priority: 'High',
      state,
      message: 'e2e: header pressure low',
      value: 2.1,
      limit: 2.5,
      unit: 'bar',
      condition: state !== 'normal',
      latched: false,
      activeSince: new Date().toISOString(),
      ackedAt: null,
      ackedBy: null,
      shelvedUntil: null,
      maskReason: '',
      changedAt: new Date().toISOString(),
    });
    const feed = (rows: AlarmRow[]) =>
      page.evaluate((u) => window.aurumDebug?.alarmActions.apply(u), { changed: rows, counts: real.counts });
    await feed([fake('e2e-hi-1', 'unack_active')]);
    await expect.poll(state).toBe('sounding');
    await shot('annunciation-sounding');
    await horn.getByRole('button', { name: 'Silence' }).click();
    await expect.poll(state).toBe('silenced');
    await feed([fake('e2e-hi-2', 'unack_active')]);
    await expect.poll(state).toBe('sounding');
    await horn.getByRole('button', { name: 'Silence' }).click();
    await expect.poll(state).toBe('silenced');
    await feed([fake('e2e-hi-1', 'normal'), fake('e2e-hi-2', 'normal')]);
    await expect.poll(state).toBe(audible ? 'silenced' : 'quiet');

    await horn.getByRole('button', { name: 'Alarm sound on' }).click();
    await expect.poll(state).toBe('off');
    await page.reload();
    await page.locator('h1.screen-title', { hasText: 'Alarm history' }).waitFor();
    await expect.poll(state).toBe('off');
    await horn.getByRole('button', { name: 'Alarm sound off' }).click();
    await expect.poll(state).not.toBe('off');
  });

  it('shows the setpoint write in the audit trail, filters by action, exports, and verifies the chain intact', async () => {
    // The tenth screen for an administrator: Alt+0 opens it.
    expect(
      await page
        .getByRole('navigation', { name: 'Screens' })
        .getByRole('button', { name: 'Audit trail' })
        .getAttribute('aria-keyshortcuts'),
    ).toBe('Alt+0');
    await page.keyboard.press('Alt+0');
    await page.locator('h1.screen-title', { hasText: 'Audit trail' }).waitFor();
    const write = page.locator('table.audit-table tbody tr[data-action="tags.write"]', { hasText: SETPOINT });
    await expect.poll(() => write.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(await write.first().locator('td').nth(2).textContent()).toBe('admin');
    expect(await write.first().getAttribute('data-result')).toBe('ok');

    await page.getByLabel('Action').fill('tags.');
    await expect.poll(() => page.locator('table.audit-table tbody tr:not([data-action^="tags."])').count()).toBe(0);
    expect(await write.count()).toBeGreaterThanOrEqual(1);

    await page.getByRole('button', { name: 'Verify chain' }).click();
    const verify = page.locator('.audit-verify');
    await expect.poll(() => verify.getAttribute('data-verified')).toBe('true');
    expect(await verify.getByRole('status').textContent()).toMatch(/^✓ Chain intact: \d+ entries/);
    await shot('audit', 'audit');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(readFileSync(await download.path(), 'utf8')).toContain(SETPOINT);
    expect(await axeFindings(page, 'audit')).toEqual([]);
  });

  it('shows the audit trail only to roles allowed to read it', async () => {
    const create = await demo.api('/api/call/auth.users.create', {
      method: 'POST',
      body: JSON.stringify({ user: 'op1', role: 'operator', password: 'e2e-Operator-Pass-2026' }),
    });
    expect(create.ok).toBe(true);
    const op = await demo.page({ user: 'op1', password: 'e2e-Operator-Pass-2026' });
    const nav = op.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('button', { name: 'Alarm history', exact: true }).waitFor();
    expect(await nav.getByRole('button', { name: 'Audit trail', exact: true }).count()).toBe(0);
    await op.context().close();
  });
});
