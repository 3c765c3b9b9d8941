// Inference as a capability: the bound models predict from the bus; predictions become derived tags
// and a stream; after maintenance that resets a machine's baseline, its model relearns.
import path from 'node:path';
import type { Prediction } from '../api/prediction-requests.js';
import type { TagInfo } from '../api/types.js';
import { type Capability, type CapabilityContext, numbersOf, restartUnlessSame } from '../capability.js';
import { describeError } from '../util/errors.js';
import { derivedTags, publishPrediction } from './derived-tags.js';
import { predictionHandlers } from './handlers.js';
import { Learning } from './learn/jobs.js';
import { stateAt } from './learn/state.js';
import { listModels } from './registry.js';
import { type HistoryReader, type MachineBinding, openInference } from './service.js';

/** Operation after a baseline-resetting maintenance event from which the machine's model relearns. */
const RELEARN_WINDOW_MS = 10 * 60_000;
/** The alarm journal is read for learning in pages of this many entries, at most this many pages. */
const JOURNAL_PAGE = 10_000;
const JOURNAL_PAGES = 50;

export interface InferenceFace {
  /** Called with each prediction (the uplink queues the anomalous ones). */
  onPrediction(listener: (p: Prediction) => void): () => void;
}

declare module '../capability.js' {
  interface Faces {
    inference: InferenceFace;
  }
}

/** The models' learned and downloaded copies live in the data dir, beside the shipped ones. */
const modelDirs = (modelsDir: string, dataDir: string) => [modelsDir, path.join(dataDir, 'models')];

/** The derived tags of the bound models (<machine>/AnomalyScore, /Health, /RUL), numbered from `firstId`: they join the tag table before the bus is built. */
export function modelTags(bindings: readonly MachineBinding[], dirs: { modelsDir: string; dataDir: string }, firstId: number): TagInfo[] {
  if (bindings.length === 0) return [];
  return derivedTags(bindings, listModels(modelDirs(dirs.modelsDir, dirs.dataDir)), firstId, 1000);
}

/** The site file's `models.bindings`. */
export async function open(ctx: CapabilityContext<MachineBinding[]>): Promise<Capability> {
  const bindings = ctx.config;
  const historian = ctx.face('historian').store;
  const models = ctx.boundary.for('models');
  const listeners = new Set<(p: Prediction) => void>();
  // A model learns from the historian's evenly spaced rows; a row with a gap in any input is left out.
  const history: HistoryReader = async (names, from, to, periodMs) => {
    const series = historian.rangeRead({ tags: names, from, to, stepMs: periodMs });
    const length = Math.min(...series.map((s) => s.values.length));
    const rows: number[][] = [];
    for (let i = 0; i < length; i++) {
      const row = series.map((s) => s.values[i] as number);
      if (row.every(Number.isFinite)) rows.push(row);
    }
    return rows;
  };
  const inference = await models.enter(() =>
    openInference({
      modelsDir: ctx.modelsDir,
      dataDir: ctx.dataDir,
      bus: ctx.bus,
      machines: bindings,
      onPrediction: (p) => {
        publishPrediction(ctx.bus, p);
        ctx.emit('predictions', p);
        for (const l of listeners) l(p);
      },
      onSystemMessage: (m) => ctx.system.message(m),
      history,
    }),
  );
  // Learning from the console: jobs that read the historian one stretch at a time and end in a
  // candidate an engineer approves (learn/jobs.ts).
  const alarms = ctx.optional('alarms');
  const learning = new Learning({
    machines: ctx.site.machines,
    tags: ctx.bus.tags,
    read: (names, from, to, periodMs) => {
      const series = historian.rangeRead({ tags: names, from, to, stepMs: periodMs });
      return { ts: series[0]?.ts ?? new Float64Array(0), columns: series.map((s) => s.values) };
    },
    stateAt: (tag, t) => stateAt(historian, tag, t),
    // The machine's activations and clears, read a page at a time and filtered as they come, so
    // only its own are held; at most JOURNAL_PAGES pages of the whole site's journal are read.
    alarmJournal: alarms
      ? (machine, from, to) => {
          const own = [];
          for (let page = 0; page < JOURNAL_PAGES; page++) {
            const rows = alarms.service.journal({
              from,
              to,
              kinds: ['activate', 'clear'],
              limit: JOURNAL_PAGE,
              offset: page * JOURNAL_PAGE,
            });
            for (const e of rows) if (e.tag.startsWith(`${machine}/`)) own.push(e);
            if (rows.length < JOURNAL_PAGE) break;
          }
          return own;
        }
      : undefined,
    learnedDir: path.join(ctx.dataDir, 'models'),
    roots: () => modelDirs(ctx.modelsDir, ctx.dataDir),
    bindings,
    activate: (machine, name, version) => inference.activate(machine, name, version),
    active: (machine) => inference.latest([machine])[0]?.model ?? null,
    now: ctx.clock,
  });
  const say = (level: 'info' | 'warning', message: string) =>
    ctx.system.message({ level, source: 'models', message, timestamp: new Date(ctx.clock()).toISOString() });
  // After maintenance that resets a machine's baseline, its model learns normal behaviour anew from
  // the first ten minutes of operation after the event.
  const relearns = new Set<NodeJS.Timeout>();
  const offMaintenance = ctx.face('maintenance').onEvent((e) => {
    if (!e.resetsBaseline || !bindings.some((b) => b.machine === e.machine)) return;
    const machine = e.machine;
    const at = Date.parse(e.at);
    const timer = setTimeout(
      models.wrap('relearning after maintenance', () => {
        relearns.delete(timer);
        inference.learn({ machine, from: at, to: at + RELEARN_WINDOW_MS }).then(
          (m) => say('info', `${machine}: new baseline learned after maintenance (${m.name}@${m.version})`),
          (err: unknown) => say('warning', `${machine}: relearning after maintenance failed: ${describeError(err)}`),
        );
      }),
      Math.max(0, at + RELEARN_WINDOW_MS - ctx.clock()),
    );
    timer.unref();
    relearns.add(timer);
  });
  return {
    face: {
      onPrediction(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    } satisfies InferenceFace,
    handlers: predictionHandlers(inference, learning),
    streams: ['predictions'],
    metrics: () => ({ inference: numbersOf(inference.diagnostics()) }),
    // Bindings decide the derived tags, which are numbered into the bus's tag table at start.
    reconfigure: (next) => restartUnlessSame(bindings, next),
    async stop() {
      offMaintenance();
      for (const t of relearns) clearTimeout(t);
      await learning.stop();
      await inference.stop();
    },
  };
}
