// Where an edit of a template's tag goes: the template (every machine made from it) or this
// machine's override. One question, asked the same on every screen that edits such a tag
// (Configuration's template tags, the Tags screen's editor).
import type { ReactNode } from 'react';

/** "1 machine", "3 machines". */
export const machineCount = (machines: readonly string[]) => (machines.length === 1 ? '1 machine' : `${machines.length} machines`);

export function ScopeQuestion({
  question,
  machines,
  onChoose,
  onBack,
}: {
  /** The question itself, naming the tag, its template and the machine. */
  question: ReactNode;
  /** The machines a change of the template would reach, named on its button when known. */
  machines?: readonly string[];
  onChoose: (scope: 'template' | 'machine') => void;
  onBack: () => void;
}) {
  return (
    <div className="confirm" role="alertdialog" aria-label="Where the change goes">
      <p>{question}</p>
      <button type="button" onClick={() => onChoose('template')}>
        {machines ? `Change the template (${machineCount(machines)}: ${machines.join(', ')})` : 'Change the template'}
      </button>{' '}
      <button type="button" onClick={() => onChoose('machine')}>
        Override this machine only
      </button>{' '}
      <button type="button" onClick={onBack}>
        Back
      </button>
    </div>
  );
}
