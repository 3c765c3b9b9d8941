// A candidate's origin as the machine screen shows it (JobOrigin): who or what asked for it (an
// engineer, or a maintenance event that reset the baseline), the period it was learned on and when
// it was made, in the one date/time format.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LearnJob } from '../../../../native/api/prediction-requests';
import { formatDateTime } from '../../lib/datetime';
import { JobOrigin, originText } from './LearningReport';

const FROM = Date.parse('2026-12-02T08:00:00Z');
const job: LearnJob = {
  id: 'learn-2-abc',
  machine: 'Demo/PumpStation/Pump102',
  origin: 'engineer',
  from: FROM,
  to: FROM + 3_600_000,
  tags: ['Running', 'Flow'],
  include: { stopped: false, alarms: false },
  state: 'candidate',
  phase: 'done',
  fraction: 1,
  startedBy: 'enzo',
  startedAt: FROM + 3_700_000,
  finishedAt: FROM + 3_710_000,
  message: null,
  report: null,
  model: null,
  approvedBy: null,
  approvedAt: null,
};

const text = (j: LearnJob) => renderToStaticMarkup(<JobOrigin job={j} />).replace(/<[^>]+>/g, '');

describe('a candidate names its origin, period and when it was made', () => {
  it('learned by an engineer', () => {
    expect(text(job)).toBe(
      `Learned by enzo · period ${formatDateTime(FROM)} – ${formatDateTime(FROM + 3_600_000)} · made ${formatDateTime(FROM + 3_710_000)}`,
    );
  });

  it('learned after a maintenance event', () => {
    const after = { ...job, origin: 'maintenance' as const, startedBy: 'maintenance event 7' };
    expect(originText(after)).toBe('Learned after maintenance event 7');
    expect(renderToStaticMarkup(<JobOrigin job={after} />)).toContain('data-origin="maintenance"');
  });

  it('a job still running says when it started', () => {
    expect(text({ ...job, state: 'running', finishedAt: null })).toMatch(/ · started /);
  });
});
