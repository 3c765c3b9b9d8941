// Prediction and model-registry requests: latest predictions per machine, the model list with
// refusals explained, activation / roll-back per machine, on-site learning, worker diagnostics.
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
  /** Go back to the model the machine used before the last activation. */
  'models.rollback': z.object({ machine: z.string().min(1) }).strict(),
  /** Fit an anomaly model on a period of normal operation of `machine` and activate it. */
  'models.learn': z
    .object({
      machine: z.string().min(1),
      tags: z.array(z.string().min(1)).min(1).max(LEARN_LIMITS.tags).optional(),
      from: isoOrMs,
      to: isoOrMs,
    })
    .strict()
    .refine((a) => a.to > a.from, { message: '"to" must be after "from"', path: ['to'] })
    .superRefine(spanLimit('models.learn', LEARN_LIMITS.spanMs)),
  'inference.diagnostics': z.object({}).strict().default({}),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const predictionHttp = {
  'predictions.latest': { method: 'GET', path: '/api/predictions' },
  'models.list': { method: 'GET', path: '/api/models' },
  'models.activate': { method: 'POST', path: '/api/models/activate' },
  'models.rollback': { method: 'POST', path: '/api/models/rollback' },
  'models.learn': { method: 'POST', path: '/api/models/learn' },
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

export interface PredictionResults {
  'predictions.latest': MachinePredictionState[];
  'models.list': ModelInfo[];
  'models.activate': MachinePredictionState;
  'models.rollback': MachinePredictionState;
  'models.learn': ModelInfo;
  'inference.diagnostics': InferenceDiagnostics;
}

/** Stream event: one prediction as it is made. */
export interface PredictionEvents {
  predictions: Prediction;
}
