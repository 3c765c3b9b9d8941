// Following a learning job on the machine screen in real headless Chromium against serve mode on the
// demo plant (the built bundle: `node scripts/build.mjs` first): an engineer starts learning Pump102
// over the last 24 hours, presses Cancel while it runs, sees the job end cancelled with no
// candidate, learns again and watches the progress bar advance to a candidate; a maintenance event then makes a
// second candidate, which waits beside the engineer's (each naming its origin, period and when it
// was made) and each is approved or discarded on its own. The day is long enough to watch
// because the console's historian holds a day of Pump102 before the console starts: it is written
// into the data dir's historian with the console's own historian (a real SQLite file and writer
// worker), for the tags the console itself lists, and read by the console as its own history.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LearnJob, MachineModels } from '../native/api/prediction-requests.js';
import type { TagInfo } from '../native/api/types.js';
import { openHistorian } from '../native/historian/index.js';
import { emptyBatch } from '../native/tags/bus.js';
import { artifactsDir, chromiumAvailable, launchChromium, openMachineModel } from './browser.js';
import { type RunningConsole, type Scripted, scripted, startConsole, waitFor } from './harness.js';

const PASSWORD = 'e2e-Learning-Pass-2026';
const MACHINE = 'Demo/PumpStation/Pump102';
const DAY = 86_400_000;

let app: RunningConsole;
let browser: Browser;
let admin: Scripted;
const contexts: BrowserContext[] = [];

/** A day of Pump102 at 1 s up to `end`: each measurement a slow swing with noise, the pump running throughout. */
async function seedDay(dataDir: string, tags: readonly TagInfo[], end: number): Promise<void> {
  // The historian numbers a tag by its place in the table: the console's ids, in order.
  const table = [...tags].sort((a, b) => a.id - b.id);
  const gap = table.findIndex((t, i) => t.id !== i);
  if (gap >= 0) throw new Error(`the console's tag ids are not 0…${table.length - 1} (${table[gap]?.name} has id ${table[gap]?.id})`);
  const own = table.filter((t) => t.name.startsWith(`${MACHINE}/`) && t.connection !== 'models');
  const historian = await openHistorian({ dir: path.join(dataDir, 'historian'), tags: table, retentionIntervalMs: 0 });
  try {
    const from = end - DAY;
    const rows = 3600; // an hour per batch
    for (let start = from; start < end; start += rows * 1000) {
      const n = Math.min(rows, Math.floor((end - start) / 1000)) * own.length;
      const b = emptyBatch(n);
      let i = 0;
      for (let r = 0; i < n; r++) {
        const t = start + r * 1000;
        const s = t / 1000;
        own.forEach((tag, k) => {
          const noise = ((Math.sin(s * 12.9898 + k * 78.233) * 43758.5453) % 1) - 0.5;
          const lo = tag.rangeLo ?? 0;
          const hi = tag.rangeHi ?? 100;
          b.ids[i] = tag.id;
          b.ts[i] = t;
          b.values[i] = tag.dataType === 'bool' ? 1 : lo + (hi - lo) * (0.5 + 0.1 * Math.sin(s / 600 + k) + 0.01 * noise);
          i++;
        });
      }
      historian.ingest(b);
      await historian.flush();
    }
  } finally {
    await historian.close();
  }
}

/** The machine screen of Pump102 for `user`, its model section opened. */
async function machineSection(user: string) {
  const { context, page, section } = await openMachineModel(browser, app.url, MACHINE, user, PASSWORD);
  contexts.push(context);
  return { page, section };
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('following a learning job in Chromium: progress and cancel', () => {
  beforeAll(async () => {
    // First start: the console's own tag table (ids as its historian numbers them) and the users.
    const first = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    const s = scripted(first, await first.signIn());
    const { tags } = await s.call<{ tags: TagInfo[] }>('tags.list', {});
    await s.createUsers({ enzo: 'engineer', vera: 'viewer' }, PASSWORD);
    expect(await first.stop()).toBe(0);
    await seedDay(first.dataDir, tags, Date.now());
    [app, browser] = await Promise.all([
      startConsole({ script: 'bin/aurum.mjs', args: ['serve'], dataDir: first.dataDir, timeoutMs: 40_000 }),
      launchChromium(),
    ]);
    admin = scripted(app, await app.signIn());
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('cancels a running job (no candidate), then learns again with the progress bar advancing to a candidate', async () => {
    const { page, section } = await machineSection('enzo');
    await section.getByRole('table', { name: `Model versions of ${MACHINE}` }).waitFor();
    await section.getByRole('button', { name: 'Last 24 h' }).click();
    await section.locator('.learn-excluded-summary').waitFor();

    const state = section.locator('.learn-job .learn-state');
    const bar = section.getByRole('progressbar', { name: 'Learning progress' });
    // Cancelled as soon as the job shows its bar: the job is running then whatever the machine's
    // speed (reading a day of history outlasts a click), so the cancel lands on a running job.
    await section.getByRole('button', { name: 'Start learning' }).click();
    await bar.waitFor({ timeout: 30_000 });
    await section.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => state.textContent(), { timeout: 60_000 }).toBe('cancelled');
    expect(await section.locator('.learn-job').textContent()).toContain('cancelled by enzo');
    expect(await bar.count()).toBe(0);
    expect(await section.getByRole('region', { name: 'Learning report' }).count()).toBe(0);
    const cancelled = await admin.call<LearnJob>('models.learn.status', { machine: MACHINE });
    expect(cancelled).toMatchObject({ state: 'cancelled', report: null, startedBy: 'enzo' });
    expect((await admin.call<MachineModels>('models.versions', { machine: MACHINE })).candidates).toEqual([]);

    // Learning again runs to a candidate; the bar's fractions, followed to the end, only advance.
    await section.getByRole('button', { name: 'Start learning' }).click();
    await waitFor(
      'a new learning job',
      async () => ((await admin.call<LearnJob>('models.learn.status', { machine: MACHINE })).id !== cancelled.id ? true : undefined),
      30_000,
    );
    await expect.poll(() => state.textContent(), { timeout: 30_000 }).not.toBe('cancelled');
    const seen: number[] = [];
    for (let i = 0; i < 6000 && (await state.textContent()) === 'running'; i++) {
      if (i > 0) await page.waitForTimeout(25); // the screen polls a running job every 0.25 s
      const value = await bar.getAttribute('value', { timeout: 1000 }).catch(() => null);
      if (value !== null && seen.at(-1) !== Number(value)) seen.push(Number(value));
    }
    if (seen.length >= 2) await page.screenshot({ path: path.join(artifactsDir, 'ui-learning-progress.png'), fullPage: true });
    await expect.poll(() => state.textContent(), { timeout: 150_000 }).toBe('candidate');
    // Shown while running: more than one fraction below 1, each larger than the one before.
    expect(seen.filter((v) => v < 1).length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    await section.getByRole('region', { name: 'Learning report' }).waitFor();
    const again = await admin.call<LearnJob>('models.learn.status', { machine: MACHINE });
    expect(again).toMatchObject({ state: 'candidate', origin: 'engineer', startedBy: 'enzo' });
    expect(again.report?.rows.train).toBeGreaterThan(0);
    expect(await section.locator('.learn-job .learn-origin').textContent()).toMatch(/^Learned by enzo · period .* · made /);
  }, 420_000);

  it("keeps the engineer's candidate beside one learned after maintenance; each approved or discarded on its own", async () => {
    const mine = await admin.call<LearnJob>('models.learn.status', { machine: MACHINE });
    expect(mine).toMatchObject({ state: 'candidate', origin: 'engineer' });
    // A new bearing two hours ago: the ten minutes after it are in the history, so the relearn starts at once.
    const event = await admin.call<{ id: number }>('events.record', {
      machine: MACHINE,
      kind: 'repair',
      at: Date.now() - 2 * 3_600_000,
      what: 'bearing replaced',
      resetsBaseline: true,
    });
    const relearned = await waitFor(
      'the candidate learned after the maintenance event',
      async () => {
        const j = await admin.call<LearnJob>('models.learn.status', { machine: MACHINE });
        return j.id !== mine.id && j.state !== 'running' ? j : undefined;
      },
      150_000,
      500,
    );
    expect(relearned).toMatchObject({ state: 'candidate', origin: 'maintenance', startedBy: `maintenance event ${event.id}` });
    expect((await admin.call<MachineModels>('models.versions', { machine: MACHINE })).candidates.map((c) => c.id)).toEqual([
      relearned.id,
      mine.id,
    ]);

    const { page, section } = await machineSection('enzo');
    // The latest job is the maintenance one; the engineer's waits in the list beside it, each naming its origin.
    await expect
      .poll(() => section.locator('.learn-job .learn-origin').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`^Learned after maintenance event ${event.id} · period .* · made `));
    const others = section.getByRole('region', { name: `Candidates of ${MACHINE} awaiting approval` });
    const row = others.getByRole('listitem', { name: `Candidate ${mine.id}` });
    await row.waitFor();
    expect(await others.getByRole('listitem').count()).toBe(1);
    expect(await row.locator('.learn-origin').textContent()).toMatch(/^Learned by enzo · period .* · made /);
    await row.getByRole('button', { name: `Report of Learned by enzo, ${mine.id}` }).click();
    await row.getByRole('region', { name: 'Learning report' }).waitFor();
    await page.screenshot({ path: path.join(artifactsDir, 'ui-learning-candidates.png'), fullPage: true });

    // A viewer sees both candidates waiting and is offered no Approve or Discard for either.
    const viewer = await machineSection('vera');
    await viewer.section
      .getByRole('region', { name: `Candidates of ${MACHINE} awaiting approval` })
      .getByRole('listitem')
      .first()
      .waitFor();
    await viewer.section.locator('.learn-job .learn-origin').waitFor();
    for (const name of [/^Approve/, /^Discard/, /^Start learning/])
      expect(await viewer.section.getByRole('button', { name }).count(), String(name)).toBe(0);

    // The engineer's is approved from the list; the maintenance one still waits.
    await row.getByRole('button', { name: `Approve Learned by enzo, ${mine.id}` }).click();
    await section.getByText(`Approved ${mine.id}: ${MACHINE} runs its new version.`).waitFor();
    const versions = section.getByRole('table', { name: `Model versions of ${MACHINE}` });
    await versions.locator('tr', { hasText: 'learned-demo-pumpstation-pump102@1' }).locator('.model-active').waitFor();
    await others.waitFor({ state: 'detached' });
    expect(await section.locator('.learn-job .learn-state').textContent()).toBe('candidate');
    // Then the maintenance one is discarded on its own; the approved version stays active.
    await section.locator('.learn-job').getByRole('button', { name: 'Discard' }).click();
    await expect.poll(() => section.locator('.learn-job .learn-state').textContent()).toBe('discarded');
    const after = await admin.call<MachineModels>('models.versions', { machine: MACHINE });
    expect(after.candidates).toEqual([]);
    expect(after.active).toBe('learned-demo-pumpstation-pump102@1');
  }, 300_000);
});
