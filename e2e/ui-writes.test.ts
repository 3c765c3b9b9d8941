// Typed writes in real Chromium against serve mode on the demo plant: a boolean command is offered
// only as its two named states (Stop / Start, from the site file), the confirmation shows current
// and new value in those terms, the value is read back, and the audit trail holds the JSON boolean.
// Over HTTP the core refuses what the UI would never send: "maybe" for a boolean, text for a number.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../native/api/auth-requests.js';
import { chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

const RUN = 'Demo/PumpStation/Pump102/RunCommand';
const SETPOINT = 'Demo/PumpStation/Pump102/SpeedSetpoint';

let app: RunningConsole;
let browser: Browser;
let page: Page;
let auth: Record<string, string>;

describe.skipIf(!chromiumAvailable && !process.env.CI)('typed writes in Chromium', () => {
  beforeAll(async () => {
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    auth = { Authorization: `Bearer ${await app.signIn()}` };
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
    await signInContext(context, app.url);
    page = await context.newPage();
    await page.goto(app.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  const row = (tag: string) => page.locator('table.grid tbody tr', { has: page.locator(`.live-value[data-tag="${tag}"]`) });

  it('offers a boolean command only as its two states, confirms in those terms and reads the value back', async () => {
    await page.getByRole('button', { name: 'Pump102', exact: true }).first().click();
    await page.locator('h2', { hasText: 'Demo/PumpStation/Pump102' }).waitFor();
    const group = page.getByRole('group', { name: 'Write RunCommand' });
    await group.waitFor();
    // Two buttons, named by the site file's states, and nothing to type into.
    expect(await group.getByRole('button').allTextContents()).toEqual(['Stop', 'Start']);
    expect(await row(RUN).locator('input').count()).toBe(0);
    // The demo pumps run: the live value shows the state name, not 1 or ON.
    await expect.poll(() => row(RUN).locator('.live-value .num').textContent(), { timeout: 15_000 }).toBe('Start');

    await group.getByRole('button', { name: 'Stop' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Confirm setpoint write' });
    await dialog.waitFor();
    expect(await dialog.locator('.write-new').textContent()).toBe('Stop');
    expect(await dialog.locator('.write-current').textContent()).toBe('Start');
    await dialog.getByRole('button', { name: 'Confirm write' }).click();
    await expect.poll(() => row(RUN).locator('.write-ok').textContent(), { timeout: 10_000 }).toBe('Written; read back Stop');
    await expect.poll(() => row(RUN).locator('.live-value .num').textContent(), { timeout: 10_000 }).toBe('Stop');

    // Start it again, so the plant is as it was.
    await group.getByRole('button', { name: 'Start' }).click();
    await dialog.getByRole('button', { name: 'Confirm write' }).click();
    await expect.poll(() => row(RUN).locator('.write-ok').textContent(), { timeout: 10_000 }).toBe('Written; read back Start');
  });

  it('refuses text in a number field before anything is sent', async () => {
    const input = page.locator(`input[name="sp-${SETPOINT}"]`);
    await input.fill('maybe');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await row(SETPOINT).locator('.setpoint-hint').textContent()).toBe('"maybe" is not a number');
    expect(await row(SETPOINT).getByRole('button', { name: 'Write…' }).isDisabled()).toBe(true);
    await input.fill('');
  });

  it('records the typed value in the audit trail', async () => {
    const entries = await waitFor(
      'the two RunCommand writes in the audit trail',
      async () => {
        const r = await fetch(`${app.url}/api/audit?action=tags.write&target=${encodeURIComponent(RUN)}`, { headers: auth });
        const list = (await r.json()) as AuditEntry[];
        return list.length >= 2 ? list : undefined;
      },
      10_000,
    );
    const values = entries.sort((a, b) => a.id - b.id).map((e) => (e.details.args as { value: unknown }).value);
    expect(values).toEqual([false, true]);
    expect(entries.every((e) => e.result === 'ok')).toBe(true);
  });

  it('refuses over HTTP what does not match the tag type, naming the tag', async () => {
    const post = async (tag: string, value: unknown) => {
      const r = await fetch(`${app.url}/api/tags/write`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ tag, value, confirmed: true }),
      });
      return { status: r.status, body: (await r.json()) as { error?: { message: string } } };
    };
    const maybe = await post(RUN, 'maybe');
    expect(maybe.status).toBe(400);
    expect(maybe.body.error?.message).toBe(`${RUN} is a boolean tag: "maybe" is not true or false (true = Start, false = Stop)`);
    const one = await post(RUN, 1);
    expect(one.body.error?.message).toBe(`${RUN} is a boolean tag: 1 is not true or false (true = Start, false = Stop)`);
    const text = await post(SETPOINT, '72');
    expect(text.status).toBe(400);
    expect(text.body.error?.message).toBe(`${SETPOINT} is a number tag: "72" is not a number`);
  });
});
