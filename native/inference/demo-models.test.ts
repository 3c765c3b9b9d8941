// The shipped demo models against the demo site and the simulated plant, in simulated time: the
// plant is stepped one second at a time, its values go through a real tag bus into the inference
// service (real onnxruntime worker) and, with the models' derived tags, into the alarm service with
// the site file's alarm definitions. No wall clock anywhere: every wait is on a count.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDefinitions } from '../alarms/definition.js';
import { AlarmService } from '../alarms/service.js';
import { Clock, tempDb } from '../alarms/test-kit.js';
import type { Prediction } from '../api/prediction-requests.js';
import { PlantSim, type PlantSimOptions } from '../plant/sim.js';
import { loadSiteFile } from '../site/index.js';
import { TagBus } from '../tags/bus.js';
import { derivedTags, publishPrediction } from './derived-tags.js';
import { listModels, openInference } from './index.js';
import { answeredWindows } from './testing.js';

// The line's shifts follow local time; onnxruntime writes a device id under ~/.cache.
process.env.TZ = 'UTC';
process.env.HOME = mkdtempSync(path.join(os.tmpdir(), 'aurum-demo-models-'));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const P101 = 'Demo/PumpStation/Pump101';
const P102 = 'Demo/PumpStation/Pump102';
const COMP = 'Demo/Utilities/Compressor1';
const BOILER = 'Demo/Utilities/Boiler1';

interface Step {
  s: number;
  predictions: Map<string, Prediction | null>;
  reasons: Map<string, string | null>;
  /** Alarm ids active (condition) after this second. */
  active: Set<string>;
}

interface Action {
  atS: number;
  path: string;
  value: number | boolean;
}

/** Run the demo site for `seconds` of simulated time; returns one record per second. */
async function runDemo(opts: { seconds: number; start: number; sim?: Partial<PlantSimOptions>; actions?: Action[] }): Promise<Step[]> {
  const site = loadSiteFile(path.join(root, 'resources/demo-site.yaml'));
  const bindings = site.raw.models?.bindings ?? [];
  const modelsDir = path.join(root, 'models');
  const tags = [...site.tags, ...derivedTags(bindings, listModels([modelsDir]), site.tags.length, 1000)];
  const clock = new Clock(opts.start);
  const bus = new TagBus(tags);
  const prefix = `${site.site.name}/`;
  const simIds = site.tags.map((t) => [t.id, t.name.slice(prefix.length)] as const);
  const tmp = tempDb();
  const alarms = new AlarmService({ db: tmp.open(), tags, definitions: parseDefinitions(site.raw.alarms), now: clock.now });
  bus.onBatch((b) => alarms.evaluate(b), 'alarms');
  const svc = await openInference({
    modelsDir,
    bus,
    machines: bindings,
    onPrediction: (p) => publishPrediction(bus, p),
    onSystemMessage: () => {},
    now: clock.now,
    tickMs: 3_600_000,
  });
  const sim = new PlantSim({ seed: 42, ...opts.sim, start: opts.start });
  const actions = [...(opts.actions ?? [])].sort((a, b) => a.atS - b.atS);
  let next = 0;
  let submitted = 0;
  const out: Step[] = [];
  try {
    for (let s = 1; s <= opts.seconds; s++) {
      while (next < actions.length && (actions[next] as Action).atS <= s) {
        const a = actions[next++] as Action;
        sim.write(a.path, a.value);
      }
      sim.step(clock.advance(1000));
      const values = sim.snapshot();
      for (const [id, p] of simIds) {
        const v = values.get(p);
        if (v !== undefined) bus.update(id, v, 0, clock.t);
      }
      bus.flush();
      submitted += svc.tick(clock.t);
      // Bounded by count: every submitted window is answered before the next second.
      for (let spins = 0; answeredWindows(svc) < submitted && spins < 100_000; spins++) await new Promise((r) => setImmediate(r));
      expect(answeredWindows(svc)).toBe(submitted);
      bus.flush();
      alarms.tick(clock.t);
      const latest = svc.latest();
      out.push({
        s,
        predictions: new Map(latest.map((l) => [l.machine, l.prediction])),
        reasons: new Map(latest.map((l) => [l.machine, l.reason])),
        active: new Set(
          alarms
            .list()
            .alarms.filter((a) => a.state === 'unack_active' || a.state === 'ack_active')
            .map((a) => a.id),
        ),
      });
    }
  } finally {
    await svc.stop();
    tmp.cleanup();
  }
  return out;
}

const idOf = (tag: string, type: string) => `${tag.replaceAll('/', '.')}.${type}`;
const modelAlarm = (machine: string) => idOf(`${machine}/AnomalyScore`, 'model');
/** The first second at or after `from` at which alarm `id` becomes active (was not the second before). */
const firstActive = (steps: Step[], id: string, from = 0) =>
  steps.find((x, i) => x.s >= from && x.active.has(id) && !(i > 0 && steps[i - 1]?.active.has(id)))?.s ?? null;
/** The machine's prediction at second `s` (fails the test if there is none). */
function predictionAt(steps: Step[], s: number, machine: string): Prediction {
  const p = steps.find((x) => x.s === s)?.predictions.get(machine);
  if (!p) throw new Error(`${machine} has no prediction at ${s} s`);
  return p;
}
const scored = (steps: Step[], machine: string, from = 0, to = Number.POSITIVE_INFINITY) =>
  steps
    .filter((x) => x.s >= from && x.s <= to && x.predictions.get(machine))
    .map((x) => ({ s: x.s, p: x.predictions.get(machine) as Prediction }));

describe('demo models on the simulated plant', () => {
  it('Pump102: speed setpoint 40 → 100 %, a stop and a start: health stays ≥ 90, no model alarm; the faults are caught before their limit alarms', async () => {
    const start = Date.UTC(2026, 1, 3, 9, 0, 0);
    const sp = `PumpStation/Pump102/SpeedSetpoint`;
    const run = `PumpStation/Pump102/RunCommand`;
    const actions: Action[] = [
      { atS: 60, path: sp, value: 40 },
      { atS: 240, path: sp, value: 100 },
      { atS: 420, path: run, value: false },
      { atS: 540, path: run, value: true },
      { atS: 780, path: sp, value: 70 },
    ];
    const steps = await runDemo({ seconds: 1500, start, actions });

    // --- Pump102: quiet through every operating change; stopped means no score, not an alarm.
    const p102 = scored(steps, P102);
    expect(p102.length).toBeGreaterThan(1000);
    expect(p102.filter((x) => x.p.health < 90)).toEqual([]);
    expect(steps.some((x) => x.active.has(modelAlarm(P102)))).toBe(false);
    expect(steps.find((x) => x.s === 480)?.reasons.get(P102)).toMatch(/^stopped \(Speed/);
    expect(steps.find((x) => x.s === 560)?.reasons.get(P102)).toMatch(/^starting/);

    // --- Pump101: healthy for its first 3 minutes (the bearing starts to wear at 180 s), then the
    // wear is flagged ≥ 2 min before the first limit alarm.
    const early = scored(steps, P101, 1, 180);
    expect(early.length).toBeGreaterThan(120);
    expect(early.every((x) => x.p.health >= 90)).toBe(true);
    const limits101 = ['VibrationRMS.hi', 'BearingTemp.hi', 'Tripped.discrete'].map((t) => `${P101.replaceAll('/', '.')}.${t}`);
    const firstLimit = (from: number) => Math.min(...limits101.map((id) => firstActive(steps, id, from) ?? Number.POSITIVE_INFINITY));
    const modelAt = firstActive(steps, modelAlarm(P101)) as number;
    const limitAt = firstLimit(0);
    expect(modelAt).not.toBeNull();
    expect(limitAt - modelAt).toBeGreaterThanOrEqual(120);
    const atAlarm = predictionAt(steps, modelAt, P101);
    expect(atAlarm.contributors.map((c) => c.tag).some((t) => t === 'VibrationRMS' || t === 'BearingTemp')).toBe(true);
    for (const c of atAlarm.contributors) expect(['VibrationRMS', 'BearingTemp', 'Power', 'MotorCurrent']).toContain(c.tag);

    // RUL: seconds to the trip, a band that narrows as the trip nears.
    const tripAt = firstActive(steps, `${P101.replaceAll('/', '.')}.Tripped.discrete`) as number;
    expect(tripAt).not.toBeNull();
    const rulAt = (s: number) => predictionAt(steps, s, P101);
    const far = rulAt(modelAt);
    const near = rulAt(tripAt - 30);
    expect(far.rul).toBeGreaterThan(near.rul as number);
    expect((far.rulHigh as number) - (far.rulLow as number)).toBeGreaterThan((near.rulHigh as number) - (near.rulLow as number));
    expect(Math.abs((near.rul as number) - 30)).toBeLessThan(30);

    // The repair: back in service 5 min after the trip; health ≥ 90 within 2 min, the alarm clears,
    // and the second wear cycle is flagged again ≥ 2 min before its limit alarm.
    const backAt = (steps.find((x) => x.s > tripAt && x.reasons.get(P101)?.startsWith('starting'))?.s as number) - 1;
    expect(backAt).toBeGreaterThan(tripAt);
    const healthyAgain = scored(steps, P101, backAt, backAt + 120).find((x) => x.p.health >= 90);
    expect(healthyAgain).toBeDefined();
    const clearedAt = steps.find((x) => x.s > backAt && !x.active.has(modelAlarm(P101)))?.s as number;
    expect(clearedAt - backAt).toBeLessThanOrEqual(120);
    const second = firstActive(steps, modelAlarm(P101), clearedAt) as number;
    expect(second).not.toBeNull();
    expect(firstLimit(backAt) - second).toBeGreaterThanOrEqual(120);

    // --- Compressor: the growing air leak, before the pressure falls below its limit.
    const leakModel = firstActive(steps, modelAlarm(COMP)) as number;
    const leakLimit = firstActive(steps, idOf(`${COMP}/DischargePressure`, 'lo')) as number;
    expect(leakModel).not.toBeNull();
    expect(leakLimit).not.toBeNull();
    expect(leakLimit - leakModel).toBeGreaterThanOrEqual(120);
    const compAt = predictionAt(steps, leakModel, COMP);
    for (const c of compAt.contributors)
      expect(['Loaded', 'AirFlow', 'Power', 'MotorCurrent', 'DischargeTemp', 'OilTemp', 'VibrationRMS']).toContain(c.tag);

    // --- Boiler: the drifting O2 probe, named, before the O2 limit alarm.
    const o2Model = firstActive(steps, modelAlarm(BOILER)) as number;
    const o2Limit = firstActive(steps, idOf(`${BOILER}/FlueGasO2`, 'hi')) as number;
    expect(o2Model).not.toBeNull();
    expect(o2Limit).not.toBeNull();
    expect(o2Limit - o2Model).toBeGreaterThanOrEqual(120);
    expect(predictionAt(steps, o2Model, BOILER).contributors[0]?.tag).toBe('FlueGasO2');
    console.log(
      `demo: Pump101 model alarm ${modelAt} s, first limit ${limitAt} s, trip ${tripAt} s, back ${backAt} s, cleared ${clearedAt} s, second alarm ${second} s (limit ${firstLimit(backAt)} s); compressor ${leakModel}/${leakLimit} s; boiler ${o2Model}/${o2Limit} s`,
    );
  }, 300_000);

  it('healthy machines read health ≥ 90 for ≥ 99 % of an hour and raise no model alarm', async () => {
    const steps = await runDemo({
      seconds: 3600,
      start: Date.UTC(2026, 1, 4, 5, 30, 0),
      sim: { seed: 7, faults: false, wearCycleS: 1e12 },
    });
    for (const m of [P101, P102, COMP, BOILER]) {
      const s = scored(steps, m);
      expect(s.length, m).toBeGreaterThan(3000);
      const healthy = s.filter((x) => x.p.health >= 90).length / s.length;
      console.log(`${m}: health ≥ 90 in ${(100 * healthy).toFixed(2)} % of ${s.length} predictions`);
      expect(healthy, m).toBeGreaterThanOrEqual(0.99);
      expect(
        steps.some((x) => x.active.has(modelAlarm(m))),
        m,
      ).toBe(false);
    }
  }, 300_000);
});
