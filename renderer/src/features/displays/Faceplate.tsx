// A machine's faceplate, opened from its symbol: its state, key values (live, no React render per
// value), the setpoint write of the symbol's command tag (the machine screen's TagWriter: the same
// confirmation, permission and read-back), and the way to its machine screen.
import type { DisplayElementInfo } from '../../../../native/api/display-requests';
import { navigate } from '../../platform/navigation';
import { useApp } from '../../platform/store';
import { LiveValue } from '../../ui/LiveValue';
import { MachineStateBadge, useMachineState } from '../../ui/MachineState';
import { TagWriter } from '../../ui/TagWriter';

export function Faceplate({ el, onClose }: { el: DisplayElementInfo; onClose: () => void }) {
  const machines = useApp((s) => s.machines);
  const tagByName = useApp((s) => s.tagByName);
  const machineName = typeof el.props.machine === 'string' ? el.props.machine : undefined;
  const machine = machines.find((m) => m.name === machineName);
  const command = el.bind.command ? tagByName.get(el.bind.command) : undefined;
  const title = el.label ?? el.id;
  return (
    <aside className="faceplate" aria-label={`Faceplate ${title}`}>
      <header>
        <h3>{title}</h3>
        <button type="button" onClick={onClose} aria-label={`Close faceplate ${title}`}>
          ×
        </button>
      </header>
      {machine ? <FaceplateState machine={machine} tagByName={tagByName} /> : null}
      <dl>
        {(machine?.keyTags ?? [el.bind.value, el.bind.state].filter((p): p is string => !!p)).map((name) => {
          const tag = tagByName.get(name);
          return tag ? (
            <div key={name}>
              <dt>{tag.description || name.split('/').pop()}</dt>
              <dd>
                <LiveValue tag={tag} />
              </dd>
            </div>
          ) : null;
        })}
      </dl>
      {command ? <TagWriter tag={command} /> : null}
      {machine ? (
        <button type="button" className="link" onClick={() => navigate('machine', machine.name)}>
          Open the machine screen of {machine.name.split('/').pop()}
        </button>
      ) : null}
    </aside>
  );
}

function FaceplateState({
  machine,
  tagByName,
}: {
  machine: Parameters<typeof useMachineState>[0];
  tagByName: Parameters<typeof useMachineState>[1];
}) {
  const state = useMachineState(machine, tagByName);
  return (
    <p className="faceplate-state">
      State: <MachineStateBadge state={state} />
    </p>
  );
}
