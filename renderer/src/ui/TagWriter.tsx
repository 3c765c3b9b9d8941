// A tag's write, offered in the tag's own terms: a boolean command as its two named states, an
// enumeration as its named values, a number as a field with the unit and limits that refuses text
// before anything is sent. The operator confirms every write, seeing the current and the new value
// in the same terms; the core checks the value again against the tag's declared type.
import { useState } from 'react';
import type { TagInfo, TagState, WriteResult } from '../../../native/api/types';
import { api, errorText } from '../platform/client';
import { live } from '../platform/live';
import { useCan } from '../platform/permissions';
import { numberProblem, valueInTerms } from './writeTerms';

export function TagWriter({ tag }: { tag: TagInfo }) {
  const [draft, setDraft] = useState('');
  const [pending, setPending] = useState<number | boolean | null>(null);
  const [result, setResult] = useState<WriteResult | null>(null);
  const states: readonly TagState[] | undefined = tag.states;
  const short = tag.name.split('/').pop();
  const mayWrite = useCan('tags.write');

  const send = async (value: number | boolean) => {
    setPending(null);
    try {
      setResult(await api.call('tags.write', { tag: tag.name, value, confirmed: true }));
    } catch (err) {
      setResult({ tag: tag.name, requested: value, readBack: null, ok: false, error: errorText(err) });
    }
  };

  const problem = states ? null : numberProblem(tag, draft);
  const confirm =
    pending !== null ? (
      <div className="confirm" role="alertdialog" aria-label="Confirm setpoint write">
        <p>
          Set <strong>{tag.name}</strong> to <strong className="write-new">{valueInTerms(tag, pending)}</strong>? Current value:{' '}
          <span className="write-current">{valueInTerms(tag, live.values[tag.id])}</span>.
        </p>
        <button type="button" onClick={() => send(pending)}>
          Confirm write
        </button>
        <button type="button" onClick={() => setPending(null)}>
          Cancel
        </button>
      </div>
    ) : null;
  const outcome = result ? (
    <p className={result.ok ? 'write-ok' : 'write-error'} role="status">
      {result.ok ? `Written; read back ${valueInTerms(tag, result.readBack)}` : `Write failed: ${result.error}`}
    </p>
  ) : null;

  // A role without the operate permission is offered no write at all (the core would refuse it).
  if (!mayWrite) return null;
  // The core writes numbers and booleans only (native/tags/write-check.ts): offer nothing to type.
  if (tag.dataType === 'string') return <span className="muted">Text tags cannot be written from the console</span>;

  if (states) {
    // Only the named states are offered: there is no free text to mistype.
    return (
      <fieldset className="setpoint setpoint-states" data-tag={tag.name}>
        <legend className="visually-hidden">Write {short}</legend>
        {states.map((s) => (
          <button key={String(s.value)} type="button" className="state-button" onClick={() => setPending(s.value)}>
            {s.label}
          </button>
        ))}
        {confirm}
        {outcome}
      </fieldset>
    );
  }

  const limits =
    tag.writeMin !== null || tag.writeMax !== null
      ? ` (${tag.writeMin ?? '−∞'}–${tag.writeMax ?? '∞'}${tag.unit ? ` ${tag.unit}` : ''})`
      : '';
  const hintId = `sp-hint-${tag.id}`;
  return (
    <form
      className="setpoint"
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) setPending(Number(draft.trim()));
      }}
    >
      <label>
        New value{limits}
        <span className="setpoint-field">
          <input
            name={`sp-${tag.name}`}
            inputMode={tag.dataType === 'int' ? 'numeric' : 'decimal'}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            aria-invalid={draft !== '' && problem !== null}
            aria-describedby={draft !== '' && problem ? hintId : undefined}
          />
          {tag.unit ? <span className="unit">{tag.unit}</span> : null}
        </span>
      </label>
      <button type="submit" disabled={problem !== null}>
        Write…
      </button>
      {draft !== '' && problem ? (
        <span id={hintId} className="setpoint-hint">
          {problem}
        </span>
      ) : null}
      {confirm}
      {outcome}
    </form>
  );
}
