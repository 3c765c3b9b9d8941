// Prediction and model-registry requests: latest predictions per machine, the model list with
// refusals explained, activation / roll-back per machine, on-site learning as a job (start, progress,
// cancel, a candidate with its report, approve or discard), model versions per machine, worker diagnostics.
import { z } from 'zod';
import type { HttpForms } from './http.js';
import { DAY_MS, spanLimit } from './limits.js';

/**
 * What one learning request may ask for (docs/api.md "Limits"). Whatever the period, learning reads
 * at most `samples` grid rows (one day at 1 s), spread evenly over it in `segmentMs` stretches
 * (native/inference/learn/plan.ts), so a year costs the memory of a day.
 */
export const LEARN_LIMITS = {
  spanMs: 366 * DAY_MS,
  samples: 86_400,
  segmentMs: 600_000,
  tags: 64,
  /** The longest learning may run (it yields between segments and steps) before it is abandoned. */
  deadlineMs: 120_000,
  /** Excluded spans listed in a report or a preview (the rest are counted). */
  spans: 200,
  /** Candidates awaiting approval kept per machine; a further one discards the oldest (a system message says which). */
  candidates: 4,
} as const;

const isoOrMs = z.union([z.number(), z.string().datetime({ offset: true })]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

export const predictionRequests = {
  'predictions.latest': z
    .object({ machines: z.array(z.string()).optional() })
    .strict()
    .default({}),
  'models.list': z.object({}).strict().default({}),
  /** Use `name@version` for `machine` from now on (hot swap: no restart). */
  'models.activate': z.object({ machine: z.string().min(1), model: z.string().min(1), version: z.number().int().min(1) }).strict(),
  /**
   * Go back to the model the machine used before the last activation; with `model` and `version`,
   * to that version of the machine's (models.versions lists them). Either way an activation.
   */
  'models.rollback': z
    .object({ machine: z.string().min(1), model: z.string().min(1).optional(), version: z.number().int().min(1).optional() })
    .strict()
    .refine((a) => (a.model === undefined) === (a.version === undefined), {
      message: 'name both "model" and "version" to roll back to a given version, or neither for the previous one',
      path: ['version'],
    }),
  /**
   * Start learning an anomaly model of `machine` on a period of normal operation: a job (one per
   * machine) that ends in a candidate with a report, which models.learn.approve activates. Spans
   * where the machine was stopped or had an alarm active are left out unless `include` says otherwise.
   */
  'models.learn': z
    .object({
      machine: z.string().min(1),
      tags: z.array(z.string().min(1)).min(1).max(LEARN_LIMITS.tags).optional(),
      from: isoOrMs,
      to: isoOrMs,
      include: z
        .object({ stopped: z.boolean().default(false), alarms: z.boolean().default(false) })
        .strict()
        .default({ stopped: false, alarms: false }),
    })
    .strict()
    .refine((a) => a.to > a.from, { message: '"to" must be after "from"', path: ['to'] })
    .superRefine(spanLimit('models.learn', LEARN_LIMITS.spanMs)),
  /** The spans of a period learning leaves out by default (machine stopped, alarms active), before starting. */
  'models.learn.spans': z
    .object({ machine: z.string().min(1), from: isoOrMs, to: isoOrMs })
    .strict()
    .refine((a) => a.to > a.from, { message: '"to" must be after "from"', path: ['to'] })
    .superRefine(spanLimit('models.learn.spans', LEARN_LIMITS.spanMs)),
  /**
   * The machine's latest learning job (running, or its outcome; after a restart its newest candidate),
   * null when there is none. Every candidate awaiting approval is listed by models.versions.
   */
  'models.learn.status': z.object({ machine: z.string().min(1) }).strict(),
  /** Stop the machine's running job between two slices of its work; nothing is kept. */
  'models.learn.cancel': z.object({ machine: z.string().min(1) }).strict(),
  /** Keep the candidate of job `job` as the machine's next model version and activate it. */
  'models.learn.approve': z.object({ machine: z.string().min(1), job: z.string().min(1) }).strict(),
  /** Throw the candidate of job `job` away. */
  'models.learn.discard': z.object({ machine: z.string().min(1), job: z.string().min(1) }).strict(),
  /**
   * The model versions a machine has used or may use: its bound model's and its learned ones, the
   * active one marked, and its candidates awaiting approval.
   */
  'models.versions': z.object({ machine: z.string().min(1) }).strict(),
  'inference.diagnostics': z.object({}).strict().default({}),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const predictionHttp = {
  'predictions.latest': { method: 'GET', path: '/api/predictions' },
  'models.list': { method: 'GET', path: '/api/models' },
  'models.activate': { method: 'POST', path: '/api/models/activate' },
  'models.rollback': { method: 'POST', path: '/api/models/rollback' },
  'models.learn': { method: 'POST', path: '/api/models/learn' },
  'models.learn.spans': { method: 'POST', path: '/api/models/learn/spans' },
  'models.learn.status': { method: 'GET', path: '/api/models/learn/status' },
  'models.learn.cancel': { method: 'POST', path: '/api/models/learn/cancel' },
  'models.learn.approve': { method: 'POST', path: '/api/models/learn/approve' },
  'models.learn.discard': { method: 'POST', path: '/api/models/learn/discard' },
  'models.versions': { method: 'GET', path: '/api/models/versions' },
  // The model runner's own figures, for the diagnostics screen; scripts read /metrics.
  'inference.diagnostics': 'call',
} as const satisfies HttpForms<typeof predictionRequests>;

export interface Contributor {
  /** Tag name within the machine. */
  tag: string;
  /** Share of the anomaly score, 0…1. */
  share: number;
}

export interface Prediction {
  /** Machine path Site/Area/Machine. */
  machine: string;
  /** Null for a RUL-only model. */
  anomalyScore: number | null;
  threshold: number | null;
  /** 0 (failed) … 100 (as new / as normal). */
  health: number;
  /** Remaining useful life and its band, in the model's unit (cycles for C-MAPSS). */
  rul?: number;
  rulLow?: number;
  rulHigh?: number;
  contributors: Contributor[];
  /** `name@version`. */
  model: string;
  /** ms since epoch. */
  timestamp: number;
}

export interface MachinePredictionState {
  machine: string;
  model: string | null;
  /** Latest prediction, or null with the reason there is none (window filling, Bad input…). */
  prediction: Prediction | null;
  reason: string | null;
}

export interface ModelInfo {
  name: string;
  version: number;
  kind: 'anomaly' | 'rul' | null;
  description: string;
  inputs: string[];
  metrics: Record<string, number | string>;
  /** Machines that use it now. */
  activeOn: string[];
  /** Why the registry refused it, or null. */
  error: string | null;
}

export interface InferenceDiagnostics {
  workerRestarts: number;
  models: {
    model: string;
    windows: number;
    batches: number;
    errors: number;
    dropped: number;
    latencyP50Ms: number;
    latencyP99Ms: number;
    runMsMean: number;
    meanBatch: number;
    throughput: number;
  }[];
}

/** A stretch of a learning period left out of the fit, and why. */
export interface ExcludedSpan {
  /** ms since epoch; `to` is the end of the last grid step left out. */
  from: number;
  to: number;
  reason: 'stopped' | 'alarm' | 'no data';
  /** The running tag, the alarm(s) active, or the tags without a value. */
  detail: string;
}

export interface LearnSpans {
  machine: string;
  from: number;
  to: number;
  /** In time order; at most LEARN_LIMITS.spans, `more` counts the rest. */
  spans: ExcludedSpan[];
  more: number;
  /** Grid rows the period has (as read: a period longer than a day is read as evenly spread stretches) and how many of them each reason leaves out. */
  rows: number;
  stoppedRows: number;
  alarmRows: number;
  noDataRows: number;
  /** True when the period is longer than the learning budget and read as evenly spread stretches. */
  subsampled: boolean;
  /** The tags learning reads when none are named (the machine's read-only measurements, not counters or model outputs). */
  tags: string[];
}

/** What a candidate model did on the period it was learned on. Scores are normalised to the model alarm's threshold (1.0). */
export interface LearnReport {
  rows: { read: number; train: number; heldBack: number; excluded: number };
  /** `heldBack`: the windows scored for the false alarm rate; `calibration`: the held-back windows the threshold was calibrated on. */
  windows: { train: number; heldBack: number; calibration: number };
  /**
   * Share of the held-back windows (the second half of the last fifth of each stretch of the period,
   * never fitted on nor calibrated on) at which the model alarm's condition holds: k of the last n
   * windows over the threshold, as the console publishes the score.
   */
  falseAlarmRate: number;
  /** Share of those windows whose own score is over the threshold (before the k-of-n rule). */
  windowsAboveRate: number;
  /** The model alarm as the manifest's `alarm` block records it; `threshold` on the graph's score. */
  alarm: { k: number; n: number; quantile: number; margin: number; threshold: number; floored: boolean };
  /** Score quantiles on the training and the held-back windows (q 1 is the largest). */
  quantiles: { q: number; train: number; heldBack: number }[];
  /** Held-back scores in bins of 0.1 from 0; the last bin holds everything from its lower edge up. */
  histogram: { from: number; to: number | null; count: number }[];
  /** Mean share of each tag in the held-back windows' scores, largest first. */
  contributors: Contributor[];
  excluded: ExcludedSpan[];
  excludedMore: number;
  subsampled: boolean;
  components: number;
  /** The normalised score health 100 stands for (99.9th percentile of the training windows). */
  healthNormal: number;
}

/** Who asked for a learning job: an engineer, or a maintenance event that resets the baseline. */
export type LearnOrigin = 'engineer' | 'maintenance';

export interface LearnJob {
  id: string;
  machine: string;
  /** Who asked for it: an engineer (models.learn) or a maintenance event that resets the baseline (the ten minutes after it). */
  origin: LearnOrigin;
  from: number;
  to: number;
  /** Tag names within the machine the model reads (the running tag first where it gates the model). */
  tags: string[];
  include: { stopped: boolean; alarms: boolean };
  state: 'running' | 'candidate' | 'approved' | 'discarded' | 'cancelled' | 'failed';
  phase: 'reading' | 'covariance' | 'scoring' | 'done';
  /** 0…1 over the whole job. */
  fraction: number;
  startedBy: string | null;
  startedAt: number;
  finishedAt: number | null;
  /** Why it failed or who cancelled / discarded it. */
  message: string | null;
  report: LearnReport | null;
  /** `name@version` it became once approved. */
  model: string | null;
  approvedBy: string | null;
  approvedAt: number | null;
}

/** Kept small: the audit trail records it whole (who, when, which version, from which job). */
export interface LearnApproval {
  job: string;
  machine: string;
  /** `name@version` the candidate became. */
  model: string;
  approvedBy: string | null;
  /** ms since epoch. */
  approvedAt: number;
  state: MachinePredictionState;
}

export interface ModelVersion {
  model: string;
  version: number;
  /** `name@version`. */
  key: string;
  kind: 'anomaly' | 'rul' | null;
  description: string;
  /** 'learned': learned on this console (data dir); 'shipped': installed with it. */
  source: 'shipped' | 'learned';
  createdAt: string | null;
  /** Period it was learned on (ISO 8601), where the manifest says. */
  from: string | null;
  to: string | null;
  active: boolean;
  approvedBy: string | null;
  approvedAt: string | null;
  falseAlarmRate: number | null;
  /** Why the registry refuses it, or null. */
  error: string | null;
}

export interface MachineModels {
  machine: string;
  active: string | null;
  /** Newest first within each model name; the bound model's versions after the learned ones. */
  versions: ModelVersion[];
  /**
   * Candidates awaiting approval (state `candidate`), newest first: at most LEARN_LIMITS.candidates,
   * each approved (models.learn.approve) or discarded (models.learn.discard) on its own by its id.
   */
  candidates: LearnJob[];
}

export interface PredictionResults {
  'predictions.latest': MachinePredictionState[];
  'models.list': ModelInfo[];
  'models.activate': MachinePredictionState;
  'models.rollback': MachinePredictionState;
  'models.learn': LearnJob;
  'models.learn.spans': LearnSpans;
  'models.learn.status': LearnJob | null;
  'models.learn.cancel': LearnJob;
  'models.learn.approve': LearnApproval;
  'models.learn.discard': LearnJob;
  'models.versions': MachineModels;
  'inference.diagnostics': InferenceDiagnostics;
}

/** Stream event: one prediction as it is made. */
export interface PredictionEvents {
  predictions: Prediction;
}
