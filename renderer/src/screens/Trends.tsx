import { useMemo, useState } from 'react';
import type { TagInfo } from '../../../native/api/types';
import { TrendChart } from '../components/TrendChart';
import { useApp } from '../store/app';

const DEFAULT_PENS = ['PumpStation/Pump101/Flow', 'PumpStation/Pump101/VibrationRMS', 'PumpStation/Pump101/BearingTemp'];
const WINDOWS = [60, 300, 900, 3600];

export function Trends() {
  const tags = useApp((s) => s.tags);
  const [selected, setSelected] = useState<string[] | null>(null);
  const [windowS, setWindowS] = useState(300);
  const analog = useMemo(() => tags.filter((t) => t.dataType !== 'string'), [tags]);
  const pens: TagInfo[] = useMemo(() => {
    const names = selected ?? analog.filter((t) => DEFAULT_PENS.some((d) => t.name.endsWith(d))).map((t) => t.name);
    return names.map((n) => analog.find((t) => t.name === n)).filter((t): t is TagInfo => t !== undefined);
  }, [selected, analog]);

  return (
    <div className="trends">
      <div className="toolbar" role="toolbar" aria-label="Trend controls">
        <label>
          Window{' '}
          <select value={windowS} onChange={(e) => setWindowS(Number(e.target.value))}>
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                {w < 3600 ? `${w / 60} min` : `${w / 3600} h`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Add pen{' '}
          <select
            value=""
            onChange={(e) => {
              if (e.target.value) setSelected([...pens.map((p) => p.name), e.target.value].slice(-8));
            }}
          >
            <option value="">Choose a tag…</option>
            {analog
              .filter((t) => !pens.includes(t))
              .map((t) => (
                <option key={t.id} value={t.name}>
                  {t.name}
                </option>
              ))}
          </select>
        </label>
        {pens.map((p) => (
          <button
            key={p.id}
            type="button"
            className="chip"
            onClick={() => setSelected(pens.filter((x) => x !== p).map((x) => x.name))}
            aria-label={`Remove pen ${p.name}`}
          >
            {p.name.split('/').slice(-2).join('/')} ✕
          </button>
        ))}
      </div>
      {pens.length > 0 ? <TrendChart pens={pens} windowS={windowS} height={420} /> : <p className="muted">Add a pen to start a trend.</p>}
    </div>
  );
}
