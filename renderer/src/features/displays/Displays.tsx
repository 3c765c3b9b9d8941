// The process displays screen: the site's displays (displays.list), one shown (displays.get) with
// its breadcrumbs up the parent chain, bound to live values; a pump's faceplate opens beside it.
import { useEffect, useState } from 'react';
import type { DisplayDocumentInfo, DisplayElementInfo, DisplayResults } from '../../../../native/api/display-requests';
import { api, errorText } from '../../platform/client';
import { navigate } from '../../platform/navigation';
import { useApp } from '../../platform/store';
import { DisplayView } from './DisplayView';
import { Faceplate } from './Faceplate';
import './displays.css';

type Listed = DisplayResults['displays.list'];

export function Displays() {
  const tagByName = useApp((s) => s.tagByName);
  const [list, setList] = useState<Listed | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [doc, setDoc] = useState<{ display: DisplayDocumentInfo; unknownTags: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [faceplate, setFaceplate] = useState<DisplayElementInfo | null>(null);

  useEffect(() => {
    api
      .call('displays.list', {})
      .then((l) => {
        setList(l);
        setCurrent((c) => c ?? l.displays.find((d) => !d.parent)?.id ?? l.displays[0]?.id ?? null);
      })
      .catch((err) => setError(`The displays could not be listed: ${errorText(err)}`));
  }, []);

  useEffect(() => {
    if (!current) return;
    setFaceplate(null);
    api
      .call('displays.get', { id: current })
      .then((d) => {
        setDoc(d);
        setError(null);
      })
      .catch((err) => setError(`Display "${current}" could not be opened: ${errorText(err)}`));
  }, [current]);

  const activate = (el: DisplayElementInfo) => {
    if (el.kind === 'button') {
      if (typeof el.props.display === 'string') setCurrent(el.props.display);
      else if (typeof el.props.machine === 'string') navigate('machine', el.props.machine);
      return;
    }
    setFaceplate(el);
  };

  const crumbs: { id: string; title: string }[] = [];
  for (let id: string | undefined = current ?? undefined; id && crumbs.length < 20; ) {
    const d = list?.displays.find((x) => x.id === id);
    if (!d) break;
    crumbs.unshift(d);
    id = d.parent;
  }

  return (
    <section className="displays" aria-label="Process displays">
      <nav aria-label="Breadcrumbs" className="display-crumbs">
        <ol>
          {crumbs.map((c, i) => (
            <li key={c.id}>
              {i === crumbs.length - 1 ? (
                <span aria-current="page">{c.title}</span>
              ) : (
                <button type="button" className="link" onClick={() => setCurrent(c.id)}>
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
          <h2>{doc.display.title}</h2>
          {doc.unknownTags.length > 0 ? (
            <p className="notice" role="status">
              Bound to tags this site does not have (shown without value): {doc.unknownTags.join(', ')}
            </p>
          ) : null}
          <div className="display-body">
            <DisplayView display={doc.display} tagByName={tagByName} onActivate={activate} />
            {faceplate ? <Faceplate el={faceplate} onClose={() => setFaceplate(null)} /> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
