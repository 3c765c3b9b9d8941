// A model's manifest: everything the console needs to feed a graph and to read its outputs, and
// everything an engineer needs to trust it (provenance, evaluation, checksum). It crosses a trust
// boundary (files on disk, model downlink), so it is validated with zod.
import { z } from 'zod';

export const manifestSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    version: z.number().int().min(1),
    kind: z.enum(['anomaly', 'rul']),
    description: z.string(),
    /** Input tags in graph order, by tag name within the machine (e.g. "VibrationRMS"). */
    inputs: z.array(z.object({ tag: z.string().min(1), unit: z.string().default('') }).strict()).min(1),
    /**
     * The window the graph takes: `length` samples on a grid of `periodMs`, oldest first. With
     * `fill`, scoring starts once `fill` samples are in, the older rows taken equal to the oldest one
     * (models whose window is long, built on "the machine was steady before the window").
     */
    window: z
      .object({ length: z.number().int().min(1), periodMs: z.number().int().min(1), fill: z.number().int().min(1).optional() })
      .strict(),
    /** Applied to each input before the graph: (x − mean) / std. */
    normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number().positive()) }).strict(),
    graph: z
      .object({
        /** The graph's one input, shape [batch, window.length, inputs.length]. */
        input: z.string(),
        /** Anomaly models: per-window score [batch] and per-tag contributions [batch, inputs]. */
        score: z.string().optional(),
        contributions: z.string().optional(),
        /** RUL models: [batch, 3] = estimate, low and high end of the band. */
        rul: z.string().optional(),
      })
      .strict(),
    /** Anomaly models: a score above this is abnormal (the model alarm's threshold, 1.0 once normalised). */
    threshold: z.number().positive().optional(),
    /** Health calibration (native/inference/health.ts): the normalised score normal operation reaches. */
    health: z
      .object({ normal: z.number().min(0).max(0.99) })
      .strict()
      .optional(),
    /**
     * The model alarm (native/inference/calibrate.ts): the published score is the k-th largest of
     * the last n window scores, so it is over the threshold only when k of the last n windows are;
     * `calibration` says how `threshold` was set (margin × quantile of held-back normal windows).
     * Without it the score is published as computed (1 of 1).
     */
    alarm: z
      .object({
        k: z.number().int().min(1),
        n: z.number().int().min(1),
        calibration: z
          .object({
            heldBackWindows: z.number().int().min(1),
            quantile: z.number().min(0).max(1),
            margin: z.number().positive(),
            heldBack: z.string(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .refine((a) => a.k <= a.n, { message: 'alarm.k must not exceed alarm.n', path: ['k'] })
      .optional(),
    /**
     * Anomaly models: a slowly adapting baseline (native/inference/baseline.ts). The inputs'
     * normalisation mean follows windows judged normal (fewer than `k` — default 1 — of the last `n`
     * scored above `gate`, normalised) with a time constant of `tau` windows. Without it the learned
     * mean is kept. With `delay` d, a window's mean enters the baseline d windows after it was scored
     * (if it and the `clear` windows after it were judged normal), so a fault shorter than d windows
     * is never followed (bounds: checkAdapt in baseline.ts).
     */
    adapt: z
      .object({
        tau: z.number().min(1),
        gate: z.number().positive(),
        k: z.number().int().min(1).optional(),
        n: z.number().int().min(1),
        delay: z.number().int().min(0).optional(),
        clear: z.number().int().min(0).optional(),
      })
      .strict()
      .refine((a) => (a.k ?? 1) <= a.n, { message: 'adapt.k must not exceed adapt.n', path: ['k'] })
      .refine((a) => (a.clear ?? 0) === 0 || (a.clear ?? 0) < (a.delay ?? 0), {
        message: 'adapt.clear must be less than adapt.delay',
        path: ['clear'],
      })
      .optional(),
    /**
     * The machine is stopped (no score, never an alarm) while input `tag` is at or below `above`,
     * and starting (not scored either) for `settleS` seconds after it rises above.
     */
    running: z
      .object({ tag: z.string().min(1), above: z.number(), settleS: z.number().min(0).optional() })
      .strict()
      .optional(),
    /** Unit of the RUL output (cycles if omitted). */
    rulUnit: z.string().optional(),
    outputs: z.record(z.string(), z.string()),
    provenance: z
      .object({
        data: z.string(),
        rows: z.number().int().min(0),
        from: z.string().optional(),
        to: z.string().optional(),
        createdAt: z.string(),
        code: z.string(),
      })
      .strict(),
    metrics: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
    /** SHA-256 of model.onnx, hex. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict()
  .superRefine((m, ctx) => {
    const n = m.inputs.length;
    if (m.normalization.mean.length !== n || m.normalization.std.length !== n) {
      ctx.addIssue({ code: 'custom', message: `normalization needs ${n} means and stds (one per input)`, path: ['normalization'] });
    }
    if (m.kind === 'anomaly' && (!m.graph.score || m.threshold === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'an anomaly model needs graph.score and threshold', path: ['graph'] });
    }
    if (m.adapt && m.kind !== 'anomaly') ctx.addIssue({ code: 'custom', message: 'adapt applies to anomaly models only', path: ['adapt'] });
    if (m.kind === 'rul' && !m.graph.rul) ctx.addIssue({ code: 'custom', message: 'a RUL model needs graph.rul', path: ['graph'] });
    if (m.window.fill !== undefined && m.window.fill > m.window.length)
      ctx.addIssue({
        code: 'custom',
        message: `window.fill ${m.window.fill} exceeds window.length ${m.window.length}`,
        path: ['window', 'fill'],
      });
    if (m.running && !m.inputs.some((i) => i.tag === m.running?.tag))
      ctx.addIssue({ code: 'custom', message: `running.tag ${m.running.tag} is not one of the inputs`, path: ['running', 'tag'] });
  });

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;
