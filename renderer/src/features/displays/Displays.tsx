// The process displays screen: the site's displays (displays.list), one shown (displays.get) with
// its breadcrumbs up the parent chain (overview → area → unit), bound to live values; a machine's
// faceplate opens beside it. Each display has an address, `#/displays/<id>`, so a reload or a second
// window ("New window", a second monitor) opens on it. Keyboard: Tab and the arrow keys move between
// the symbols, Enter or Space acts, Escape closes the faceplate, Alt+↑ goes up one level.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DisplayElementInfo, DisplayResults } from '../../../../native/api/display-requests';
import { api, errorText } from '../../platform/client';
import { navigate } from '../../platform/navigation';
import { useCan } from '../../platform/permissions';
import { useApp } from '../../platform/store';
import { DisplayView } from './DisplayView';
import { editDisplay } from './editor/Editor';
import { Faceplate } from './Faceplate';
import './displays.css';

type Listed = DisplayResults['displays.list'];
type Opened = DisplayResults['displays.get'];

const PREFIX = '#/displays';

/** The display id of an address `#/displays/<id>`, or null. */
export function displayOfHash(hash: string): string | null {
  const m = /^#\/displays\/([a-z0-9][a-z0-9-]{0,63})(?:[?/].*)?$/.exec(hash);
  return m?.[1] ?? null;
}

const addressOf = (id: string) => `${PREFIX}/${id}`;

export function Displays() {
  const canEdit = useCan('displays.save');
  const tagByName = useApp((s) => s.tagByName);
  const machines = useApp((s) => s.machines);
  const [list, setList] = useState<Listed | null>(null);
  const [current, setCurrent] = useState<string | null>(() => displayOfHash(location.hash));
  const [doc, setDoc] = useState<Opened | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [faceplate, setFaceplate] = useState<{ machine: string; command?: string; from: string } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  /** Focus the new display's heading once it is shown (a display opened from the keyboard continues there). */
  const focusNext = useRef(false);

  useEffect(() => {
    api
      .call('displays.list', {})
      .then((l) => {
        setList(l);
        setCurrent((c) => c ?? l.displays.find((d) => !d.parent)?.id ?? l.displays[0]?.id ?? null);
      })
      .catch((err) => setError(`The displays could not be listed: ${errorText(err)}`));
  }, []);

  // The address follows the display shown; an address typed or changed elsewhere opens its display.
  useEffect(() => {
    if (current && location.hash !== addressOf(current))
      history.replaceState(null, '', `${location.pathname}${location.search}${addressOf(current)}`);
  }, [current]);
  useEffect(() => {
    const changed = () => {
      const id = displayOfHash(location.hash);
      if (id) setCurrent(id);
    };
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);

  useEffect(() => {
    if (!current) return;
    setFaceplate(null);
    let stale = false;
    api
      .call('displays.get', { id: current })
      .then((d) => {
        if (stale) return;
        setDoc(d);
        setError(null);
      })
      .catch((err) => {
        if (!stale) setError(`Display "${current}" could not be opened: ${errorText(err)}`);
      });
    return () => {
      stale = true;
    };
  }, [current]);

  useEffect(() => {
    if (doc && focusNext.current) {
      focusNext.current = false;
      heading.current?.focus();
    }
  }, [doc]);

  const open = useCallback((id: string) => {
    focusNext.current = true;
    setCurrent(id);
  }, []);

  const activate = useCallback(
    (el: DisplayElementInfo) => {
      if (el.kind === 'button' && typeof el.props.display === 'string') return open(el.props.display);
      const machine = typeof el.props.machine === 'string' ? el.props.machine : undefined;
      if (!machine) return;
      if (el.kind === 'button' || el.kind === 'link') return navigate('machine', machine);
      setFaceplate({ machine, command: el.bind.command, from: el.id });
    },
    [open],
  );

  const closeFaceplate = () => {
    const from = faceplate?.from;
    setFaceplate(null);
    // Back to the symbol it was opened from.
    if (from) requestAnimationFrame(() => document.querySelector<SVGGElement>(`g[data-id="${CSS.escape(from)}"]`)?.focus());
  };

  const crumbs: { id: string; title: string }[] = [];
  for (let id: string | undefined = current ?? undefined; id && crumbs.length < 20; ) {
    const d = list?.displays.find((x) => x.id === id);
    if (!d) break;
    crumbs.unshift(d);
    id = d.parent;
  }
  const parent = crumbs.length > 1 ? crumbs[crumbs.length - 2] : undefined;
  const machine = faceplate ? machines.find((m) => m.name === faceplate.machine) : undefined;

  return (
    <section
      className="displays"
      aria-label="Process displays"
      onKeyDown={(e) => {
        if (e.altKey && e.key === 'ArrowUp' && parent) {
          e.preventDefault();
          open(parent.id);
        }
      }}
    >
      <nav aria-label="Breadcrumbs" className="display-crumbs">
        <ol>
          {crumbs.map((c, i) => (
            <li key={c.id}>
              {i === crumbs.length - 1 ? (
                <span aria-current="page">{c.title}</span>
              ) : (
                <button type="button" className="link" onClick={() => open(c.id)}>
                  {c.title}
                </button>
              )}
            </li>
          ))}
        </ol>
        {list && list.displays.length > 1 ? (
          <label>
            Display{' '}
            <select value={current ?? ''} onChange={(e) => setCurrent(e.target.value)}>
              {list.displays.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.title}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {current ? (
          <button
            type="button"
            title="Open this display in a new window (a second monitor)"
            onClick={() => window.open(`${location.pathname}${location.search}${addressOf(current)}`, '_blank', 'noopener')}
          >
            ↗ New window
          </button>
        ) : null}
        {current && canEdit ? (
          <button type="button" title="Open this display in the display editor" onClick={() => editDisplay(current)}>
            Edit display
          </button>
        ) : null}
      </nav>
      {error ? <p role="alert">{error}</p> : null}
      {list && list.problems.length > 0 ? (
        <div className="notice" role="status">
          <p>Display files refused:</p>
          <ul>
            {list.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {list && list.displays.length === 0 ? <p>This site has no displays (a displays/ folder beside the site file holds them).</p> : null}
      {doc ? (
        <>
          <h2 ref={heading} tabIndex={-1}>
            {doc.display.title}
          </h2>
          {doc.unknownTags.length > 0 ? (
            <p className="notice" role="status">
              Bound to tags this site does not have (shown without value): {doc.unknownTags.join(', ')}
            </p>
          ) : null}
          {doc.problems.length > 0 ? (
            <p className="notice" role="status">
              Not shown: {doc.problems.join('; ')}
            </p>
          ) : null}
          <div className="display-body">
            <DisplayView
              title={doc.display.title}
              size={doc.display.size}
              elements={doc.view}
              tagByName={tagByName}
              onActivate={activate}
            />
            {machine ? (
              <Faceplate
                key={machine.name}
                machine={machine}
                info={doc.faceplates[machine.name]}
                command={faceplate?.command}
                onClose={closeFaceplate}
              />
            ) : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
