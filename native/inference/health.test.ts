// The health scale and the model alarm's text, on hand-checkable numbers (docs/models.md "Health").
import { afterAll, describe, expect, it } from 'vitest';
import { alarmDefinitionSchema } from '../alarms/definition.js';
import { AlarmService } from '../alarms/service.js';
import { batchOf, Clock, makeTags, tempDb } from '../alarms/test-kit.js';
import { HEALTH_AT_THRESHOLD, healthOf } from './health.js';

describe('health from the normalised anomaly score', () => {
  it('is 100 up to the learned normal, 50 at the threshold, 0 from twice the threshold', () => {
    // normal = 1/3: the shipped demo models' calibration (99.9th percentile of normal = 1/3 of the threshold).
    const n = 1 / 3;
    expect(healthOf(0, n)).toBe(100);
    expect(healthOf(n, n)).toBe(100);
    // Between normal and the threshold, linear: halfway (2/3) is 75.
    expect(healthOf(2 / 3, n)).toBe(75);
    // 90 at normal + 0.2 × (1 − normal) = 1/3 + 2/15 = 7/15.
    expect(healthOf(7 / 15, n)).toBe(90);
    expect(healthOf(1, n)).toBe(HEALTH_AT_THRESHOLD);
    expect(HEALTH_AT_THRESHOLD).toBe(50);
    expect(healthOf(1.5, n)).toBe(25);
    expect(healthOf(2, n)).toBe(0);
    // The runaway score reads 0, and so do NaN and ±∞; never below 0 or above 100.
    expect(healthOf(3.6e6 / 1.5, n)).toBe(0);
    expect(healthOf(Number.NaN, n)).toBe(0);
    expect(healthOf(Number.POSITIVE_INFINITY, n)).toBe(0);
  });

  it('without a calibration reads 100 · (1 − s / 2), as models learned before it did', () => {
    expect(healthOf(0)).toBe(100);
    expect(healthOf(0.5)).toBe(75);
    expect(healthOf(1)).toBe(50);
    expect(healthOf(1.8)).toBe(10);
    expect(healthOf(4)).toBe(0);
  });
});

describe('model alarm text', () => {
  const tmp = tempDb();
  afterAll(() => tmp.cleanup());

  it('carries the current score while the alarm stands, not the one at activation', () => {
    const clock = new Clock(Date.parse('2026-03-01T08:00:00Z'));
    const tags = makeTags(['Demo/PS/P1/AnomalyScore'], '');
    const definitions = [
      alarmDefinitionSchema.parse({
        tag: 'Demo/PS/P1/AnomalyScore',
        type: 'model',
        direction: 'above',
        limit: 1,
        priority: 'Medium',
        message: '{tag}: anomaly score {value} above {limit}',
      }),
    ];
    const svc = new AlarmService({ db: tmp.open(), tags, definitions, now: clock.now });
    const id = 'Demo.PS.P1.AnomalyScore.model';
    const feed = (v: number) => {
      clock.advance(1000);
      svc.evaluate(batchOf([{ id: 0, v }], clock.t));
      svc.tick();
    };
    feed(0.2);
    feed(1.2);
    expect(svc.row(id)?.message).toBe('Demo/PS/P1/AnomalyScore: anomaly score 1.2 above 1');
    // Within 5 s of the last rendering the text stays; after that it follows the score.
    feed(3.5);
    expect(svc.row(id)?.message).toContain('1.2');
    // Activation at t = 2 s; the scores of t = 4…8 s are 29.23…33.23: re-rendered at 7 s (5 s on).
    for (let i = 0; i < 5; i++) feed(29.23 + i);
    expect(svc.row(id)?.message).toBe('Demo/PS/P1/AnomalyScore: anomaly score 32.23 above 1');
    for (let i = 0; i < 5; i++) feed(40);
    expect(svc.row(id)?.message).toBe('Demo/PS/P1/AnomalyScore: anomaly score 40 above 1');
    // The journal keeps one activation with the value at activation.
    expect(svc.journal().filter((e) => e.kind === 'activate')).toHaveLength(1);
    expect(svc.journal()[0]?.value).toBe(1.2);
  });
});
