// A date and time field in the console's one format (lib/datetime.ts): a text field, because a
// native date input writes the browser's locale (12/01/2026 beside rows reading 2026-12-01).
// Its value is what `<input type="datetime-local">` holds (lib/period.ts toLocalInput), so it
// replaces one without changing how a screen keeps or queries its period; '' is no bound.
import { useEffect, useState } from 'react';
import { dateTimePattern, formatDateTime, parseDateTime } from '../lib/datetime';
import { fromLocalInput, toLocalInput } from '../lib/period';

const shown = (value: string) => {
  const ms = fromLocalInput(value);
  return ms === undefined ? '' : formatDateTime(ms);
};

export function DateTimeField({
  id,
  value,
  onChange,
  label,
}: {
  id?: string;
  /** `YYYY-MM-DDTHH:mm[:ss]` local (datetime-local's value), or '' for none. */
  value: string;
  onChange: (value: string) => void;
  /** An accessible name when no <label> names the field. */
  label?: string;
}) {
  const [draft, setDraft] = useState(() => shown(value));
  const [problem, setProblem] = useState<string | null>(null);
  // A value set from outside (a reset, a zoom) replaces what is shown unless it is what was typed.
  useEffect(() => {
    setDraft((d) => {
      const typed = parseDateTime(d);
      const same =
        'ms' in typed && typed.ms !== undefined && Math.floor(typed.ms / 1000) === Math.floor((fromLocalInput(value) ?? Number.NaN) / 1000);
      return same || (value === '' && d.trim() === '') ? d : shown(value);
    });
    setProblem(null);
  }, [value]);
  return (
    <>
      <input
        id={id}
        type="text"
        className="datetime-field"
        spellCheck={false}
        autoComplete="off"
        placeholder={dateTimePattern()}
        aria-label={label}
        aria-invalid={problem !== null}
        title={problem ?? dateTimePattern()}
        value={draft}
        size={19}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const r = parseDateTime(text);
          if ('error' in r) {
            setProblem(r.error);
            return;
          }
          setProblem(null);
          // Whole minutes stay in the minute form a datetime-local input would give.
          onChange(r.ms === undefined ? '' : toLocalInput(r.ms, r.ms % 60_000 === 0 ? 'minute' : 'second'));
        }}
      />
      {problem ? (
        <span className="field-problem" role="alert">
          {problem}
        </span>
      ) : null}
    </>
  );
}
