// Each service picks a change of its section up in place through config.apply on a real core
// (ingest connection, real historian, ESG, models, sync and maintenance): a section that appears
// opens its capability (ESG), a changed one is applied or its capability restarted alone by the
// core (maintenance, models, sync), the historian applies retention and storage rules and stores
// the models' new derived tags, a section that goes stops its capability; no answer says
// restart-needed, and the history of an unchanged tag fed all along has every sample (counted).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigApplyResult } from '../api/config-requests.js';
import type { HistorySeries } from '../api/history-requests.js';
import { type Core, startCore } from '../core.js';
import { ENGINEER, gatewaySite, type SiteCore, startSiteCore } from './test-core.js';

const INPUTS = ['Speed', 'Flow', 'DischargePressure', 'MotorCurrent', 'Power', 'BearingTemp', 'MotorTemp', 'Vibration'];
const site = gatewaySite(
  INPUTS.map((t) => `{ name: ${t}, address: ${t}, unit: ${t === 'Power' ? 'kW' : "''"} }`),
  'Pump',
);

const withSections = `${site}historian:
  retention: { rawDays: 30 }
  storage:
    - { match: "S/A/Pump/Vibration", decimals: 2 }
maintenance:
  webhook: { url: "http://127.0.0.1:9/cmms" }
sync:
  clientId: console-7
esg:
  meters:
    - { tag: S/A/Pump/Power, kind: power, source: grid }
  sources:
    - { id: grid, label: Grid, scope: 2, category: electricity, locationFactor: grid.GB }
models:
  bindings:
    - { machine: S/A/Pump, model: demo-pump-anomaly, version: 2 }
`;

let t: SiteCore<Core>;
let core: Core;

beforeAll(async () => {
  t = await startSiteCore(site, 'aurum-apply-services-', startCore);
  core = t.core;
}, 60_000);

afterAll(() => t?.stop());

const call = <T>(name: string, args: unknown): Promise<T> => t.call<T>(name, args);

describe('config.apply: every service in place', () => {
  it('opens ESG, restarts maintenance, models and sync alone, applies the historian section, and loses no sample of an unchanged tag', async () => {
    const t0 = Date.now() - 60_000;
    let pushed = 0;
    const push = () =>
      call('tags.ingest', { items: [{ tag: 'S/A/Pump/Speed', value: pushed, timestamp: t0 + pushed * 10 }] }).then(() => {
        pushed++;
      });
    for (let i = 0; i < 20; i++) await push();
    const speedId = core.bus.idOf('S/A/Pump/Speed');

    // Fed while the apply runs: each push is acknowledged once committed.
    let feeding = true;
    const feeder = (async () => {
      while (feeding && pushed < 2000) await push();
    })();
    const r = await call<ConfigApplyResult>('config.apply', { text: withSections, baseVersion: 1, comment: 'services configured' });
    feeding = false;
    await feeder;
    for (let i = 0; i < 20; i++) await push();

    const by = new Map(r.applied.map((a) => [a.capability, a]));
    expect(r.applied.filter((a) => a.result === 'restart-needed')).toEqual([]);
    expect(by.get('esg')).toEqual({
      capability: 'esg',
      result: 'applied',
      detail: 'opened with its new section',
    });
    expect(by.get('maintenance')).toEqual({
      capability: 'maintenance',
      result: 'applied',
      detail: 'restarted alone with its new section and inference, sync, which use it',
    });
    expect(by.get('inference')?.detail).toMatch(/^restarted alone with its new section and sync, which uses it/);
    expect(by.get('sync')).toMatchObject({ result: 'applied', detail: 'restarted alone with its new section' });
    expect(by.get('historian')).toMatchObject({ result: 'applied' });
    expect(by.get('historian')?.detail).toContain('storage rules and retention applied from the next sample');
    expect(by.get('historian')?.detail).toContain('2 new tags stored from their first sample');

    // The models' derived tags joined the table; ESG and the restarted services answer.
    expect(core.bus.idOf('S/A/Pump/AnomalyScore')).toBeDefined();
    expect(core.bus.idOf('S/A/Pump/Speed')).toBe(speedId);
    const predictions = await call<{ machine: string }[]>('predictions.latest', {});
    expect(predictions.map((p) => p.machine)).toContain('S/A/Pump');
    await call('esg.summary', { from: t0, to: Date.now(), groupBy: 'machine' });
    await call('sync.status', {});
    await call('maintenance.requests', {});

    // Every sample of the unchanged tag, before, during and after the apply.
    const [speed] = await call<HistorySeries[]>('history.query', {
      tags: ['S/A/Pump/Speed'],
      from: t0 - 1,
      to: Date.now(),
      maxPoints: 20_000,
    });
    expect(speed?.v).toEqual(Array.from({ length: pushed }, (_, i) => i));

    // Sections that go: ESG stops, the models' derived tags leave the table; still nothing to restart.
    const back = await call<ConfigApplyResult>('config.apply', { text: site, baseVersion: 2, comment: 'services removed' });
    expect(back.applied.filter((a) => a.result === 'restart-needed')).toEqual([]);
    expect(back.applied.find((a) => a.capability === 'esg')).toMatchObject({
      result: 'applied',
      detail: 'stopped: its section was removed',
    });
    expect(core.bus.idOf('S/A/Pump/AnomalyScore')).toBeUndefined();
    const refused = await core.call('esg.summary', { from: t0, to: Date.now(), groupBy: 'machine' }, ENGINEER);
    expect(refused.error?.type).toBe('unavailable');

    // A machine added: maintenance, which learned the machines when it opened, restarts alone and takes requests for it.
    const withMixer = site.replace(
      'areas:\n',
      'areas:\n  - name: B\n    machines:\n      - { name: Mixer, connection: gw, tags: [{ name: Speed, address: ms }] }\n',
    );
    const grown = await call<ConfigApplyResult>('config.apply', { text: withMixer, baseVersion: 3, comment: 'mixer added' });
    expect(grown.applied.find((a) => a.capability === 'maintenance')?.detail).toMatch(/^the machines changed: restarted alone/);
    const req = await call<{ machine: string }>('maintenance.request', { machine: 'S/B/Mixer', description: 'seal leaks' });
    expect(req.machine).toBe('S/B/Mixer');
  }, 120_000);
});
