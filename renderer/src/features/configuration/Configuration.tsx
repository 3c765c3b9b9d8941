// Configuration (engineers): the site file in force as text, checked with the core's one validator
// (each issue as line:col field: message, a click moves the caret there), the structural diff
// against the version in force shown before Apply, Apply with a required comment, and the answer
// (the new version, what each capability did). An apply made on a version that is no longer in
// force is refused by the core; the screen says who applied what and keeps the text aside on Reload.
// History: the numbered versions, the diff between any two, and Roll back (itself a new version).
// Who may do what is the core's permission table (useCan): roles without `config.current` read the
// history only; Apply and Roll back are offered only where `config.apply` / `config.rollback` are.
import { type RefObject, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type {
  ConfigApplyResult,
  ConfigDiff,
  ConfigIssueInfo,
  ConfigResults,
  ConfigVersionInfo,
} from '../../../../native/api/config-requests';
import { formatDateTime } from '../../lib/datetime';
import { formatNumber, NO_VALUE } from '../../lib/format';
import { ApiCallError, api, errorText } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { DataTable } from '../../ui/DataTable';
import './configuration.css';
import { SiteForms } from './SiteForms';
import { foldRename, parsed, renamesFor, type TagRenames } from './site-edit';
import { authorOf, conflictSentence, lineCount, offsetOf } from './text';

const when = (ms: number) => formatDateTime(ms);
const count = (n: number, one: string, many = `${one}s`) => `${formatNumber(n, 0)} ${n === 1 ? one : many}`;

/** The structural diff, one sentence per entry (the core words them). */
function DiffView({ diff, label, empty }: { diff: ConfigDiff; label: string; empty: string }) {
  if (diff.entries.length === 0) return <p className="config-diff-empty">{empty}</p>;
  return (
    <ul className="config-diff" aria-label={label}>
      {diff.entries.map((e, i) => (
        <li key={`${e.kind}:${e.name}:${e.change}`} data-kind={e.kind} data-change={e.change}>
          {diff.summary[i] ?? `${e.kind} ${e.name} ${e.change}`}
        </li>
      ))}
    </ul>
  );
}

/** What an apply or rollback did: the version it made and each capability's answer. */
function AppliedView({ result }: { result: ConfigApplyResult }) {
  const v = result.version;
  const restart = result.applied.filter((a) => a.result === 'restart-needed').length;
  return (
    <section className="config-applied" aria-label={`Version ${v.version} applied`}>
      <p role="status">
        Version {v.version} is in force ({v.kind === 'rollback' ? 'a rollback' : 'applied'} by {authorOf(v)} at {when(v.at)}
        ): {count(result.diff.entries.length, 'change')}
        {restart > 0 ? `; ${count(restart, 'capability', 'capabilities')} need a restart to take all of it` : ''}.
      </p>
      <ul className="config-capabilities">
        {result.applied.map((a) => (
          <li key={a.capability} data-result={a.result}>
            <strong>{a.capability}</strong>: {a.result === 'restart-needed' ? 'restart needed' : a.result} — {a.detail}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A textarea with a line-number gutter that scrolls with it. */
function TextEditor({
  text,
  onChange,
  editorRef,
  id,
}: {
  text: string;
  onChange: (t: string) => void;
  editorRef: RefObject<HTMLTextAreaElement | null>;
  id: string;
}) {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = lineCount(text);
  const numbers = useMemo(() => Array.from({ length: lines }, (_, i) => i + 1).join('\n'), [lines]);
  return (
    <div className="config-editor">
      <div className="config-gutter" ref={gutter} aria-hidden="true">
        {numbers}
      </div>
      <textarea
        id={id}
        ref={editorRef}
        value={text}
        spellCheck={false}
        wrap="off"
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
      />
    </div>
  );
}

type Current = ConfigResults['config.current'];
type Checked = ConfigResults['config.validate'] & { text: string };
type Outcome =
  | { kind: 'applied'; result: ConfigApplyResult }
  | { kind: 'conflict'; sentence: string; changed: ConfigResults['config.diff'] | null }
  | { kind: 'error'; text: string };

function Editor({ inForce, onApplied }: { inForce: number | null; onApplied: () => void }) {
  const id = useId();
  const canApply = useCan('config.apply');
  const editor = useRef<HTMLTextAreaElement>(null);
  const [base, setBase] = useState<Current | null>(null);
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<Checked | null>(null);
  const [comment, setComment] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [aside, setAside] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  // Forms (the one schema-driven form mechanism) or the text itself: both edit the same text.
  const [view, setView] = useState<'forms' | 'text'>('forms');
  // Tags renamed in the forms since the version in force (old path -> new path), sent as config.apply's renames.
  const [renamed, setRenamed] = useState<TagRenames>({});

  const load = useCallback(async () => {
    try {
      const cur = await api.call('config.current', {});
      setBase(cur);
      setText(cur.text);
      setRenamed({});
      setChecked(null);
      setLoadError(null);
    } catch (err) {
      setLoadError(`The site file could not be loaded: ${errorText(err)}`);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  // A version made elsewhere on this screen (a rollback) is loaded when nothing is being edited.
  const edited = base !== null && text !== base.text;
  const seen = useRef(inForce);
  useEffect(() => {
    if (inForce === seen.current) return;
    seen.current = inForce;
    if (!edited) void load();
  }, [inForce, edited, load]);

  // The renames that still hold for this text (a name changed back in the Text view is none).
  const renames = (): TagRenames => {
    const before = base ? parsed(base.text) : null;
    const now = parsed(text);
    return before && 'value' in before && 'value' in now ? renamesFor(renamed, before.value, now.value) : {};
  };

  const check = async () => {
    setBusy(true);
    try {
      const r = await api.call('config.validate', { text, renames: renames() });
      setChecked({ ...r, text });
      setOutcome(null);
    } catch (err) {
      setOutcome({ kind: 'error', text: `Not checked: ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  };

  // In the forms, each edit is checked once typing pauses, so the field's message appears beside it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: check reads the text it was made for
  useEffect(() => {
    if (view !== 'forms' || base === null || text === base.text || (checked !== null && checked.text === text)) return;
    const timer = setTimeout(() => void check(), 700);
    return () => clearTimeout(timer);
  }, [view, text, base, checked]);

  const goTo = (issue: ConfigIssueInfo) => {
    if (view !== 'text') {
      setView('text');
      requestAnimationFrame(() => goTo(issue));
      return;
    }
    const el = editor.current;
    if (!el) return;
    const at = offsetOf(el.value, issue.line, issue.column);
    el.focus();
    el.setSelectionRange(at, at);
    const lineHeight = Number.parseFloat(getComputedStyle(el).lineHeight) || 18;
    el.scrollTop = Math.max(0, (issue.line - 3) * lineHeight);
  };

  const apply = async () => {
    if (!base) return;
    setBusy(true);
    try {
      const result = await api.call('config.apply', {
        text,
        baseVersion: base.version.version,
        comment: comment.trim(),
        renames: renames(),
      });
      setOutcome({ kind: 'applied', result });
      setBase({ version: result.version, text });
      setRenamed({});
      setChecked(null);
      setComment('');
      onApplied();
    } catch (err) {
      if (err instanceof ApiCallError && err.error.type === 'conflict') {
        // The core's own wording names the version in force; the screen words it with the
        // console's date format and lists what that version changed, when both can be read.
        let sentence = `Not applied: ${errorText(err)}`;
        let changed: ConfigResults['config.diff'] | null = null;
        try {
          const cur = await api.call('config.current', {});
          sentence = conflictSentence(base.version.version, cur.version, when);
          changed = await api.call('config.diff', { from: base.version.version, to: cur.version.version });
        } catch {
          // What was read so far stands.
        }
        setOutcome({ kind: 'conflict', sentence, changed });
        onApplied();
      } else setOutcome({ kind: 'error', text: `Not applied: ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const reload = async () => {
    setAside(text);
    setOutcome(null);
    await load();
  };

  if (!base) return <p role="status">{loadError ?? 'Loading the site file…'}</p>;
  const fresh = checked !== null && checked.text === text;
  const changes = fresh && checked.diff ? checked.diff.entries.length : 0;
  const applyBlocked = !fresh
    ? 'Check the text first.'
    : !checked.valid
      ? 'Fix the issues the check found first.'
      : changes === 0 && text === base.text
        ? 'Nothing to apply: the text is the version in force.'
        : comment.trim() === ''
          ? 'Say in a comment what the change is for.'
          : null;

  return (
    <section className="config-edit" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        Site file <span className="config-version">version {base.version.version}</span>
        {edited ? <span className="config-edited"> (edited)</span> : null}
      </h2>
      {loadError ? <p className="config-error">{loadError}</p> : null}
      <fieldset className="toolbar config-view" aria-label="View">
        <button type="button" aria-pressed={view === 'forms'} onClick={() => setView('forms')}>
          Forms
        </button>
        <button type="button" aria-pressed={view === 'text'} onClick={() => setView('text')}>
          Text
        </button>
      </fieldset>
      {view === 'forms' ? (
        <SiteForms
          text={text}
          issues={checked?.issues ?? null}
          onRename={(pairs) => setRenamed((r) => pairs.reduce((acc, [from, to]) => foldRename(acc, from, to), r))}
          onText={(t) => {
            setText(t);
            if (outcome?.kind === 'applied') setOutcome(null);
          }}
        />
      ) : (
        <>
          <label htmlFor={`${id}-text`} className="visually-hidden">
            Site file text
          </label>
          <TextEditor
            id={`${id}-text`}
            text={text}
            editorRef={editor}
            onChange={(t) => {
              setText(t);
              if (outcome?.kind === 'applied') setOutcome(null);
            }}
          />
        </>
      )}
      <div className="toolbar">
        <button type="button" onClick={check} disabled={busy}>
          Check
        </button>
        {edited ? (
          <button
            type="button"
            onClick={() => {
              setText(base.text);
              setRenamed({});
            }}
            disabled={busy}
          >
            Discard my edits
          </button>
        ) : null}
        {checked && !fresh ? <span className="config-stale">The text changed since the check.</span> : null}
      </div>

      {fresh ? (
        <section className="config-check" aria-label="Check result">
          {checked.issues.length > 0 ? (
            <>
              <p role="status" className="config-error">
                {count(checked.issues.length, 'issue')}: the text cannot be applied.
              </p>
              <ul className="config-issues" aria-label="Issues">
                {checked.issues.map((i) => (
                  <li key={`${i.line}:${i.column}:${i.field}:${i.message}`}>
                    <button type="button" className="link" onClick={() => goTo(i)}>
                      {i.text}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p role="status">
              Valid: {count(changes, 'change')} against version {checked.baseVersion}, the version in force.
            </p>
          )}
          {checked.baseVersion !== base.version.version ? (
            <p className="config-stale">
              You are editing version {base.version.version}; version {checked.baseVersion} came into force meanwhile, so Apply will be
              refused: reload first.
            </p>
          ) : null}
          {checked.diff ? <DiffView diff={checked.diff} label="Changes to apply" empty="No change against the version in force." /> : null}
        </section>
      ) : null}

      {canApply ? (
        <div className="toolbar config-apply">
          <label htmlFor={`${id}-comment`}>Comment</label>
          <input
            id={`${id}-comment`}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            maxLength={2000}
            size={50}
            placeholder="what the change is for (required)"
            autoComplete="off"
            aria-required="true"
          />
          <button type="button" onClick={apply} disabled={busy || applyBlocked !== null} title={applyBlocked ?? undefined}>
            Apply
          </button>
          {applyBlocked ? <span className="config-hint">{applyBlocked}</span> : null}
        </div>
      ) : null}

      {outcome?.kind === 'applied' ? <AppliedView result={outcome.result} /> : null}
      {outcome?.kind === 'error' ? (
        <p role="alert" className="config-error">
          {outcome.text}
        </p>
      ) : null}
      {outcome?.kind === 'conflict' ? (
        <div className="config-conflict" role="alert">
          <p className="config-conflict-sentence">{outcome.sentence}</p>
          {outcome.changed ? (
            <DiffView
              diff={outcome.changed.diff}
              label={`What changed from version ${outcome.changed.from} to version ${outcome.changed.to}`}
              empty="The two versions say the same."
            />
          ) : null}
          <button type="button" onClick={reload}>
            Reload
          </button>
        </div>
      ) : null}
      {aside !== null ? (
        <details className="config-aside" open>
          <summary>Your text, kept aside when you reloaded</summary>
          <textarea aria-label="Your text, kept aside" value={aside} readOnly spellCheck={false} wrap="off" />
          <div className="toolbar">
            <button type="button" onClick={() => setText(aside)}>
              Put my text back in the editor
            </button>
            <button type="button" onClick={() => setAside(null)}>
              Drop it
            </button>
          </div>
        </details>
      ) : null}
    </section>
  );
}

/** Rolling back asks first, with the comment the new version carries. */
function RollbackConfirm({ target, inForce, onDone }: { target: number; inForce: number; onDone: (comment: string | null) => void }) {
  const id = useId();
  const [comment, setComment] = useState(`Roll back to version ${target}`);
  return (
    <div className="confirm" role="alertdialog" aria-label={`Confirm roll back to version ${target}`}>
      <p>
        Put version {target} in force again? It is applied live as a new version (version {inForce + 1}) and written to the site file;
        version {inForce} stays in the history.
      </p>
      <label htmlFor={`${id}-c`}>Comment</label>{' '}
      <input id={`${id}-c`} value={comment} onChange={(e) => setComment(e.target.value)} size={40} maxLength={2000} autoComplete="off" />{' '}
      <button type="button" disabled={comment.trim() === ''} onClick={() => onDone(comment.trim())}>
        Roll back to version {target}
      </button>{' '}
      <button type="button" onClick={() => onDone(null)}>
        Cancel
      </button>
    </div>
  );
}

const HISTORY_COLUMNS = ['Version', 'Time', 'Author', 'Kind', 'Comment', ''];
const KIND_LABEL: Record<ConfigVersionInfo['kind'], string> = {
  initial: 'as loaded',
  apply: 'apply',
  rollback: 'rollback',
  outside: 'edited outside',
};

function History({ refresh, onRolledBack }: { refresh: number; onRolledBack: (v: number) => void }) {
  const id = useId();
  const canRollBack = useCan('config.rollback');
  const [versions, setVersions] = useState<ConfigVersionInfo[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [diff, setDiff] = useState<ConfigResults['config.diff'] | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [rolled, setRolled] = useState<ConfigApplyResult | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const r = await api.call('config.versions', { limit: 50 });
      setVersions(r.versions);
      setTotal(r.total);
      setError(null);
      const newest = r.versions[0]?.version ?? null;
      setTo((t) => (t === null ? newest : t));
      setFrom((f) => (f === null ? (r.versions[1]?.version ?? newest) : f));
    } catch (err) {
      setError(`The versions could not be listed: ${errorText(err)}`);
    }
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh is the signal to list again
  useEffect(() => {
    void load();
  }, [load, refresh]);

  const compare = async () => {
    if (from === null || to === null) return;
    try {
      setDiff(await api.call('config.diff', { from, to }));
      setError(null);
    } catch (err) {
      setError(`The versions could not be compared: ${errorText(err)}`);
    }
  };

  const inForce = versions?.[0]?.version ?? null;
  const rollback = async (target: number, comment: string | null) => {
    setConfirming(null);
    if (comment === null || inForce === null) return;
    setBusy(true);
    try {
      const r = await api.call('config.rollback', { version: target, baseVersion: inForce, comment });
      setRolled(r);
      setError(null);
      onRolledBack(r.version.version);
    } catch (err) {
      setError(`Not rolled back: ${errorText(err)}`);
      void load();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="config-history" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>History</h2>
      {error ? (
        <p role="alert" className="config-error">
          {error}
        </p>
      ) : null}
      {versions === null ? (
        <p role="status">Loading the versions…</p>
      ) : (
        <>
          <p className="config-hint">
            {count(total, 'version')}
            {total > versions.length ? `, the newest ${formatNumber(versions.length, 0)} shown` : ''}; version {inForce} is in force.
          </p>
          <DataTable
            label="Configuration versions"
            className="config-versions"
            columns={HISTORY_COLUMNS}
            rows={versions}
            rowKey={(v) => v.version}
            rowData={(v) => ({ 'data-version': String(v.version), 'data-kind': v.kind })}
            cells={(v) => (
              <>
                <td className="num">{v.version}</td>
                <td className="num">{when(v.at)}</td>
                <td>{v.author ?? NO_VALUE}</td>
                <td>{KIND_LABEL[v.kind]}</td>
                <td className="config-comment">{v.comment}</td>
                <td>
                  {canRollBack && v.version !== inForce ? (
                    <button
                      type="button"
                      aria-label={`Roll back to version ${v.version}`}
                      disabled={busy}
                      onClick={() => setConfirming(v.version)}
                    >
                      Roll back to this version
                    </button>
                  ) : v.version === inForce ? (
                    <span className="config-hint">in force</span>
                  ) : null}
                </td>
              </>
            )}
          />
          {confirming !== null && inForce !== null ? (
            <RollbackConfirm target={confirming} inForce={inForce} onDone={(c) => rollback(confirming, c)} />
          ) : null}
          {rolled ? <AppliedView result={rolled} /> : null}
          <div className="toolbar config-compare">
            <label htmlFor={`${id}-from`}>From version</label>
            <select id={`${id}-from`} value={from ?? ''} onChange={(e) => setFrom(Number(e.target.value))}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
            <label htmlFor={`${id}-to`}>to version</label>
            <select id={`${id}-to`} value={to ?? ''} onChange={(e) => setTo(Number(e.target.value))}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
            <button type="button" onClick={compare} disabled={from === null || to === null}>
              Show changes
            </button>
          </div>
          {diff ? (
            <DiffView
              diff={diff.diff}
              label={`Changes from version ${diff.from} to version ${diff.to}`}
              empty={`Versions ${diff.from} and ${diff.to} say the same.`}
            />
          ) : null}
        </>
      )}
    </section>
  );
}

export function Configuration() {
  const canEdit = useCan('config.current');
  const [refresh, setRefresh] = useState(0);
  const [inForce, setInForce] = useState<number | null>(null);
  return (
    <div className="configuration">
      {canEdit ? (
        <Editor inForce={inForce} onApplied={() => setRefresh((n) => n + 1)} />
      ) : (
        <p className="config-hint">
          Your role may read the configuration’s history and compare its versions; editing the site file is for engineers and
          administrators.
        </p>
      )}
      <History
        refresh={refresh}
        onRolledBack={(v) => {
          setInForce(v);
          setRefresh((n) => n + 1);
        }}
      />
    </div>
  );
}
