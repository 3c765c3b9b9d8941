// Trends: live (scrolling) or history (a fixed range to zoom and pan), pens from a searchable tag
// browser, named views saved in the browser, and PNG/CSV export of what is shown.
import { useCallback, useMemo, useState } from 'react';
import type { TagInfo } from '../../../../native/api/types';
import { formatDateTime } from '../../lib/datetime';
import { download } from '../../lib/download';
import { toLocalInput } from '../../lib/period';
import { openWindow } from '../../platform/navigation';
import { useApp } from '../../platform/store';
import { DateTimeField } from '../../ui/DateTimeField';
import { Options } from '../../ui/Options';
import { chartPng, stamp, toCsv } from '../../ui/trend/export';
import { TrendIcon } from '../../ui/trend/icons';
import { TrendChart, type TrendHandle } from '../../ui/trend/TrendChart';
import { HistoryExport } from './HistoryExport';
import { HISTORY_PRESETS_S, LIVE_WINDOWS_S, trendActions, useTrend } from './store';
import { TagBrowser } from './TagBrowser';

const DEFAULT_PENS = ['PumpStation/Pump101/Flow', 'PumpStation/Pump101/VibrationRMS', 'PumpStation/Pump101/BearingTemp'];

const spanLabel = (s: number) => (s < 3600 ? `${s / 60} min` : s < 86400 ? `${s / 3600} h` : `${s / 86400} d`);

function RangePicker() {
  const range = useTrend((s) => s.range);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  if (!range) return null;
  const apply = () => {
    const f = Date.parse(from || toLocalInput(range.from, 'second'));
    const t = Date.parse(to || toLocalInput(range.to, 'second'));
    if (Number.isFinite(f) && Number.isFinite(t) && t > f) trendActions.showHistory({ from: f, to: Math.min(t, Date.now()) });
  };
  return (
    <fieldset className="range-picker">
      <legend>History range</legend>
      <label>
        Last{' '}
        <select
          value=""
          onChange={(e) => {
            const s = Number(e.target.value);
            if (s > 0) trendActions.showHistory({ from: Date.now() - s * 1000, to: Date.now() });
          }}
        >
          <Options values={HISTORY_PRESETS_S} label={spanLabel} none="choose…" />
        </select>
      </label>
      <label>
        From <DateTimeField value={from || toLocalInput(range.from, 'second')} onChange={setFrom} />
      </label>
      <label>
        To <DateTimeField value={to || toLocalInput(range.to, 'second')} onChange={setTo} />
      </label>
      <button
        type="button"
        onClick={() => {
          apply();
          setFrom('');
          setTo('');
        }}
      >
        Apply
      </button>
      <button
        type="button"
        className="icon-button"
        onClick={() => trendActions.pan(-0.5)}
        aria-label="Pan back in time"
        title="Pan back (←)"
      >
        <TrendIcon name="panBack" />
      </button>
      <button
        type="button"
        className="icon-button"
        onClick={() => trendActions.pan(0.5)}
        aria-label="Pan forward in time"
        title="Pan forward (→)"
      >
        <TrendIcon name="panForward" />
      </button>
      <button type="button" className="icon-button" onClick={() => trendActions.zoom(0.5)} aria-label="Zoom in" title="Zoom in (+)">
        <TrendIcon name="zoomIn" />
      </button>
      <button type="button" className="icon-button" onClick={() => trendActions.zoom(2)} aria-label="Zoom out" title="Zoom out (−)">
        <TrendIcon name="zoomOut" />
      </button>
    </fieldset>
  );
}

function SavedViews({ pens }: { pens: TagInfo[] }) {
  const views = useTrend((s) => s.views);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState('');
  const names = Object.keys(views).sort();
  return (
    <fieldset className="views">
      <legend>Views</legend>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) {
            trendActions.saveView(
              name.trim(),
              pens.map((p) => p.name),
            );
            setChosen(name.trim());
            setName('');
          }
        }}
      >
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Pump 101 bearings" />
        </label>
        <button type="submit" disabled={!name.trim()}>
          Save view
        </button>
      </form>
      <label>
        Saved{' '}
        <select value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <Options values={names} none="—" />
        </select>
      </label>
      <button type="button" disabled={!chosen} onClick={() => trendActions.loadView(chosen)}>
        Load
      </button>
      <button
        type="button"
        disabled={!chosen}
        onClick={() => {
          trendActions.deleteView(chosen);
          setChosen('');
        }}
      >
        Delete
      </button>
    </fieldset>
  );
}

export function Trends() {
  const tags = useApp((s) => s.tags);
  const selected = useTrend((s) => s.pens);
  const windowS = useTrend((s) => s.windowS);
  const range = useTrend((s) => s.range);
  const [handle, setHandle] = useState<TrendHandle | null>(null);
  const onHandle = useCallback((h: TrendHandle | null) => setHandle(h), []);
  const analog = useMemo(() => tags.filter((t) => t.dataType !== 'string'), [tags]);
  const pens: TagInfo[] = useMemo(() => {
    const names = selected ?? analog.filter((t) => DEFAULT_PENS.some((d) => t.name.endsWith(d))).map((t) => t.name);
    return names.map((n) => analog.find((t) => t.name === n)).filter((t): t is TagInfo => t !== undefined);
  }, [selected, analog]);
  const penNames = pens.map((p) => p.name);

  const exportPng = async () => {
    const canvas = handle?.canvas();
    if (!canvas) return;
    const when = range ? `${formatDateTime(range.from)} – ${formatDateTime(range.to)}` : `live, last ${spanLabel(windowS)}`;
    download(`trend-${stamp()}.png`, await chartPng(canvas, [`Aurum Console trend (${when})`, penNames.join(', ')]));
  };
  const exportCsv = () => {
    if (handle) download(`trend-${stamp()}.csv`, new Blob([toCsv(handle.rows())], { type: 'text/csv' }));
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => (range ? trendActions.pan(-0.25) : trendActions.showHistory()),
      ArrowRight: () => trendActions.pan(0.25),
      '+': () => (range ? trendActions.zoom(0.5) : trendActions.showHistory()),
      '-': () => trendActions.zoom(2),
      l: () => trendActions.backToLive(),
    };
    const act = keys[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  };

  return (
    // Keys bubble up from whichever trend control has focus (inputs and lists keep their own).
    <section className="trends" aria-label="Trends (arrow keys pan, plus and minus zoom, L back to live)" onKeyDown={onKeyDown}>
      <div className="toolbar" role="toolbar" aria-label="Trend mode">
        <fieldset className="segmented">
          <legend className="visually-hidden">Mode</legend>
          <button type="button" aria-pressed={!range} onClick={() => trendActions.backToLive()}>
            ● Live
          </button>
          <button type="button" aria-pressed={!!range} onClick={() => trendActions.showHistory()}>
            ◷ History
          </button>
        </fieldset>
        {range ? null : (
          <label>
            Window{' '}
            <select value={windowS} onChange={(e) => trendActions.setWindow(Number(e.target.value))}>
              {LIVE_WINDOWS_S.map((w) => (
                <option key={w} value={w}>
                  {spanLabel(w)}
                </option>
              ))}
            </select>
          </label>
        )}
        <button
          type="button"
          onClick={() => openWindow({ screen: 'trends', pens: penNames, windowS })}
          title="Open this trend in a new window"
        >
          ↗ New window
        </button>
        <button type="button" onClick={exportPng} disabled={!handle}>
          Export PNG
        </button>
        <button type="button" onClick={exportCsv} disabled={!handle}>
          Export CSV
        </button>
        <HistoryExport pens={penNames} range={range} windowS={windowS} />
        <span className="muted small">Drag across the chart to zoom · ← → pan · + − zoom · L live</span>
      </div>
      <RangePicker />
      <section className="trend-area" aria-label="Trend chart">
        {pens.length > 0 ? (
          <TrendChart
            pens={pens}
            windowS={windowS}
            range={range}
            height={440}
            label={`Trend of ${pens.length} pens`}
            onSelectRange={(r) => trendActions.showHistory(r)}
            onHandle={onHandle}
          />
        ) : (
          <p className="muted">Add a pen from the tag browser to start a trend.</p>
        )}
      </section>
      <div className="trend-side">
        <fieldset className="pens">
          <legend>Pens ({pens.length})</legend>
          {pens.map((p) => (
            <button
              key={p.id}
              type="button"
              className="chip"
              onClick={() => trendActions.setPens(penNames.filter((x) => x !== p.name))}
              aria-label={`Remove pen ${p.name}`}
            >
              {p.name.split('/').slice(-2).join('/')} ✕
            </button>
          ))}
        </fieldset>
        <TagBrowser tags={analog} exclude={penNames} onAdd={(name) => trendActions.addPen(name, penNames)} />
        <SavedViews pens={pens} />
      </div>
    </section>
  );
}
