// A machine's faceplate, opened from its symbol: its state and mode, its key values (live, no React
// render per value), its typed commands and setpoints through the machine screen's TagWriter (the
// same confirmation, permission and read-back), its alarms (acknowledged from here when the role
// may), a small trend of its main values, and the way to its machine screen. What it lists comes
// from the display template for the machine's template or kind (displays.get's faceplates); where
// that names nothing, from the machine itself (its key tags, its writable tags).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FaceplateInfo } from '../../../../native/api/display-requests';
import type { MachineInfo, TagInfo } from '../../../../native/api/types';
import { useAlarms } from '../../platform/alarms';
import { api, errorText } from '../../platform/client';
import { navigate } from '../../platform/navigation';
import { useCan } from '../../platform/permissions';
import { useApp } from '../../platform/store';
import { LiveValue } from '../../ui/LiveValue';
import { MachineStateBadge, useMachineState } from '../../ui/MachineState';
import { PriorityBadge } from '../../ui/Priority';
import { TagWriter } from '../../ui/TagWriter';
import { TrendChart } from '../../ui/trend/TrendChart';

const STATE_WORDS: Record<string, string> = {
  unack_active: 'active, unacknowledged',
  ack_active: 'active, acknowledged',
  unack_rtn: 'cleared, unacknowledged',
  shelved: 'shelved',
  suppressed: 'suppressed',
  out_of_service: 'out of service',
};

/** The faceplate's tags, from its template, else from the machine (key tags; writable tags with states as commands, other writable tags as setpoints). */
export function faceplateTags(
  machine: MachineInfo,
  tags: readonly TagInfo[],
  tagByName: Map<string, TagInfo>,
  info: FaceplateInfo | undefined,
  command: string | undefined,
): { keyTags: TagInfo[]; mode: TagInfo | undefined; commands: TagInfo[]; setpoints: TagInfo[]; trend: TagInfo[] } {
  const pick = (names: readonly string[]) => names.map((n) => tagByName.get(n)).filter((t): t is TagInfo => t !== undefined);
  const own = tags.filter((t) => `${t.site}/${t.area}/${t.machine}` === machine.name);
  const keyTags = pick(info?.keyTags.length ? info.keyTags : machine.keyTags);
  const commands = info?.commands.length ? pick(info.commands) : own.filter((t) => t.writable && t.states);
  const setpoints = info?.setpoints.length
    ? pick(info.setpoints)
    : own.filter((t) => t.writable && !t.states && t.dataType !== 'string' && (command === undefined || t.name !== command));
  if (command && !setpoints.some((t) => t.name === command)) {
    const t = tagByName.get(command);
    if (t?.writable) setpoints.unshift(t);
  }
  const trend = info?.trend.length ? pick(info.trend) : keyTags.filter((t) => t.dataType !== 'bool' && t.rangeLo !== null).slice(0, 2);
  return { keyTags, mode: info?.mode ? tagByName.get(info.mode) : undefined, commands, setpoints, trend };
}

export function Faceplate({
  machine,
  info,
  command,
  onClose,
}: {
  machine: MachineInfo;
  info: FaceplateInfo | undefined;
  /** The symbol's command tag (a setpoint written from here). */
  command?: string;
  onClose: () => void;
}) {
  const tags = useApp((s) => s.tags);
  const tagByName = useApp((s) => s.tagByName);
  const heading = useRef<HTMLHeadingElement>(null);
  const title = machine.name.split('/').pop() ?? machine.name;
  const parts = useMemo(() => faceplateTags(machine, tags, tagByName, info, command), [machine, tags, tagByName, info, command]);
  const state = useMachineState(machine, tagByName);

  // Focus moves into the faceplate when it opens (keyboard operators continue from here).
  useEffect(() => heading.current?.focus(), []);

  return (
    <aside
      className="faceplate"
      aria-label={`Faceplate ${title}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <header>
        <h3 ref={heading} tabIndex={-1}>
          {title}
        </h3>
        <button type="button" onClick={onClose} aria-label={`Close faceplate ${title}`}>
          ×
        </button>
      </header>
      <p className="muted small">{machine.description}</p>
      <dl className="faceplate-state">
        <div>
          <dt>State</dt>
          <dd>
            <MachineStateBadge state={state} />
          </dd>
        </div>
        <div>
          <dt>Mode</dt>
          <dd>{parts.mode ? <LiveValue tag={parts.mode} /> : <span className="muted">not reported by this machine</span>}</dd>
        </div>
      </dl>
      <section aria-label={`Key values of ${title}`}>
        <dl className="faceplate-values">
          {parts.keyTags.map((tag) => (
            <div key={tag.name}>
              <dt>{tag.description || tag.name.split('/').pop()}</dt>
              <dd>
                <LiveValue tag={tag} />
              </dd>
            </div>
          ))}
        </dl>
      </section>
      {parts.commands.length > 0 || parts.setpoints.length > 0 ? (
        <section aria-label={`Commands and setpoints of ${title}`} className="faceplate-writes">
          {parts.commands.map((tag) => (
            <div key={tag.name} className="faceplate-write">
              <span>{tag.description || tag.name.split('/').pop()}</span>
              <TagWriter tag={tag} />
            </div>
          ))}
          {parts.setpoints.map((tag) => (
            <div key={tag.name} className="faceplate-write">
              <span>
                {tag.description || tag.name.split('/').pop()}: <LiveValue tag={tag} />
              </span>
              <TagWriter tag={tag} />
            </div>
          ))}
        </section>
      ) : null}
      <FaceplateAlarms machine={machine.name} title={title} />
      {parts.trend.length > 0 ? <TrendChart pens={parts.trend} windowS={300} height={150} label={`Trend of ${title}`} /> : null}
      <button type="button" className="link" onClick={() => navigate('machine', machine.name)}>
        Open the machine screen of {title}
      </button>
    </aside>
  );
}

function FaceplateAlarms({ machine, title }: { machine: string; title: string }) {
  const rows = useAlarms((s) => s.rows);
  const own = useMemo(() => rows.filter((a) => a.machine === machine), [rows, machine]);
  const mayAck = useCan('alarms.ack');
  const [message, setMessage] = useState<string | null>(null);
  const ack = async (id: string, what: string) => {
    try {
      const out = await api.call('alarms.ack', { ids: [id], comment: '' });
      setMessage(out.acknowledged.length > 0 ? `Acknowledged: ${what}` : `Already acknowledged: ${what}`);
    } catch (err) {
      setMessage(`Acknowledging ${what} failed: ${errorText(err)}`);
    }
  };
  return (
    <section className="faceplate-alarms" aria-label={`Alarms of ${title}`}>
      <h4>Alarms</h4>
      {own.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {own.slice(0, 8).map((a) => (
            <li key={a.id} data-state={a.state}>
              <PriorityBadge priority={a.priority} /> {a.message} <span className="muted">({STATE_WORDS[a.state] ?? a.state})</span>
              {mayAck && (a.state === 'unack_active' || a.state === 'unack_rtn') ? (
                <button type="button" onClick={() => ack(a.id, a.message)} aria-label={`Acknowledge ${a.message}`}>
                  Ack
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {message ? <p role="status">{message}</p> : null}
    </section>
  );
}
