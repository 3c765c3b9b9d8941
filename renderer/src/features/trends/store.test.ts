import { describe, expect, it } from 'vitest';
import { MAX_PENS, panRange, parseViews, trendActions, trendStore, zoomRange } from './store';

describe('trend ranges', () => {
  const now = 1_000_000;
  it('pans by a fraction of the span and never past now', () => {
    expect(panRange({ from: 0, to: 100_000 }, -0.5, now)).toEqual({ from: -50_000, to: 50_000 });
    expect(panRange({ from: 900_000, to: 990_000 }, 0.5, now)).toEqual({ from: 910_000, to: 1_000_000 });
  });

  it('zooms around the centre, keeps at least a second, and ends by now', () => {
    expect(zoomRange({ from: 0, to: 100_000 }, 0.5, now)).toEqual({ from: 25_000, to: 75_000 });
    expect(zoomRange({ from: 0, to: 1_200 }, 0.1, now)).toEqual({ from: 100, to: 1_100 });
    const out = zoomRange({ from: 950_000, to: 1_000_000 }, 4, now);
    expect(out.to).toBe(now);
    expect(out.to - out.from).toBe(200_000);
  });
});

describe('trend views', () => {
  it('ignores stored views that are not well formed', () => {
    expect(parseViews('not json')).toEqual({});
    expect(parseViews(null)).toEqual({});
    expect(parseViews(JSON.stringify({ a: { pens: ['x', 3], windowS: 60 }, b: { pens: 'x' }, c: null }))).toEqual({
      a: { pens: ['x'], windowS: 60 },
    });
  });

  it('saves, loads and deletes a named view, live mode and back', () => {
    trendActions.setWindow(600);
    trendActions.saveView('bearings', ['A', 'B']);
    trendActions.setPens(['C']);
    trendActions.setWindow(60);
    trendActions.loadView('bearings');
    expect(trendStore.getState()).toMatchObject({ pens: ['A', 'B'], windowS: 600 });
    trendActions.deleteView('bearings');
    expect(trendStore.getState().views).toEqual({});
    trendActions.showHistory();
    const { mode, range } = trendStore.getState();
    expect(mode).toBe('history');
    expect((range?.to ?? 0) - (range?.from ?? 0)).toBe(600_000);
    trendActions.backToLive();
    expect(trendStore.getState()).toMatchObject({ mode: 'live', range: null });
  });

  it('keeps pens unique and bounded', () => {
    trendActions.setPens(Array.from({ length: 40 }, (_, i) => `T${i % 20}`));
    expect(trendStore.getState().pens).toHaveLength(MAX_PENS);
    expect(new Set(trendStore.getState().pens).size).toBe(MAX_PENS);
  });
});
