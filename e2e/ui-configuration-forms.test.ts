// Commissioning from the console's forms, in real headless Chromium against serve mode on the demo
// plant (a copy of its site file), with a real Modbus TCP peer (modbus-serial ServerTCP in this
// process): an engineer adds a Modbus connection in the Connections form, tests it (Test connection,
// the form's unsaved settings), applies it; adds a machine with three tags, test-reads each before
// applying, and sees them Good with the peer's values — the console never restarts, and the demo
// plant's own tags keep being stored throughout (history counted in buckets across the applies).
// Then an alarm limit added in the Alarms form fires; a field's validator issue is shown beside it;
// a template tag edit asks whether to change the template (naming its machines) or override this
// machine only, each choice checked on both pumps, and the override is reverted; a machine made
// from the template with its parameter gets every template tag, reading Good. A viewer may not
// test connections. axe in both themes on the forms.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServerTCP } from 'modbus-serial';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRegisters } from '../native/drivers/modbus/codec.js';
import { freePort } from '../native/util/net.js';
import { artifactsDir, axeFindings, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, root, startConsole, waitFor } from './harness.js';

const PASSWORD = 'forms-e2e-Pass-2026';
let app: RunningConsole;
let browser: Browser;
let page: Page;
let token: string;
let peerPort: number;
let closePeer: () => Promise<void>;
const dir = mkdtempSync(path.join(tmpdir(), 'aurum-ui-forms-'));
const siteFile = path.join(dir, 'site.yaml');

/** The peer's registers: 40001 float32 12.5, 40003 uint16 42, 40004 int32 -7 (ABCD). */
const holding = new Uint16Array(16);
holding.set(encodeRegisters(12.5, 'float32', 'ABCD'), 0);
holding.set(encodeRegisters(42, 'uint16', 'ABCD'), 2);
holding.set(encodeRegisters(-7, 'int32', 'ABCD'), 3);

interface Snapshot {
  name: string;
  quality: string;
  value: unknown;
  description: string;
}
interface Series {
  tag: string;
  ts: number[];
}

const call = async <T>(name: string, body: unknown, bearer = token): Promise<{ status: number; data: T }> => {
  const r = await fetch(`${app.url}/api/call/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, data: (await r.json()) as T };
};
const tags = async (): Promise<Snapshot[]> =>
  (await (await fetch(`${app.url}/api/tags`, { headers: { authorization: `Bearer ${token}` } })).json()) as Snapshot[];
const tag = async (name: string) => (await tags()).find((t) => t.name === name);

const forms = () => page.getByRole('region', { name: 'Site file forms' });
const section = (name: string) =>
  forms()
    .getByRole('group', { name: 'Sections' })
    .getByRole('button', { name: new RegExp(`^${name}`) });
const entry = (scope: Locator, title: string) => scope.locator(`details.form-entry[data-entry="${title}"]`).first();
async function open(e: Locator): Promise<Locator> {
  if ((await e.getAttribute('open')) === null) await e.locator('> summary').click();
  return e;
}

/**
 * A picture of one part of the screen, in test-artifacts/; with AURUM_DOCS_SCREENSHOTS=1 also in
 * docs/screenshots/engineering-<name>.png for docs/engineering.md's walk-through (element shots: small PNGs).
 */
async function shot(part: Locator, name: string): Promise<void> {
  const file = path.join(artifactsDir, `ui-configuration-forms-${name}.png`);
  await part.screenshot({ path: file });
  if (process.env.AURUM_DOCS_SCREENSHOTS) {
    const docs = path.join(root, 'docs', 'screenshots');
    mkdirSync(docs, { recursive: true });
    copyFileSync(file, path.join(docs, `engineering-${name}.png`));
  }
}

/** What each capability said it did, per apply (the screen's list under "Version N is in force"). */
const capabilityAnswers: string[] = [];

/** Check, then Apply with a comment: the new version's number (named: pictures of the check and the answer). */
async function apply(comment: string, pictures?: string): Promise<number> {
  const edit = page.locator('section.config-edit');
  await edit.getByRole('button', { name: 'Check', exact: true }).click();
  await expect.poll(() => edit.getByRole('region', { name: 'Check result' }).textContent(), { timeout: 60_000 }).toMatch(/^Valid: /);
  await edit.getByLabel('Comment', { exact: true }).fill(comment);
  if (pictures) await shot(edit.getByRole('region', { name: 'Check result' }), `${pictures}-check`);
  await edit.getByRole('button', { name: 'Apply', exact: true }).click();
  const status = edit.getByRole('region', { name: /^Version \d+ applied$/ }).getByRole('status');
  await status.waitFor({ timeout: 60_000 });
  capabilityAnswers.push((await edit.locator('.config-capabilities').textContent()) ?? '');
  if (pictures) await shot(edit.getByRole('region', { name: /^Version \d+ applied$/ }), `${pictures}-applied`);
  return Number(/^Version (\d+)/.exec((await status.textContent()) ?? '')?.[1]);
}

/** Samples of a demo tag stored between from and to (raw: maxPoints above the count). */
async function stored(name: string, from: number, to: number): Promise<number[]> {
  const r = await fetch(
    `${app.url}/api/history?tags=${encodeURIComponent(name)}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&maxPoints=20000`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  return ((await r.json()) as Series[])[0]?.ts ?? [];
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('commissioning from the Configuration forms in Chromium', () => {
  beforeAll(async () => {
    copyFileSync(path.resolve('resources/demo-site.yaml'), siteFile);
    peerPort = await freePort();
    const server = new ServerTCP(
      {
        getHoldingRegister: (addr: number) => holding[addr] ?? 0,
        getMultipleHoldingRegisters: (addr: number, length: number) => Array.from(holding.subarray(addr, addr + length)),
      },
      { host: '127.0.0.1', port: peerPort, unitID: 1 },
    );
    await new Promise<void>((resolve) => server.on('initialized', () => resolve()));
    closePeer = () =>
      new Promise<void>((done) => {
        for (const s of server.socks.keys()) s.destroy();
        server.close(() => done());
      });
    [app, browser] = await Promise.all([
      startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', siteFile], timeoutMs: 90_000 }),
      launchChromium(),
    ]);
    token = await app.signIn();
    for (const [user, role] of [
      ['enzo', 'engineer'],
      ['vera', 'viewer'],
    ] as const)
      expect((await call('auth.users.create', { user, role, password: PASSWORD })).status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await signInContext(context, app.url, 'enzo', PASSWORD);
    page = await context.newPage();
    await page.goto(`${app.url}/#/configuration`);
    await forms().waitFor({ timeout: 60_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await closePeer?.();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds a Modbus connection, tests it, adds a machine with three test-read tags: Good, no restart, no gap in the demo’s history', async () => {
    const pid = app.child.pid;
    await waitFor(
      'the demo plant delivering',
      async () => ((await tag('Demo/Production/Line1/EnergyTotal'))?.quality === 'Good' ? true : undefined),
      60_000,
    );
    const started = Date.now();

    // The connection, from the form, tested before it is applied.
    await section('Connections').click();
    await forms().getByRole('button', { name: 'Add connection' }).click();
    const conn = await open(entry(forms(), '#5'));
    await conn.getByLabel('Protocol').selectOption('modbus');
    await conn.getByLabel('Name', { exact: true }).fill('boilerplc');
    const boiler = await open(entry(forms(), 'boilerplc'));
    await boiler.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await boiler.getByLabel('Port', { exact: true }).fill(String(peerPort));
    await boiler.getByLabel('Unit id', { exact: true }).fill('1');
    await boiler.getByRole('button', { name: 'Test connection boilerplc' }).click();
    await expect
      .poll(() => boiler.locator('.form-test [role="status"]').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`^boilerplc: connected to 127\\.0\\.0\\.1:${peerPort} \\(unit 1\\) in \\d+ ms$`));
    await shot(boiler, '1-connection');
    expect(await apply('boiler PLC connection')).toBe(2);

    // The machine and its tags, each test-read on the running connection before it is applied.
    await section('Areas').click();
    const utilities = await open(entry(forms(), 'Utilities'));
    await utilities.getByRole('button', { name: 'Add machine' }).click();
    const added = await open(utilities.locator('details.form-entry[data-entry^="#"]').first());
    await added.getByLabel('Name', { exact: true }).first().fill('Boiler2');
    const machine = await open(entry(utilities, 'Boiler2'));
    await machine.getByLabel('Connection', { exact: true }).fill('boilerplc');
    const wanted = [
      { name: 'Steam', address: '40001', type: 'float', options: '{"type":"float32"}', read: '40001 = 12.5' },
      { name: 'Count', address: '40003', type: 'int', options: '{"type":"uint16"}', read: '40003 = 42' },
      { name: 'Offset', address: '40004', type: 'int', options: '{"type":"int32"}', read: '40004 = -7' },
    ];
    for (const [i, w] of wanted.entries()) {
      await machine.getByRole('button', { name: 'Add tag' }).click();
      const t = await open(entry(machine, `#${i + 1}`));
      await t.getByLabel('Name', { exact: true }).fill(w.name);
      const te = await open(entry(machine, w.name));
      await te.getByLabel('Address', { exact: true }).fill(w.address);
      await te.getByLabel('Type', { exact: true }).selectOption(w.type);
      await te.getByLabel('Options (JSON)').fill(w.options);
      await te.getByLabel('Options (JSON)').blur();
      await te.getByRole('button', { name: `Test read ${w.name}` }).click();
      await expect.poll(() => te.locator('.form-test [role="status"]').textContent(), { timeout: 30_000 }).toBe(w.read);
    }
    await shot(machine, '2-machine');
    expect(await apply('Boiler2 commissioned: steam, count, offset', '3')).toBe(3);
    for (const [n, v] of [
      ['Steam', 12.5],
      ['Count', 42],
      ['Offset', -7],
    ] as const) {
      const good = await waitFor(
        `Demo/Utilities/Boiler2/${n} Good`,
        async () => {
          const s = await tag(`Demo/Utilities/Boiler2/${n}`);
          return s?.quality === 'Good' ? s : undefined;
        },
        60_000,
      );
      expect(good.value).toBe(v);
    }
    expect(readFileSync(siteFile, 'utf8')).toMatch(/name: boilerplc\n\s+protocol: modbus\n\s+host: 127\.0\.0\.1/);
    // The same console process throughout: nothing restarted.
    expect(app.child.pid).toBe(pid);
    expect(app.child.exitCode).toBeNull();

    // The demo plant's connections were not rebuilt (each apply's answer names only boilerplc) and
    // kept delivering: every 5 s of the span holds stored samples of a Modbus and an OPC UA tag.
    expect(capabilityAnswers.join('\n')).toContain('boilerplc');
    expect(capabilityAnswers.join('\n')).not.toMatch(/plant-(opcua|modbus|mqtt|sparkplug)/);
    const ended = Date.now();
    await waitFor(
      'the span stored',
      async () => ((await stored('Demo/Production/Line1/Power', ended, Date.now())).length > 0 ? true : undefined),
      30_000,
    );
    // Per demo connection, samples of several of its tags (a steady value is not sent again, so one
    // tag alone may be silent for a while): every 5 s of the span holds some.
    const demoTags: Record<string, string[]> = {
      'plant-modbus': [
        'Utilities/Boiler1/SteamPressure',
        'Utilities/Boiler1/DrumLevel',
        'Utilities/Boiler1/FlueGasO2',
        'Production/Line1/Power',
      ],
      'plant-opcua': [
        'PumpStation/Pump101/Flow',
        'PumpStation/Pump101/VibrationRMS',
        'PumpStation/Header/Pressure',
        'PumpStation/Pump102/Flow',
      ],
    };
    for (const [connection, names] of Object.entries(demoTags)) {
      const ts = (await Promise.all(names.map((n) => stored(`Demo/${n}`, started, ended)))).flat();
      const buckets = Math.floor((ended - started) / 5000);
      const empty = Array.from({ length: buckets }, (_, b) => started + b * 5000).filter(
        (from) => !ts.some((t) => t >= from && t < from + 5000),
      );
      expect({ connection, samples: ts.length > buckets, empty }).toEqual({ connection, samples: true, empty: [] });
    }
  }, 360_000);

  it('shows a field’s issue beside it, and an alarm limit added in the Alarms form fires', async () => {
    await section('Alarms').click();
    const list = forms().locator('fieldset.form-list').first();
    const before = await list.locator('> details.form-entry').count();
    await forms().getByRole('button', { name: 'Add alarm' }).click();
    const alarm = await open(list.locator('> details.form-entry').nth(before));
    await alarm.getByLabel('Tag', { exact: true }).fill('Demo/Utilities/Boiler2/Steam');
    await alarm.getByLabel('Type', { exact: true }).selectOption('hi');
    await alarm.getByLabel('Priority', { exact: true }).selectOption('High');
    // No limit yet: the validator's sentence appears beside the field, as typing pauses.
    await expect
      .poll(() => alarm.locator('.field-errors').allTextContents(), { timeout: 30_000 })
      .toContainEqual(expect.stringMatching(/^a hi alarm needs a limit \(line \d+\)$/));
    expect(await axeFindings(page, 'configuration forms (alarm with an issue)')).toEqual([]);
    await shot(alarm, '4-field-issue');
    await alarm.getByLabel('Limit', { exact: true }).fill('10');
    await alarm.getByLabel('Message', { exact: true }).fill('{tag}: steam {value} above {limit}');
    await apply('steam high alarm');
    const fired = await waitFor(
      'the steam alarm active',
      async () => {
        const r = await fetch(`${app.url}/api/alarms`, { headers: { authorization: `Bearer ${token}` } });
        const { alarms } = (await r.json()) as { alarms: { tag: string; state: string; message: string }[] };
        return alarms.find((a) => a.tag === 'Demo/Utilities/Boiler2/Steam' && a.state === 'unack_active');
      },
      60_000,
    );
    expect(fired.message).toMatch(/^Demo\/Utilities\/Boiler2\/Steam: steam 12\.50? above 10$/);
  }, 240_000);

  it('asks where a template tag edit goes: the template changes both pumps, an override only one, and Revert undoes it', async () => {
    await section('Areas').click();
    const station = await open(entry(forms(), 'PumpStation'));
    const pump = await open(entry(station, 'Pump101'));
    const templateTags = pump.getByRole('region', { name: 'Template tags of Pump101' });
    const edit = async (description: string, choice: RegExp) => {
      await templateTags.getByRole('button', { name: 'Edit Pump101/VibrationRMS' }).click();
      const dialog = templateTags.getByRole('dialog', { name: 'Edit Pump101/VibrationRMS' });
      await dialog.getByLabel('Description', { exact: true }).fill(description);
      await dialog.getByRole('button', { name: 'Save tag' }).click();
      const ask = dialog.getByRole('alertdialog', { name: 'Where the change goes' });
      await ask.getByRole('button', { name: choice }).click();
    };
    const meta = async () =>
      ((await (await fetch(`${app.url}/api/tags/meta`, { headers: { authorization: `Bearer ${token}` } })).json()) as { tags: Snapshot[] })
        .tags;
    const descriptions = async () =>
      Object.fromEntries(
        (await meta())
          .filter((t) => /^Demo\/PumpStation\/Pump10[12]\/VibrationRMS$/.test(t.name))
          .map((t) => [t.name.split('/')[2], t.description]),
      );

    await templateTags.getByRole('button', { name: 'Edit Pump101/VibrationRMS' }).click();
    await templateTags.getByRole('dialog', { name: 'Edit Pump101/VibrationRMS' }).getByLabel('Description', { exact: true }).fill('x');
    await templateTags.getByRole('button', { name: 'Save tag' }).click();
    const ask = templateTags.getByRole('alertdialog', { name: 'Where the change goes' });
    expect(await ask.getByRole('button').allTextContents()).toEqual([
      'Change the template (2 machines: Pump101, Pump102)',
      'Override this machine only',
      'Back',
    ]);
    expect(await axeFindings(page, 'configuration forms (template tag edit)')).toEqual([]);
    await shot(templateTags, '5-template-scope');
    await ask.getByRole('button', { name: 'Back' }).click();
    await templateTags.getByRole('button', { name: 'Cancel' }).click();

    await edit('bearing vibration, both pumps', /^Change the template/);
    await apply('vibration described on the template');
    await expect
      .poll(descriptions, { timeout: 30_000 })
      .toEqual({ Pump101: 'bearing vibration, both pumps', Pump102: 'bearing vibration, both pumps' });

    await edit('Pump101 has a new sensor', /^Override this machine only$/);
    await expect
      .poll(() => templateTags.locator('tr[data-tag="VibrationRMS"] td').nth(3).textContent())
      .toBe('overridden here: description');
    await apply('Pump101 vibration sensor replaced');
    await expect
      .poll(descriptions, { timeout: 30_000 })
      .toEqual({ Pump101: 'Pump101 has a new sensor', Pump102: 'bearing vibration, both pumps' });
    expect(readFileSync(siteFile, 'utf8')).toMatch(
      /overrides: \{ VibrationRMS: \{ description: Pump101 has a new sensor \} \}|overrides:\n\s+VibrationRMS:\n\s+description: Pump101 has a new sensor/,
    );

    await templateTags.getByRole('button', { name: 'Revert the override of Pump101/VibrationRMS' }).click();
    await apply('Pump101 back to the template');
    await expect
      .poll(descriptions, { timeout: 30_000 })
      .toEqual({ Pump101: 'bearing vibration, both pumps', Pump102: 'bearing vibration, both pumps' });
    expect(readFileSync(siteFile, 'utf8')).not.toContain('overrides:');
  }, 240_000);

  it('adds a machine made from a template with its parameter: every template tag, read through it', async () => {
    await section('Areas').click();
    const station = await open(entry(forms(), 'PumpStation'));
    await station.getByRole('button', { name: 'Add machine' }).click();
    const added = await open(station.locator('details.form-entry[data-entry^="#"]').first());
    await added.getByLabel('Name', { exact: true }).first().fill('Pump103');
    const pump = await open(entry(station, 'Pump103'));
    // The Template field offers the site's templates (any text is still taken, and checked by the validator).
    const offered = await pump
      .getByLabel('Template', { exact: true })
      .evaluate((el) => [...((el as HTMLInputElement).list?.options ?? [])].map((o) => o.value));
    expect(offered).toContain('CentrifugalPump');
    await pump.getByLabel('Template', { exact: true }).fill('CentrifugalPump');
    await pump.getByLabel('Connection', { exact: true }).fill('plant-opcua');
    // The demo server has nodes for Pump101 and Pump102 only: the new machine reads Pump101's.
    await pump.getByLabel('New param name', { exact: true }).fill('base');
    await pump.getByRole('button', { name: 'Add', exact: true }).first().click();
    await pump.getByLabel('base', { exact: true }).fill('ns=1;s=PumpStation.Pump101');
    await apply('Pump103 from the pump template');
    const names = (await tags()).filter((t) => t.name.startsWith('Demo/PumpStation/Pump103/')).map((t) => t.name.split('/')[3]);
    // Pump101's tags but the model's derived ones (no model is bound to Pump103).
    const template = (await tags())
      .filter((t) => t.name.startsWith('Demo/PumpStation/Pump101/'))
      .map((t) => t.name.split('/')[3])
      .filter((n) => !['AnomalyScore', 'Health', 'RUL'].includes(n ?? ''));
    expect(names.sort()).toEqual(template.sort());
    await waitFor(
      'Pump103 Flow Good',
      async () => ((await tag('Demo/PumpStation/Pump103/Flow'))?.quality === 'Good' ? true : undefined),
      60_000,
    );
  }, 240_000);

  it('refuses Test connection to a viewer, per the permission table', async () => {
    const viewer = await app.signIn('vera', PASSWORD);
    const r = await call('connections.test', { connection: { name: 'x', protocol: 'modbus', host: '127.0.0.1', port: peerPort } }, viewer);
    expect(r.status).toBe(403);
  });
});
