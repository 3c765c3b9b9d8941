// Overview: every area and machine with its state, its key values against their normal ranges, its
// health from the machine's model and its communication status. Grey when normal; only abnormal
// things take colour. Areas flow side by side and their cards share the width (responsive grid).
import type { CSSProperties } from 'react';
import { Fragment, useMemo } from 'react';
import type { MachineInfo, TagInfo } from '../../../../native/api/types';
import { formatNumber } from '../../lib/format';
import { useAlarms } from '../../platform/alarms';
import { navigate } from '../../platform/navigation';
import { usePrediction } from '../../platform/predictions';
import { useApp } from '../../platform/store';
import { LiveValue } from '../../ui/LiveValue';
import { MachineStateBadge, useMachineState } from '../../ui/MachineState';
import { PriorityBadge } from '../../ui/Priority';
import { RangeBar } from '../../ui/RangeBar';

/** Health below this is degraded (the models' calibrated scale puts their alarm threshold at 50). */
const DEGRADED_HEALTH = 50;

/** The machine's health from its model's latest prediction; nothing for a machine without a model. */
function HealthRow({ machine }: { machine: string }) {
  const state = usePrediction(machine);
  if (!state?.model) return null;
  const p = state.prediction;
  const degraded = p !== null && p.health < DEGRADED_HEALTH;
  return (
    <>
      <tr className="health-row" data-degraded={degraded || undefined}>
        <th scope="row">Health</th>
        <td>
          <span className="live-value">
            <span className="num">{p ? formatNumber(p.health, 0) : '—'}</span>
            <span className="unit">/ 100</span>
            {degraded ? <strong className="health-flag">⚠ degraded</strong> : null}
          </span>
        </td>
        <td className="bar-cell">
          {p ? (
            <div className="range-bar" aria-hidden="true">
              <div className="range-normal" style={{ left: `${DEGRADED_HEALTH}%`, width: `${100 - DEGRADED_HEALTH}%` }} />
              <div
                className="range-pointer"
                data-state={degraded ? 'low' : 'normal'}
                style={{ left: `${Math.max(0, Math.min(100, p.health))}%` }}
              />
            </div>
          ) : null}
        </td>
      </tr>
      {p ? null : (
        <tr className="health-reason">
          <td colSpan={3} className="muted small">
            No health yet: {state.reason ?? 'waiting for data'}
          </td>
        </tr>
      )}
    </>
  );
}

/** A tag name that wraps between its words (DischargePressure → Discharge·Pressure), never inside one. */
function TagLabel({ name }: { name: string }) {
  const words = name.split(/(?<=[a-z0-9])(?=[A-Z])/);
  return (
    <>
      {words.map((w, i) => (
        // The words of one name, in order: the index is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {w}
        </Fragment>
      ))}
    </>
  );
}

function MachineCard({ machine, tags }: { machine: MachineInfo; tags: TagInfo[] }) {
  const tagByName = useApp((s) => s.tagByName);
  const connections = useApp((s) => s.connections);
  const state = useMachineState(machine, tagByName);
  const rows = useAlarms((s) => s.rows);
  const alarms = useMemo(
    () => rows.filter((a) => a.machine === machine.name && a.state !== 'shelved' && a.state !== 'out_of_service'),
    [rows, machine.name],
  );
  // The key tags the site file names (the first five with a range when it names none: the core's default).
  const keyTags = useMemo(
    () => (machine.keyTags ?? []).map((n) => tagByName.get(n)).filter((t): t is TagInfo => t !== undefined),
    [machine.keyTags, tagByName],
  );
  const shortName = machine.name.split('/').pop();
  const conn = tags[0] ? connections.find((c) => c.name === tags[0]?.connection) : undefined;
  return (
    <section className="machine-card" aria-label={`Machine ${shortName}`} data-state={state}>
      <header>
        <button type="button" className="link" onClick={() => navigate('machine', machine.name)}>
          {shortName}
        </button>
        <MachineStateBadge state={state} />
      </header>
      <p className="muted small">{machine.description}</p>
      {alarms.length > 0 ? (
        <p className="machine-alarms">
          <PriorityBadge priority={alarms[0]?.priority ?? 'Low'} /> {alarms.length} alarm{alarms.length > 1 ? 's' : ''}:{' '}
          {alarms[0]?.message}
        </p>
      ) : null}
      <table className="values">
        <tbody>
          {keyTags.map((t) => (
            <tr key={t.id}>
              <th scope="row" title={t.description || undefined}>
                <TagLabel name={t.name.split('/').pop() ?? t.name} />
              </th>
              <td>
                <LiveValue tag={t} />
              </td>
              <td className="bar-cell">{t.rangeLo !== null || t.rangeHi !== null ? <RangeBar tag={t} /> : null}</td>
            </tr>
          ))}
          <HealthRow machine={machine.name} />
        </tbody>
      </table>
      {conn && conn.state !== 'connected' ? (
        <p className="comm-fault" role="status">
          ⚠ {conn.name}: {conn.state}
        </p>
      ) : null}
    </section>
  );
}

export function Overview() {
  const machines = useApp((s) => s.machines);
  const tags = useApp((s) => s.tags);
  const areas = [...new Set(machines.map((m) => m.area))];
  return (
    <div className="overview">
      {areas.map((area) => {
        const own = machines.filter((m) => m.area === area);
        return (
          // --cards lets an area with more machines take more of a row (theme.css .overview).
          <section key={area} className="area" aria-label={`Area ${area}`} style={{ '--cards': own.length } as CSSProperties}>
            <h2>{area}</h2>
            <div className="machine-grid">
              {own.map((m) => (
                <MachineCard key={m.name} machine={m} tags={tags.filter((t) => `${t.site}/${t.area}/${t.machine}` === m.name)} />
              ))}
            </div>
          </section>
        );
      })}
    </div>
  );
}
