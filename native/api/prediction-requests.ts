// Prediction and model-registry requests: latest predictions per machine, the model list with
// refusals explained, activation / roll-back per machine, on-site learning, worker diagnostics.
import { z } from 'zod';

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
      tags: z.array(z.string().min(1)).min(1).optional(),
      from: isoOrMs,
      to: isoOrMs,
    })
    .strict()
    .refine((a) => a.to > a.from, { message: '"to" must be after "from"', path: ['to'] }),
  'inference.diagnostics': z.object({}).strict().default({}),
};

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
