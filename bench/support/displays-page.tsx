// The page of `npm run bench -- displays` (bundled by bench/displays.bench.ts with esbuild): the
// console's own DisplayView, applier, writers and CSS on a synthetic display of N bound elements, each
// bound to a tag of its own, fed by a LiveData of its own. `window.displayBench.feed(hz)` changes every
// bound tag `hz` times a second (one columnar batch per tick, as the core's stream sends them).
import { createRoot } from 'react-dom/client';
import type { DisplayElementInfo } from '../../native/api/display-requests';
import type { QualityCode, TagInfo } from '../../native/api/types';
import type { DisplayApplier } from '../../renderer/src/features/displays/applier';
import { DisplayView } from '../../renderer/src/features/displays/DisplayView';
import { LiveData } from '../../renderer/src/platform/live';
import '../../renderer/src/styles/theme.css';
import '../../renderer/src/features/displays/displays.css';

const count = Number(new URLSearchParams(location.search).get('elements') ?? 2000);
// A mix like a plant display's: mostly value boxes, then equipment, lines, indicators and bars.
const KINDS = [
  ['value', 50, 90, 44],
  ['pump', 20, 50, 50],
  ['line', 15, 90, 0],
  ['indicator', 10, 90, 20],
  ['bar', 5, 20, 50],
] as const;
const tags: TagInfo[] = [];
const elements: DisplayElementInfo[] = [];
const COLS = 40;
for (let i = 0; i < count; i++) {
  // The kind whose share of every hundred elements holds this one's place.
  let below = 0;
  const [kind, , w, h] =
    KINDS.find(([, share]) => {
      below += share;
      return i % 100 < below;
    }) ?? KINDS[0];
  const name = `Bench/Area/M${Math.floor(i / 10)}/T${i}`;
  tags.push({
    id: i,
    name,
    site: 'Bench',
    area: 'Area',
    machine: `M${Math.floor(i / 10)}`,
    unit: kind === 'pump' ? '' : 'bar',
    description: '',
    dataType: kind === 'pump' ? 'bool' : 'float',
    connection: 'bench',
    address: String(i),
    rangeLo: kind === 'pump' ? null : 20,
    rangeHi: kind === 'pump' ? null : 80,
    decimals: 1,
    writable: false,
    writeMin: null,
    writeMax: null,
    expectedPeriodMs: 0,
  });
  const x = (i % COLS) * 100 + 5;
  const y = Math.floor(i / COLS) * 70 + 12;
  elements.push({
    id: `e${i}`,
    kind,
    x,
    y,
    w,
    h,
    label: `E${i}`,
    bind: kind === 'pump' ? { state: name } : { value: name },
    props: kind === 'bar' ? { min: 0, max: 100 } : {},
  });
}
const tagByName = new Map(tags.map((t) => [t.name, t]));
const live = new LiveData(count);
let applier: DisplayApplier | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
let tick = 0;
/** Time spent in the applier's passes (compare + writes), ms, and the passes made. */
let passMs = 0;
let passes = 0;

declare global {
  interface Window {
    displayBench: { ready: boolean; writes(): number; passMs(): number; passes(): number; feed(hz: number): void; stop(): void };
  }
}
window.displayBench = {
  ready: false,
  writes: () => applier?.writes ?? 0,
  passMs: () => passMs,
  passes: () => passes,
  feed(hz) {
    this.stop();
    const ids = tags.map((t) => t.id);
    timer = setInterval(() => {
      tick++;
      const now = Date.now();
      // Every tag a new value each tick: analog values move, each pump starts or stops.
      const v = ids.map((id) => (tags[id]?.dataType === 'bool' ? (tick + id) % 2 : 50 + 40 * Math.sin(tick / 5 + id)));
      live.enqueue({ ids, v, q: ids.map((): QualityCode => 0), ts: ids.map(() => now) });
    }, 1000 / hz);
  },
  stop() {
    if (timer) clearInterval(timer);
    timer = null;
  },
};

document.documentElement.dataset.theme = 'dark';
const host = document.getElementById('root');
if (!host) throw new Error('no #root');
createRoot(host).render(
  <div className="displays" style={{ width: '100vw' }}>
    <DisplayView
      title="Benchmark"
      size={{ w: COLS * 100 + 10, h: Math.ceil(count / COLS) * 70 + 20 }}
      elements={elements}
      tagByName={tagByName}
      onActivate={() => undefined}
      live={live}
      onApplier={(a) => {
        applier = a;
        const frame = a.frame.bind(a);
        a.frame = () => {
          const t0 = performance.now();
          const n = frame();
          passMs += performance.now() - t0;
          passes++;
          return n;
        };
        window.displayBench.ready = true;
      }}
    />
  </div>,
);
