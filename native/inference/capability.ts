// Inference as a capability: the bound models predict from the bus; predictions become derived tags
// and a stream; after maintenance that resets a machine's baseline, its model starts afresh and a
// model of the machine is learned anew as a candidate that waits for an engineer's approval.
import path from 'node:path';
import type { Prediction } from '../api/prediction-requests.js';
import type { TagInfo } from '../api/types.js';
import { type Capability, type CapabilityContext, numbersOf, restartUnlessSame } from '../capability.js';
import { derivedTags, publishPrediction } from './derived-tags.js';
import { predictionHandlers } from './handlers.js';
import { Learning } from './learn/jobs.js';
import { afterMaintenance } from './learn/maintenance.js';
import { stateAt } from './learn/state.js';
import { listModels } from './registry.js';
import { type MachineBinding, openInference } from './service.js';

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
    }),
  );
  const say = (level: 'info' | 'warning', message: string) =>
    ctx.system.message({ level, source: 'models', message, timestamp: new Date(ctx.clock()).toISOString() });
  // Learning from the console: jobs that read the historian one stretch at a time and end in a
  // candidate an engineer approves (learn/jobs.ts); candidates are kept across restarts.
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
    candidatesDir: path.join(ctx.dataDir, 'learn-candidates'),
    say: (message) => say('warning', message),
    audit: ctx.face('auth').audit,
    roots: () => modelDirs(ctx.modelsDir, ctx.dataDir),
    bindings,
    activate: (machine, name, version) => inference.activate(machine, name, version),
    active: (machine) => inference.latest([machine])[0]?.model ?? null,
    now: ctx.clock,
  });
  // After maintenance that resets a machine's baseline: its model starts afresh, and a new one is
  // learned from the ten minutes after, as a candidate awaiting approval (learn/maintenance.ts).
  const maintenance = afterMaintenance({
    machines: new Set(bindings.map((b) => b.machine)),
    learning,
    reset: models.wrap('resetting after maintenance', (machine: string, why: string) => void inference.reset(machine, why)),
    now: ctx.clock,
    say,
  });
  const offMaintenance = ctx.face('maintenance').onEvent(models.wrap('relearning after maintenance', maintenance.onEvent));
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
      maintenance.stop();
      await learning.stop();
      await inference.stop();
    },
  };
}
