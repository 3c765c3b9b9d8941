// Machine detail: a trend of the key signals, health from the machine's model, its alarms, and
// every tag with its live value, range and last minutes; writes in each tag's own terms
// (components/TagWriter.tsx) that the operator confirms before they are sent.
import { useMemo } from 'react';
import { formatNumber } from '../../lib/format';
import { useAlarms } from '../../platform/alarms';
import { openWindow, useNavigation } from '../../platform/navigation';
import { usePrediction } from '../../platform/predictions';
import { useApp } from '../../platform/store';
import { DataTable } from '../../ui/DataTable';
import { LiveValue } from '../../ui/LiveValue';
import { MachineStateBadge, useMachineState } from '../../ui/MachineState';
import { PriorityBadge } from '../../ui/Priority';
import { RangeBar } from '../../ui/RangeBar';
import { Sparkline } from '../../ui/Sparkline';
import { TagWriter } from '../../ui/TagWriter';
import { TrendChart } from '../../ui/trend/TrendChart';
import { ModelLearning } from './Learning';
import { MachineEvents } from './MachineEvents';

function HealthPanel({ machine }: { machine: string }) {
  const state = usePrediction(machine);
  const p = state?.prediction ?? null;
  const degraded = p !== null && p.health < 50;
  return (
    <section className="panel machine-health" aria-label="Machine health">
      <h3>Health</h3>
      {p ? (
        <>
          <p className="health-figure" data-degraded={degraded}>
            <span className="num health-value">{formatNumber(p.health, 0)}</span> / 100 {degraded ? <strong>⚠ degraded</strong> : null}
          </p>
          <div className="range-bar" aria-hidden="true">
            <div className="range-normal" style={{ left: '50%', width: '50%' }} />
            <div
              className="range-pointer"
              data-state={degraded ? 'low' : 'normal'}
              style={{ left: `${Math.max(0, Math.min(100, p.health))}%` }}
            />
          </div>
          <dl className="facts">
            {p.anomalyScore !== null ? (
              <>
                <dt>Anomaly score</dt>
                <dd className="num">
                  {formatNumber(p.anomalyScore, 2)}
                  {p.threshold !== null ? ` (limit ${formatNumber(p.threshold, 2)})` : ''}
                </dd>
              </>
            ) : null}
            {p.rul !== undefined ? (
              <>
                <dt>Remaining life</dt>
                <dd className="num">
                  {formatNumber(p.rul, 0)}
                  {p.rulLow !== undefined && p.rulHigh !== undefined ? ` (${formatNumber(p.rulLow, 0)}–${formatNumber(p.rulHigh, 0)})` : ''}
                </dd>
              </>
            ) : null}
            {p.contributors.length > 0 ? (
              <>
                <dt>Main contributors</dt>
                <dd>
                  {p.contributors
                    .slice(0, 3)
                    .map((c) => `${c.tag} ${Math.round(c.share * 100)} %`)
                    .join(', ')}
                </dd>
              </>
            ) : null}
            <dt>Model</dt>
            <dd>{p.model}</dd>
          </dl>
        </>
      ) : (
        <p className="muted">
          {state?.model ? `No prediction yet: ${state.reason ?? 'waiting for data'}` : 'No model bound to this machine.'}
        </p>
      )}
    </section>
  );
}

function MachineAlarms({ machine }: { machine: string }) {
  const rows = useAlarms((s) => s.rows);
  const own = useMemo(() => rows.filter((a) => a.machine === machine), [rows, machine]);
  return (
    <section className="panel machine-alarms-panel" aria-label="Alarms of this machine">
      <h3>Alarms</h3>
      {own.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {own.slice(0, 8).map((a) => (
            <li key={a.id}>
              <PriorityBadge priority={a.priority} /> {a.message} <span className="muted">({a.state.replaceAll('_', ' ')})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Machine() {
  const name = useNavigation((s) => s.selectedMachine);
  const machines = useApp((s) => s.machines);
  const tags = useApp((s) => s.tags);
  const tagByName = useApp((s) => s.tagByName);
  const machine = machines.find((m) => m.name === name) ?? machines[0];
  const own = useMemo(() => (machine ? tags.filter((t) => `${t.site}/${t.area}/${t.machine}` === machine.name) : []), [machine, tags]);
  const trendPens = useMemo(() => own.filter((t) => t.dataType !== 'bool' && t.rangeLo !== null).slice(0, 4), [own]);
  const state = useMachineState(
    machine ?? { name: '', site: '', area: '', kind: 'generic', description: '', roles: {}, keyTags: [] },
    tagByName,
  );
  if (!machine) return <p className="muted">No machines configured.</p>;
  return (
    <div className="machine-detail">
      <header className="machine-header">
        <h2>{machine.name}</h2>
        <MachineStateBadge state={state} />
        <span className="muted">{machine.description}</span>
        <button
          type="button"
          onClick={() => openWindow({ screen: 'machine', machine: machine.name })}
          title="Open this machine in a new window"
        >
          ↗ New window
        </button>
      </header>
      <div className="machine-top">
        <TrendChart pens={trendPens} windowS={300} height={260} label={`Trend of ${machine.name}`} />
        <div className="machine-side">
          <HealthPanel machine={machine.name} />
          <MachineAlarms machine={machine.name} />
        </div>
      </div>
      <DataTable
        label={`Tags of ${machine.name}`}
        columns={['Tag', 'Value', 'Range', 'Last 5 min', 'Description', 'Setpoint']}
        rows={own}
        rowKey={(t) => t.id}
        cells={(t) => (
          <>
            <th scope="row">{t.name.split('/').pop()}</th>
            <td>
              <LiveValue tag={t} />
            </td>
            <td className="bar-cell">{t.rangeLo !== null ? <RangeBar tag={t} /> : null}</td>
            <td className="spark-cell">{t.dataType !== 'string' ? <Sparkline tag={t} /> : null}</td>
            <td className="muted">{t.description}</td>
            <td>{t.writable ? <TagWriter tag={t} /> : null}</td>
          </>
        )}
      />
      <MachineEvents machine={machine.name} />
      <ModelLearning machine={machine.name} />
    </div>
  );
}
