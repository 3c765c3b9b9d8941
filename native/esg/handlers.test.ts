// A refused emission-factor correction is answered in the core's sentences, each naming its field
// (util/describe.ts), never in zod's own wording.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../api/contract.js';
import { esgRequests } from '../api/esg-requests.js';
import { ApiFailure } from '../api/registry.js';
import { VALIDATOR_WORDING } from '../util/validator-wording.js';
import type { EsgConfigInput } from './config.js';
import { FactorError } from './factors.js';
import { esgHandlers } from './handlers.js';
import { type Fixture, fixture } from './test-kit.js';

const ctx: CallContext = { user: 'bob', role: 'engineer', origin: 'internal' };
const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});
const config: EsgConfigInput = {
  maxGapS: 600,
  sources: [{ id: 'electricity', scope: 2, category: 'electricity', locationFactor: 'grid.test', marketFactor: 'supplier.test' }],
  meters: [{ tag: 'Plant/Utilities/Boiler1/Power', kind: 'power', source: 'electricity' }],
};
const base = { id: 'grid.test', label: 'x', unit: 'kWh', validFrom: '2024-01-01T00:00:00Z', source: 's', reason: 'typo fix' };

function handlers() {
  const f = fixture();
  fixtures.push(f);
  return esgHandlers(f.open(config));
}

/** The message of the ApiFailure `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiFailure) {
      expect(err.type).toBe('validation');
      return err.message;
    }
    throw err;
  }
  throw new Error('expected the correction to be refused');
}

describe('esg.factors.correct refused by the factor check', () => {
  it('names each field in a sentence: a co2e factor without its gwpSet', () => {
    const args = esgRequests['esg.factors.correct'].parse({ ...base, co2e: 1 });
    const message = refusal(() => handlers()['esg.factors.correct'](args, ctx));
    expect(message).toBe('the field "gwpSet" is refused: a factor given as `co2e` must state its `gwpSet`');
  });

  it('says what is missing without a dangling field name when neither gases nor co2e is given', () => {
    const args = esgRequests['esg.factors.correct'].parse(base);
    const message = refusal(() => handlers()['esg.factors.correct'](args, ctx));
    expect(message.split('; ')).toEqual([
      'a factor needs `gases` or `co2e`',
      'the field "gwpSet" is refused: a factor given as `co2e` must state its `gwpSet`',
    ]);
  });

  it('words a value of the wrong type as the core does, not as zod does', () => {
    // The registry's request check catches this first; the handler's own answer is worded the same.
    const args = { ...base, co2e: 'lots', gwpSet: 'AR5', notes: '' } as unknown as Parameters<
      ReturnType<typeof handlers>['esg.factors.correct']
    >[0];
    const message = refusal(() => handlers()['esg.factors.correct'](args, ctx));
    expect(message).toBe('the field "co2e" must be a number, but it is the text "lots"');
    expect(message).not.toMatch(VALIDATOR_WORDING);
  });

  it('is refused by the service itself in those sentences, checked with the version it would become (never a ZodError)', () => {
    const f = fixture();
    fixtures.push(f);
    const svc = f.open(config);
    const { reason, ...factor } = esgRequests['esg.factors.correct'].parse({ ...base, co2e: 1 });
    expect(() => svc.correctFactor(factor, reason, 'bob')).toThrow(FactorError);
    expect(() => svc.correctFactor(factor, reason, 'bob')).toThrow(
      'the field "gwpSet" is refused: a factor given as `co2e` must state its `gwpSet`',
    );
    expect(svc.factorChanges()).toEqual([]);
  });
});
