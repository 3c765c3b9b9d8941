// The header's alarm summary, "Acknowledge all shown" and the lost link, in real headless Chromium
// against serve mode on the demo plant. Both demo pumps are slowed so their low-flow alarms raise
// (10 s on-delay). One console and one page for the file (tests run in order): one alarm is
// acknowledged over the API, so the header must count it as standing beside the unacknowledged one
// and name the oldest unacknowledged; acknowledge-all asks first, naming the count by priority, and
// Cancel acknowledges nothing; then the console is stopped, and the header must say the connection
// state is unknown and every write and acknowledgement control must be disabled.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmRow, Priority } from '../native/api/alarm-requests.js';
import { artifactsDir, axeFindings, type ChromiumConsole, chromiumAvailable, startChromiumConsole } from './browser.js';
import { lowFlowAlarm, slowDemoPumps, waitFor, waitForUnacked } from './harness.js';

const PUMP101_LO = lowFlowAlarm('Pump101');
const PUMP102_LO = lowFlowAlarm('Pump102');
const PRIORITIES: Priority[] = ['Critical', 'High', 'Medium', 'Low'];

let demo: ChromiumConsole;
let page: Page;

async function alarms(): Promise<AlarmRow[]> {
  return (await demo.json<{ alarms: AlarmRow[] }>('/api/alarms')).alarms;
}

/** "1 High, 2 Low" for the rows given: the wording the console must use. */
function byPriority(rows: readonly AlarmRow[]): string {
  return PRIORITIES.map((p) => [p, rows.filter((r) => r.priority === p).length] as const)
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${n} ${p}`)
    .join(', ');
}

const shot = (name: string) => page.screenshot({ path: path.join(artifactsDir, `ui-alarm-summary-${name}.png`) });
const summary = () => page.locator('.alarm-summary');

describe.skipIf(!chromiumAvailable && !process.env.CI)('alarm summary, acknowledge-all and the lost link in Chromium', () => {
  beforeAll(async () => {
    demo = await startChromiumConsole();
    await slowDemoPumps(demo);
    page = await demo.page({ hash: '#/alarms', title: 'Alarms' });
  }, 60_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it('counts acknowledged alarms that are still active as standing, and names the oldest unacknowledged', async () => {
    await waitForUnacked(demo, [PUMP101_LO, PUMP102_LO]);
    const acked = await demo.api('/api/alarms/ack', { method: 'POST', body: JSON.stringify({ ids: [PUMP101_LO] }) });
    expect(acked.ok).toBe(true);

    // What the header must say, from the core's own list at the same moment (other demo alarms may
    // come and go: the figures are compared with the list, not with constants).
    const expected = async () => {
      const rows = await alarms();
      const waiting = rows.filter((a) => a.state === 'unack_active' || a.state === 'unack_rtn');
      const oldest = [...waiting].sort((a, b) => (a.activeSince ?? a.changedAt).localeCompare(b.activeSince ?? b.changedAt))[0];
      return {
        unacked: byPriority(waiting),
        standing: byPriority(rows.filter((a) => a.state === 'ack_active')),
        oldest: oldest ? `${oldest.tag} ${oldest.type}` : null,
      };
    };
    const shown = async () => ({
      unacked: ((await summary().locator('.unacked .priority').allTextContents()) as string[])
        .map((t) => t.replace(/^\S+\s+/, ''))
        .join(', '),
      standing: ((await summary().locator('.standing .priority').allTextContents()) as string[])
        .map((t) => t.replace(/^\S+\s+/, ''))
        .join(', '),
      oldest: (await summary().locator('.oldest').count()) ? await summary().locator('.oldest').textContent() : null,
    });
    const seen = await waitFor(
      'the header to match the alarm list',
      async () => {
        const [want, got] = [await expected(), await shown()];
        const same = want.unacked === got.unacked && want.standing === got.standing && (got.oldest ?? '').includes(want.oldest ?? '\u0000');
        return same ? { want, got } : undefined;
      },
      15_000,
    );
    expect(seen.want.standing).toMatch(/\b[1-9]\d* Low\b/);
    expect(seen.want.oldest).not.toBeNull();
    expect(seen.got.oldest).toMatch(/^oldest .+ since \d\d:\d\d:\d\d$/);
    expect(await summary().locator('.standing').textContent()).toMatch(/^Standing: /);
    await shot('standing');
  }, 60_000);

  it('asks before acknowledging all shown, naming the count by priority; Cancel acknowledges nothing', async () => {
    const ackAll = page.getByRole('button', { name: 'Acknowledge all shown…' });
    await ackAll.click();
    const dialog = page.getByRole('alertdialog', { name: 'Confirm acknowledging all shown alarms' });
    await dialog.waitFor();
    // The question names exactly the rows the table shows as unacknowledged when it was asked.
    const asked = await page
      .locator('tr[data-state="unack_active"], tr[data-state="unack_rtn"]')
      .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.alarm ?? ''));
    expect(asked).toContain(PUMP102_LO);
    const rowsAsked = (await alarms()).filter((a) => asked.includes(a.id));
    const text = await dialog.locator('p').textContent();
    expect(text).toBe(`Acknowledge ${asked.length} alarm${asked.length === 1 ? '' : 's'}: ${byPriority(rowsAsked)}?`);
    expect(await axeFindings(page, 'alarms with the acknowledge-all question open')).toEqual([]);
    await shot('ack-all-confirm');

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await alarms()).find((a) => a.id === PUMP102_LO)?.state).toBe('unack_active');

    await ackAll.click();
    await dialog.getByRole('button', { name: /^Acknowledge \d+$/ }).click();
    await expect.poll(async () => (await alarms()).find((a) => a.id === PUMP102_LO)?.state, { timeout: 10_000 }).toBe('ack_active');
    // Everything acknowledged is still active: the header says so instead of reading as all clear.
    await expect.poll(() => summary().locator('.standing').textContent(), { timeout: 10_000 }).toMatch(/Standing: .*\b\d+ Low\b/);
    const standingLow = (await alarms()).filter((a) => a.state === 'ack_active' && a.priority === 'Low').length;
    expect(standingLow).toBeGreaterThanOrEqual(2);
    expect(await axeFindings(page, 'alarms after acknowledging all')).toEqual([]);
  }, 60_000);

  it('when the link to the core is lost, shows connection state unknown and disables writes and acknowledgements', async () => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Overview', exact: true }).click();
    await page.locator('h1.screen-title', { hasText: 'Overview' }).waitFor();
    await page.getByRole('button', { name: 'Pump101', exact: true }).first().click();
    await page.locator('h2', { hasText: 'Demo/PumpStation/Pump101' }).waitFor();
    const start = page.getByRole('group', { name: 'Write RunCommand' }).getByRole('button', { name: 'Start' });
    await start.waitFor();
    expect(await start.isEnabled()).toBe(true);
    const comm = page.locator('.comm-summary');
    await expect.poll(() => comm.textContent(), { timeout: 10_000 }).toMatch(/connections OK|down/);

    await demo.app.stop();
    await page.getByRole('alert').filter({ hasText: 'Connection to the console core lost' }).waitFor({ timeout: 10_000 });
    expect(await comm.textContent()).toBe('? Connection state unknown');
    expect(await comm.getAttribute('data-ok')).toBe('unknown');
    expect(await start.isDisabled()).toBe(true);
    expect(await summary().getAttribute('data-stale')).toBe('true');
    await shot('link-lost-machine');

    // The alarm list, opened while the link is down: no acknowledge or shelve is offered.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Alarms', exact: true }).click();
    await page.locator('h1.screen-title', { hasText: 'Alarms' }).waitFor();
    const controls = page.locator('main .alarms button');
    const n = await controls.count();
    expect(n).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) expect(await controls.nth(i).isDisabled()).toBe(true);
    expect(await axeFindings(page, 'alarms with the link lost')).toEqual([]);
    await shot('link-lost-alarms');
  }, 60_000);
});
