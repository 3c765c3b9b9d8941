// The display editor (engineers): a palette of the symbol registry (symbols.tsx SYMBOL_LIST), drag
// and drop onto a snap grid, multi-select, lines that connect symbols and follow them, a properties
// panel with the tag picker, align/distribute, copy/paste, undo/redo, z-order, a static background
// layer, SVG import with binding by id, and Save = a new configuration version. The state logic is
// ops.ts and history.ts (pure, tested); this file only turns pointer, keys and buttons into them.
import { type KeyboardEvent, type PointerEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DisplayDocumentInfo, DisplayElementInfo, DisplaySymbolKind } from '../../../../../native/api/display-requests';
import type { MachineInfo, TagInfo } from '../../../../../native/api/types';
import { api, errorText } from '../../../platform/client';
import { navigate } from '../../../platform/navigation';
import { useCan } from '../../../platform/permissions';
import { useApp } from '../../../platform/store';
import { DisplaySymbol, SYMBOL_LIST, SYMBOLS } from '../symbols';
import '../displays.css';
import './editor.css';
import { type History, historyOf, push, redo, undo } from './history';
import {
  type Align,
  addElement,
  align,
  type Clip,
  connect,
  copy,
  DEFAULT_GRID,
  type Doc,
  deleteElements,
  distribute,
  freeSpot,
  hitTest,
  inRect,
  isBackground,
  lineEnds,
  moveElements,
  paste,
  renameElement,
  resizeElement,
  setBackground,
  updateElement,
  type ZMove,
  zOrder,
} from './ops';
import { TagPicker } from './TagPicker';

/** Kinds the palette does not offer: placed by the SVG import, or instantiated from a display template. */
const NOT_IN_PALETTE = new Set<DisplaySymbolKind>(['drawing', 'part']);
const DRAG_TYPE = 'application/x-aurum-symbol';

const EDITOR_PREFIX = '#/display-editor';

/** The display an editor address names (`#/display-editor/<id>`), or null: a reload reopens it. */
export function editorDisplayOfHash(hash: string): string | null {
  const m = /^#\/display-editor\/([a-z0-9][a-z0-9-]{0,63})(?:[?/].*)?$/.exec(hash);
  return m?.[1] ?? null;
}

const showAddress = (id: string) => history.replaceState(null, '', `${location.pathname}${location.search}${EDITOR_PREFIX}/${id}`);

/** Open a display in the editor (the Displays screen's Edit button). */
export function editDisplay(id: string): void {
  navigate('display-editor');
  showAddress(id);
}

const blank = (id: string, title: string, w: number, h: number): Doc => ({ id, title, size: { w, h }, elements: [] });

/** Ids of a drawing's elements (its markup was made safe by the core; ids are plain attributes). */
const drawingIds = (svg: string | undefined): string[] => [...(svg ?? '').matchAll(/<(\w+)[^>]*? id="([^"]+)"/g)].map((m) => `${m[2]}`);

/** A props field's text as the document keeps it: a number when it reads as one, true/false, else text. */
function propValue(text: string): string | number | boolean | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return text;
}

/** A text field that commits on Enter or leaving it (one undo step per edit, not per key). */
function Field({
  label,
  value,
  onCommit,
  type = 'text',
  hint,
  disabled,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  type?: 'text' | 'number';
  hint?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const commit = () => {
    if (text !== value) onCommit(text);
  };
  return (
    <div className="editor-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={text}
        disabled={disabled}
        step="any"
        title={hint}
        autoComplete="off"
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </div>
  );
}

export function DisplayEditor() {
  const canSave = useCan('displays.save');
  const canImport = useCan('displays.importSvg');
  const tags = useApp((s) => s.tags);
  const tagByName = useApp((s) => s.tagByName);
  const machines = useApp((s) => s.machines);
  const uid = useId();
  // useId's characters are not all allowed in a url(#…) reference: the grid pattern's id is made of word characters.
  const gridId = `grid-${uid.replace(/[^\w-]/g, '')}`;
  const [list, setList] = useState<{ id: string; title: string }[]>([]);
  const [hist, setHist] = useState<History<Doc> | null>(null);
  const [selection, setSelection] = useState<string[]>([]);
  const [clip, setClip] = useState<Clip>([]);
  const [grid, setGrid] = useState(DEFAULT_GRID);
  // With the snap grid off, pasted copies still step and the drawn grid still shows 10 units.
  const step = grid || 10;
  const [bgUnlocked, setBgUnlocked] = useState(false);
  const [baseVersion, setBaseVersion] = useState<number | undefined>(undefined);
  const [comment, setComment] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [drag, setDrag] = useState<{
    mode: 'move' | 'resize' | 'band';
    ids: string[];
    x: number;
    y: number;
    dx: number;
    dy: number;
    add: boolean;
  } | null>(null);
  const [newDoc, setNewDoc] = useState({ id: '', title: '', w: '1200', h: '700' });
  const svgRef = useRef<SVGSVGElement>(null);

  const loadList = useCallback(() => {
    api
      .call('displays.list', {})
      .then((l) => setList(l.displays.map((d) => ({ id: d.id, title: d.title }))))
      .catch((err) => setError(`The displays could not be listed: ${errorText(err)}`));
  }, []);
  useEffect(loadList, [loadList]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on the address the screen opened on
  useEffect(() => {
    const id = editorDisplayOfHash(location.hash);
    if (id) void open(id);
  }, []);

  /** The version in force when a display is opened: the save names it, so a later change by someone else is not overwritten. */
  const inForce = async (): Promise<number | undefined> => (await api.call('config.versions', { limit: 1 })).versions[0]?.version;

  const open = async (id: string) => {
    try {
      const [r, v] = await Promise.all([api.call('displays.get', { id }), inForce()]);
      setHist(historyOf(r.display));
      setBaseVersion(v);
      showAddress(id);
      setSelection([]);
      setStatus(`Opened ${r.display.title} (version ${v ?? '?'}).`);
      setError(null);
    } catch (err) {
      setError(`Display "${id}" could not be opened: ${errorText(err)}`);
    }
  };

  const create = async () => {
    const w = Number(newDoc.w);
    const h = Number(newDoc.h);
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(newDoc.id)) {
      setError('A display id is 1–64 lower-case letters, digits and dashes, starting with a letter or digit.');
      return;
    }
    if (list.some((d) => d.id === newDoc.id)) {
      setError(`There is a display "${newDoc.id}" already: open it instead.`);
      return;
    }
    if (!(w >= 1 && w <= 20_000 && h >= 1 && h <= 20_000)) {
      setError('The canvas is 1–20000 units wide and high.');
      return;
    }
    setHist(historyOf(blank(newDoc.id, newDoc.title.trim() || newDoc.id, w, h)));
    setBaseVersion(await inForce().catch(() => undefined));
    setSelection([]);
    setError(null);
    setStatus(`New display ${newDoc.id}: not saved yet.`);
  };

  const doc = hist?.present ?? null;
  const shown = useMemo(() => {
    if (!doc || !drag) return doc;
    if (drag.mode === 'move') return moveElements(doc, drag.ids, drag.dx, drag.dy, grid);
    if (drag.mode === 'resize') return resizeElement(doc, drag.ids[0] as string, drag.dx, drag.dy, grid);
    return doc;
  }, [doc, drag, grid]);
  const apply = (next: Doc, sel?: string[]) => {
    setHist((h) => (h ? push(h, next) : h));
    if (sel) setSelection(sel);
  };
  const selected = useMemo(() => (doc ? doc.elements.filter((e) => selection.includes(e.id)) : []), [doc, selection]);
  const one = selected.length === 1 ? selected[0] : undefined;
  /** The one selected box as drawn (during a drag too): its corner square resizes it. */
  const handle = one && one.kind !== 'line' ? shown?.elements.find((x) => x.id === one.id) : undefined;

  const toDoc = (clientX: number, clientY: number) => {
    const svg = svgRef.current;
    const m = svg?.getScreenCTM();
    if (!svg || !m) return { x: 0, y: 0 };
    const p = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };

  const place = (kind: DisplaySymbolKind, at?: { x: number; y: number }) => {
    if (!doc) return;
    const size = SYMBOLS[kind].size;
    // Without a drop point: a free place near the middle of the canvas, so new ones do not pile up.
    const p = at ?? freeSpot(doc, size, { x: doc.size.w / 2 - size.w / 2, y: doc.size.h / 2 - size.h / 2 }, grid);
    const r = addElement(doc, kind, p, size, grid);
    apply(r.doc, [r.id]);
  };

  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if (!doc || e.button !== 0) return;
    const p = toDoc(e.clientX, e.clientY);
    e.currentTarget.setPointerCapture(e.pointerId);
    const only = selection.length === 1 ? doc.elements.find((x) => x.id === selection[0]) : undefined;
    // The square at the bottom-right corner of the one selected box resizes it.
    if (only && only.kind !== 'line' && Math.abs(p.x - (only.x + only.w)) <= 8 && Math.abs(p.y - (only.y + only.h)) <= 8) {
      setDrag({ mode: 'resize', ids: [only.id], x: p.x, y: p.y, dx: 0, dy: 0, add: false });
      return;
    }
    const hit = hitTest(doc, p.x, p.y, bgUnlocked);
    if (!hit) {
      // On empty canvas: a rubber band selects the boxes wholly inside it (Shift adds them).
      if (!e.shiftKey) setSelection([]);
      setDrag({ mode: 'band', ids: [], x: p.x, y: p.y, dx: 0, dy: 0, add: e.shiftKey });
      return;
    }
    let sel = selection;
    if (e.shiftKey) sel = selection.includes(hit.id) ? selection.filter((s) => s !== hit.id) : [...selection, hit.id];
    else if (!selection.includes(hit.id)) sel = [hit.id];
    setSelection(sel);
    if (sel.includes(hit.id)) {
      setDrag({ mode: 'move', ids: [hit.id, ...sel.filter((s) => s !== hit.id)], x: p.x, y: p.y, dx: 0, dy: 0, add: false });
    }
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    if (!drag) return;
    const p = toDoc(e.clientX, e.clientY);
    setDrag({ ...drag, dx: p.x - drag.x, dy: p.y - drag.y });
  };
  const onPointerUp = () => {
    if (drag && doc && (drag.dx !== 0 || drag.dy !== 0)) {
      if (drag.mode === 'band') {
        const inside = inRect(doc, { x: drag.x, y: drag.y }, { x: drag.x + drag.dx, y: drag.y + drag.dy }, bgUnlocked);
        setSelection((s) => (drag.add ? [...new Set([...s, ...inside])] : inside));
      } else if (shown && shown !== doc) apply(shown);
    }
    setDrag(null);
  };

  const act = {
    undo: () => setHist((h) => (h ? undo(h) : h)),
    redo: () => setHist((h) => (h ? redo(h) : h)),
    copy: () => doc && setClip(copy(doc, selection)),
    paste: () => {
      if (!doc || clip.length === 0) return;
      const r = paste(doc, clip, 2 * step, 2 * step);
      apply(r.doc, r.ids);
    },
    remove: () => doc && selection.length > 0 && apply(deleteElements(doc, selection), []),
    align: (how: Align) => doc && apply(align(doc, selection, how)),
    distribute: (axis: 'horizontal' | 'vertical') => doc && apply(distribute(doc, selection, axis)),
    z: (move: ZMove) => doc && apply(zOrder(doc, selection, move)),
    background: (on: boolean) => doc && apply(setBackground(doc, selection, on)),
    connect: () => {
      if (!doc || selection.length !== 2) return;
      const r = connect(doc, selection[0] as string, selection[1] as string);
      if (r) apply(r.doc, [r.id]);
      else setError('A connector joins two symbols (not lines).');
    },
    move: (dx: number, dy: number) => doc && selection.length > 0 && apply(moveElements(doc, selection, dx, dy, grid)),
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    const step = e.shiftKey ? 1 : grid || 1;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => act.move(-step, 0),
      ArrowRight: () => act.move(step, 0),
      ArrowUp: () => act.move(0, -step),
      ArrowDown: () => act.move(0, step),
      Delete: act.remove,
      Backspace: act.remove,
      Escape: () => setSelection([]),
    };
    const modKeys: Record<string, () => void> = {
      z: e.shiftKey ? act.redo : act.undo,
      y: act.redo,
      c: act.copy,
      v: act.paste,
      a: () => doc && setSelection(doc.elements.filter((x) => bgUnlocked || !isBackground(x)).map((x) => x.id)),
    };
    const run = mod ? modKeys[e.key.toLowerCase()] : keys[e.key];
    if (run) {
      e.preventDefault();
      run();
    }
  };

  const importSvg = async (file: File | undefined) => {
    if (!file || !doc) return;
    setBusy(true);
    try {
      const r = await api.call('displays.importSvg', { svg: await file.text() });
      const [, , vw = 1, vh = 1] = r.viewBox.split(' ').map(Number);
      const scale = Math.min(doc.size.w / vw, doc.size.h / vh, 1);
      const added = addElement(doc, 'drawing', { x: 0, y: 0 }, { w: Math.round(vw * scale), h: Math.round(vh * scale) }, grid, {
        svg: r.markup,
        props: { viewBox: r.viewBox },
        label: file.name.replace(/\.svg$/i, ''),
      });
      apply(added.doc, [added.id]);
      setStatus(
        `Imported ${file.name}: ${r.ids.length} elements with an id to bind.${r.removed.length > 0 ? ` Removed: ${r.removed.join('; ')}.` : ''}`,
      );
      setError(null);
    } catch (err) {
      setError(`${file.name} was not imported: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const bindPart = (drawing: DisplayElementInfo, ref: string) => {
    if (!doc) return;
    const r = addElement(doc, 'part', { x: drawing.x, y: drawing.y }, { w: 0, h: 0 }, 0, {
      props: { drawing: drawing.id, ref },
      label: ref,
    });
    apply(r.doc, [r.id]);
  };

  const save = async () => {
    if (!doc) return;
    setBusy(true);
    try {
      const r = await api.call('displays.save', { display: { ...doc }, comment: comment.trim(), baseVersion });
      setBaseVersion(r.version.version);
      setStatus(`Saved as configuration version ${r.version.version}: ${r.diff.summary.join('; ') || 'no change'}.`);
      setComment('');
      setError(null);
      showAddress(doc.id);
      loadList();
    } catch (err) {
      setError(`Not saved: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  if (!canSave) {
    return (
      <section className="display-editor" aria-labelledby={`${uid}-h`}>
        <h2 id={`${uid}-h`}>Display editor</h2>
        <p>Editing displays is for engineers; your role may view them on the Displays screen.</p>
      </section>
    );
  }

  const count = selected.length;
  return (
    <section className="display-editor" aria-labelledby={`${uid}-h`}>
      <h2 id={`${uid}-h`}>Display editor{doc ? `: ${doc.title}` : ''}</h2>
      {error ? (
        <p role="alert" className="editor-error">
          {error}
        </p>
      ) : null}
      {status ? (
        <p role="status" className="editor-status">
          {status}
        </p>
      ) : null}
      <div className="toolbar editor-open">
        <label htmlFor={`${uid}-open`}>Open display</label>
        <select id={`${uid}-open`} value="" onChange={(e) => e.target.value && void open(e.target.value)}>
          <option value="">choose…</option>
          {list.map((d) => (
            <option key={d.id} value={d.id}>
              {d.title} ({d.id})
            </option>
          ))}
        </select>
        <span className="editor-sep">or new:</span>
        <label htmlFor={`${uid}-nid`}>Id</label>
        <input
          id={`${uid}-nid`}
          value={newDoc.id}
          size={14}
          onChange={(e) => setNewDoc({ ...newDoc, id: e.target.value })}
          autoComplete="off"
        />
        <label htmlFor={`${uid}-nt`}>Title</label>
        <input
          id={`${uid}-nt`}
          value={newDoc.title}
          size={18}
          onChange={(e) => setNewDoc({ ...newDoc, title: e.target.value })}
          autoComplete="off"
        />
        <label htmlFor={`${uid}-nw`}>Width</label>
        <input
          id={`${uid}-nw`}
          value={newDoc.w}
          size={5}
          inputMode="numeric"
          onChange={(e) => setNewDoc({ ...newDoc, w: e.target.value })}
        />
        <label htmlFor={`${uid}-nh`}>Height</label>
        <input
          id={`${uid}-nh`}
          value={newDoc.h}
          size={5}
          inputMode="numeric"
          onChange={(e) => setNewDoc({ ...newDoc, h: e.target.value })}
        />
        <button type="button" onClick={() => void create()}>
          New display
        </button>
      </div>
      {doc && shown ? (
        <>
          <div className="toolbar editor-tools" role="toolbar" aria-label="Edit">
            <button type="button" onClick={act.undo} disabled={(hist?.past.length ?? 0) === 0}>
              Undo
            </button>
            <button type="button" onClick={act.redo} disabled={(hist?.future.length ?? 0) === 0}>
              Redo
            </button>
            <button type="button" onClick={act.copy} disabled={count === 0}>
              Copy
            </button>
            <button type="button" onClick={act.paste} disabled={clip.length === 0}>
              Paste
            </button>
            <button type="button" onClick={act.remove} disabled={count === 0}>
              Delete
            </button>
            <button type="button" onClick={act.connect} disabled={count !== 2}>
              Connect with a line
            </button>
            {(['left', 'center', 'right', 'top', 'middle', 'bottom'] as const).map((a) => (
              <button key={a} type="button" onClick={() => act.align(a)} disabled={count < 2}>
                Align {a}
              </button>
            ))}
            <button type="button" onClick={() => act.distribute('horizontal')} disabled={count < 3}>
              Distribute across
            </button>
            <button type="button" onClick={() => act.distribute('vertical')} disabled={count < 3}>
              Distribute down
            </button>
            <button type="button" onClick={() => act.z('front')} disabled={count === 0}>
              To front
            </button>
            <button type="button" onClick={() => act.z('forward')} disabled={count === 0}>
              Forward
            </button>
            <button type="button" onClick={() => act.z('backward')} disabled={count === 0}>
              Backward
            </button>
            <button type="button" onClick={() => act.z('back')} disabled={count === 0}>
              To back
            </button>
            <button type="button" onClick={() => act.background(true)} disabled={count === 0}>
              To background layer
            </button>
            <button type="button" onClick={() => act.background(false)} disabled={count === 0}>
              Off background layer
            </button>
            <label>
              <input type="checkbox" checked={bgUnlocked} onChange={(e) => setBgUnlocked(e.target.checked)} /> Background selectable
            </label>
            <label htmlFor={`${uid}-grid`}>Grid</label>
            <select id={`${uid}-grid`} value={grid} onChange={(e) => setGrid(Number(e.target.value))}>
              {[0, 5, 10, 20, 40].map((g) => (
                <option key={g} value={g}>
                  {g === 0 ? 'off' : g}
                </option>
              ))}
            </select>
          </div>
          <div className="editor-body">
            <nav className="editor-palette" aria-label="Symbols">
              <h3>Symbols</h3>
              <p className="hint">Drag onto the canvas, or press to place one.</p>
              <ul>
                {SYMBOL_LIST.filter((s) => !NOT_IN_PALETTE.has(s.kind)).map((s) => (
                  <li key={s.kind}>
                    <button
                      type="button"
                      draggable
                      data-kind={s.kind}
                      onDragStart={(e) => {
                        e.dataTransfer.setData(DRAG_TYPE, s.kind);
                        e.dataTransfer.effectAllowed = 'copy';
                      }}
                      onClick={() => place(s.kind)}
                      aria-label={`Place ${s.title}`}
                    >
                      {s.title}
                    </button>
                  </li>
                ))}
              </ul>
              <label className="editor-import">
                Import SVG drawing{' '}
                <input
                  type="file"
                  accept=".svg,image/svg+xml"
                  disabled={!canImport || busy}
                  onChange={(e) => {
                    void importSvg(e.target.files?.[0]);
                    e.target.value = '';
                  }}
                />
              </label>
            </nav>
            <div className="editor-canvas-wrap">
              {/* biome-ignore lint/a11y/useSemanticElements: an <svg> canvas cannot be a <fieldset>; it takes focus for the editing keys. */}
              <svg
                ref={svgRef}
                className="display-canvas editor-canvas"
                viewBox={`0 0 ${doc.size.w} ${doc.size.h}`}
                role="group"
                aria-label={`Canvas of ${doc.title}: arrow keys move the selection, Delete removes it, Ctrl+Z undoes, Ctrl+C and Ctrl+V copy and paste`}
                // biome-ignore lint/a11y/noNoninteractiveTabindex: the canvas takes the editing keys (arrows, Delete, Ctrl+Z…).
                tabIndex={0}
                onKeyDown={onKeyDown}
                onPointerDown={onPointerDown}
                onPointerMove={onPointerMove}
                onPointerUp={onPointerUp}
                onPointerCancel={() => setDrag(null)}
                onDragOver={(e) => {
                  if (e.dataTransfer.types.includes(DRAG_TYPE)) e.preventDefault();
                }}
                onDrop={(e) => {
                  const kind = e.dataTransfer.getData(DRAG_TYPE) as DisplaySymbolKind;
                  if (!(kind in SYMBOLS)) return;
                  e.preventDefault();
                  const p = toDoc(e.clientX, e.clientY);
                  const size = SYMBOLS[kind].size;
                  place(kind, { x: p.x - size.w / 2, y: p.y - size.h / 2 });
                }}
              >
                <defs>
                  <pattern id={gridId} width={step} height={step} patternUnits="userSpaceOnUse">
                    <path d={`M ${step} 0 H 0 V ${step}`} className="editor-grid" />
                  </pattern>
                </defs>
                {grid > 0 ? <rect width={doc.size.w} height={doc.size.h} fill={`url(#${gridId})`} /> : null}
                {shown.elements.map((el) => (
                  <DisplaySymbol key={el.id} el={el} tag={el.bind.value ? tagByName.get(el.bind.value) : undefined} />
                ))}
                {shown.elements
                  .filter((el) => selection.includes(el.id))
                  .map((el) => {
                    if (el.kind === 'line') {
                      const l = lineEnds(el);
                      return <line key={`sel-${el.id}`} className="editor-selected" x1={l.x1} y1={l.y1} x2={l.x2} y2={l.y2} />;
                    }
                    return (
                      <rect key={`sel-${el.id}`} className="editor-selected" x={el.x - 3} y={el.y - 3} width={el.w + 6} height={el.h + 6} />
                    );
                  })}
                {handle ? (
                  <rect className="editor-handle" x={handle.x + handle.w - 5} y={handle.y + handle.h - 5} width={10} height={10} />
                ) : null}
                {drag?.mode === 'band' ? (
                  <rect
                    className="editor-band"
                    x={Math.min(drag.x, drag.x + drag.dx)}
                    y={Math.min(drag.y, drag.y + drag.dy)}
                    width={Math.abs(drag.dx)}
                    height={Math.abs(drag.dy)}
                  />
                ) : null}
              </svg>
            </div>
            <aside className="editor-side" aria-label="Properties">
              <h3>Elements</h3>
              <ul className="editor-elements" aria-label="Elements, in drawing order">
                {doc.elements.map((el) => (
                  <li key={el.id}>
                    <button
                      type="button"
                      aria-pressed={selection.includes(el.id)}
                      onClick={(e) =>
                        setSelection((s) =>
                          e.shiftKey || e.ctrlKey ? (s.includes(el.id) ? s.filter((x) => x !== el.id) : [...s, el.id]) : [el.id],
                        )
                      }
                    >
                      {el.id} <span className="hint">{SYMBOLS[el.kind]?.title ?? el.kind}</span>
                      {isBackground(el) ? <span className="hint"> (background)</span> : null}
                    </button>
                  </li>
                ))}
              </ul>
              <h3>Properties</h3>
              {one ? (
                <Properties
                  key={one.id}
                  el={one}
                  doc={doc}
                  onChange={(next) => apply(next)}
                  onRename={(to) => {
                    const next = renameElement(doc, one.id, to);
                    if (next === doc) setError(`"${to}" cannot be the element's id: it is taken or not 1–64 letters, digits, _ and -.`);
                    else apply(next, [to]);
                  }}
                  onBindPart={bindPart}
                  tags={tags}
                  machines={machines}
                />
              ) : (
                <p className="hint">{count === 0 ? 'Select an element to edit it.' : `${count} elements selected.`}</p>
              )}
              <h3>Display</h3>
              <Field label="Title" value={doc.title} onCommit={(t) => t.trim() && apply({ ...doc, title: t.trim() })} />
              <Field
                label="Parent display"
                value={doc.parent ?? ''}
                onCommit={(p) => {
                  const { parent: _p, ...rest } = doc;
                  apply(p.trim() ? { ...rest, parent: p.trim() } : rest);
                }}
              />
            </aside>
          </div>
          <div className="toolbar editor-save">
            <label htmlFor={`${uid}-c`}>Comment</label>
            <input
              id={`${uid}-c`}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              size={40}
              maxLength={2000}
              autoComplete="off"
              placeholder="what the change is for"
            />
            <button type="button" onClick={() => void save()} disabled={busy || comment.trim() === ''}>
              Save as a new version
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}

function Properties({
  el,
  doc,
  onChange,
  onRename,
  onBindPart,
  tags,
  machines,
}: {
  el: DisplayElementInfo;
  doc: DisplayDocumentInfo;
  onChange: (d: Doc) => void;
  onRename: (to: string) => void;
  onBindPart: (drawing: DisplayElementInfo, ref: string) => void;
  tags: TagInfo[];
  machines: MachineInfo[];
}) {
  const def = SYMBOLS[el.kind];
  const set = (patch: Partial<DisplayElementInfo>) => onChange(updateElement(doc, el.id, patch));
  const num = (k: 'x' | 'y' | 'w' | 'h' | 'rotation') => (t: string) => {
    const n = Number(t);
    if (t.trim() === '' && k === 'rotation') set({ rotation: undefined });
    else if (Number.isFinite(n)) set({ [k]: k === 'w' || k === 'h' ? Math.max(0, n) : n });
  };
  const bound = new Set(doc.elements.filter((e) => e.kind === 'part' && e.props.drawing === el.id).map((e) => String(e.props.ref)));
  return (
    <fieldset className="editor-props">
      <legend>
        {el.id}: {def?.title ?? el.kind}
      </legend>
      <Field label="Id" value={el.id} onCommit={onRename} />
      <Field label="Label" value={el.label ?? ''} onCommit={(t) => set({ label: t === '' ? undefined : t })} />
      <div className="editor-geom">
        <Field label="X" type="number" value={String(el.x)} onCommit={num('x')} />
        <Field label="Y" type="number" value={String(el.y)} onCommit={num('y')} />
        <Field label="Width" type="number" value={String(el.w)} onCommit={num('w')} />
        <Field label="Height" type="number" value={String(el.h)} onCommit={num('h')} />
        <Field label="Rotation" type="number" value={String(el.rotation ?? '')} onCommit={num('rotation')} />
      </div>
      {(def?.binds ?? []).map((b) => (
        <TagPicker
          key={b}
          label={b}
          value={el.bind[b]}
          tags={tags}
          machines={machines}
          disabled={false}
          onChange={(p) => {
            const { [b]: _old, ...rest } = el.bind;
            set({ bind: p ? { ...rest, [b]: p } : rest });
          }}
        />
      ))}
      {Object.entries(def?.props ?? {})
        .filter(([k]) => k !== 'viewBox' && !(el.kind === 'part' && (k === 'drawing' || k === 'ref')))
        .map(([k, hint]) => (
          <Field
            key={k}
            label={k}
            hint={hint}
            value={el.props[k] === undefined ? '' : String(el.props[k])}
            onCommit={(t) => {
              const { [k]: _old, ...rest } = el.props;
              const v = propValue(t);
              set({ props: v === undefined ? rest : { ...rest, [k]: v } });
            }}
          />
        ))}
      {el.kind === 'part' ? (
        <p className="hint">
          Binds element <code>{String(el.props.ref)}</code> of drawing <code>{String(el.props.drawing)}</code>.
        </p>
      ) : null}
      {el.kind === 'drawing' ? (
        <div className="editor-drawing-ids">
          <p>Elements of the drawing with an id:</p>
          <ul aria-label="Drawing elements to bind">
            {drawingIds(el.svg).map((ref) => (
              <li key={ref}>
                <code>{ref}</code>{' '}
                {bound.has(ref) ? (
                  <span className="hint">bound</span>
                ) : (
                  <button type="button" onClick={() => onBindPart(el, ref)} aria-label={`Bind drawing element ${ref}`}>
                    Bind
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </fieldset>
  );
}
