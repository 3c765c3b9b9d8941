// The capability loop (capability.ts): listeners subscribed in list order under their names, faces
// offered only to later capabilities, a failed open stops those before it, and system alarms
// reported before the alarm capability exists are raised once it provides them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext, EventStreams } from './api/contract.js';
import { HandlerRegistry } from './api/registry.js';
import {
  Capabilities,
  type Capability,
  type CapabilityContext,
  containment,
  restartUnlessSame,
  type SharedContext,
  SystemAlarms,
} from './capability.js';
import { TagBus } from './tags/bus.js';
import { testTag } from './tags/test-tag.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function shared(): SharedContext {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'capability-'));
  dirs.push(dataDir);
  const { boundary, system, events } = containment(path.join(dataDir, 'crash.log'));
  const bus = new TagBus([testTag(0, 'S/A/M/T')], undefined, boundary);
  const site = { name: 'S', timeZone: 'UTC', machines: [] };
  return { site, bus, clock: Date.now, logger: () => () => undefined, dataDir, modelsDir: dataDir, boundary, system, emit: events.emit };
}

const plain = (over: Partial<Capability> = {}): Capability => ({ reconfigure: () => 'restart-needed', stop: () => undefined, ...over });

describe('the capability loop', () => {
  it('subscribes listeners in list order, and stops in the reverse order, unsubscribed first', async () => {
    const order: string[] = [];
    const ctx = shared();
    const running = new Capabilities(ctx, new HandlerRegistry());
    for (const name of ['first', 'second']) {
      await running.open(
        name,
        () => plain({ listener: { name, batch: () => order.push(`batch ${name}`) }, stop: () => void order.push(`stop ${name}`) }),
        undefined,
      );
    }
    ctx.bus.update(0, 1, 0, Date.now());
    ctx.bus.flush();
    await running.stop();
    ctx.bus.update(0, 2, 0, Date.now());
    ctx.bus.flush();
    expect(order).toEqual(['batch first', 'batch second', 'stop second', 'stop first']);
  });

  it('offers a face to the capabilities after it only, by name', async () => {
    const running = new Capabilities(shared(), new HandlerRegistry());
    const seen: unknown[] = [];
    await running.open(
      'reader',
      (ctx) => {
        expect(() => ctx.face('historian')).toThrow('the historian capability is used before core.ts opens it');
        seen.push(ctx.optional('esg'));
        return plain();
      },
      undefined,
    );
    expect(seen).toEqual([undefined]);
    await running.stop();
  });

  it('stops what opened before a capability that fails to open, and passes the failure on', async () => {
    const stopped: string[] = [];
    const running = new Capabilities(shared(), new HandlerRegistry());
    const failing = () => {
      throw new Error('cannot open');
    };
    await expect(
      running.openAll([
        { name: 'a', open: () => plain({ stop: () => void stopped.push('a') }), config: undefined },
        { name: 'b', open: failing, config: undefined },
        { name: 'c', open: () => plain({ stop: () => void stopped.push('c') }), config: undefined },
      ]),
    ).rejects.toThrow('cannot open');
    expect(stopped).toEqual(['a']);
  });

  it('registers each capability’s handlers with the registry', async () => {
    const registry = new HandlerRegistry();
    const running = new Capabilities(shared(), registry);
    await running.open('core', () => plain({ handlers: { 'core.info': () => ({}) as never } }), undefined);
    expect(registry.names()).toContain('core.info');
    await running.stop();
  });
});

const ADMIN: CallContext = { user: 'a', role: 'admin', origin: 'internal' };

/**
 * A capability that cannot apply a change in place (restartUnlessSame): each instance numbered, its
 * listener recording what it got, its request answering which instance and config serve it. It
 * opens only once `gate` resolves, and refuses a config with `fails`.
 */
function restartable(log: string[], gate: { wait: Promise<void> }) {
  let instance = 0;
  return async (ctx: CapabilityContext<unknown>): Promise<Capability> => {
    const me = ++instance;
    await gate.wait;
    if ((ctx.config as { fails?: boolean }).fails) throw new Error('the endpoint is not a URL');
    return {
      face: { me },
      listener: {
        name: 'maintenance',
        batch: (b) => {
          for (let i = 0; i < b.length; i++) log.push(`#${me} got ${b.values[i]}`);
        },
      },
      handlers: { 'core.info': () => ({ me, config: ctx.config }) as never },
      reconfigure: (next) => restartUnlessSame(ctx.config, next),
      stop: () => void log.push(`#${me} stopped`),
    };
  };
}

describe('restarting one capability in place', () => {
  it('restarts a capability that cannot apply its section, and those using its face; its listener misses no batch, its requests wait and go to the new one', async () => {
    const ctx = shared();
    const registry = new HandlerRegistry();
    const running = new Capabilities(ctx, registry);
    const log: string[] = [];
    const gate = { wait: Promise.resolve() };
    await running.open('maintenance', restartable(log, gate), { rule: 1 });
    const facesSeen: unknown[] = [];
    await running.open(
      'sync',
      (c) => {
        facesSeen.push(c.face('maintenance'));
        return plain({ stop: () => void log.push('sync stopped') });
      },
      undefined,
    );
    ctx.bus.update(0, 1, 0, Date.now());
    ctx.bus.flush();

    let open: () => void = () => undefined;
    gate.wait = new Promise((resolve) => {
      open = resolve;
    });
    const applying = running.reconfigure('maintenance', { rule: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    // While it restarts: samples are held for it, its requests say why they cannot be answered.
    ctx.bus.update(0, 2, 0, Date.now());
    ctx.bus.flush();
    const waiting = await registry.call('core.info', {}, ADMIN);
    expect(waiting.error).toEqual({
      type: 'unavailable',
      message: '"core.info" cannot be answered now: the maintenance capability restarts with its new configuration',
    });
    open();
    expect(await applying).toEqual({ result: 'applied', detail: 'restarted alone with its new section and sync, which uses it' });
    ctx.bus.update(0, 3, 0, Date.now());
    ctx.bus.flush();

    expect(log).toEqual(['#1 got 1', 'sync stopped', '#1 stopped', '#2 got 2', '#2 got 3']);
    expect(facesSeen).toEqual([{ me: 1 }, { me: 2 }]);
    expect((await registry.call('core.info', {}, ADMIN)).data).toEqual({ me: 2, config: { rule: 2 } });
    // An unchanged section needs nothing.
    expect(await running.reconfigure('maintenance', { rule: 2 })).toEqual({ result: 'applied', detail: 'applied in place' });
    await running.stop();
  });

  it('runs on its previous section when the new one fails to open, and says why', async () => {
    const registry = new HandlerRegistry();
    const running = new Capabilities(shared(), registry);
    await running.open('maintenance', restartable([], { wait: Promise.resolve() }), { rule: 1 });
    expect(await running.reconfigure('maintenance', { fails: true })).toEqual({
      result: 'restart-needed',
      detail: 'restarting it with the new section failed (the endpoint is not a URL); it runs on its previous section',
    });
    expect((await registry.call('core.info', {}, ADMIN)).data).toEqual({ me: 3, config: { rule: 1 } });
    await running.stop();
  });

  it('opens a capability whose section appears and stops one whose section goes', async () => {
    const registry = new HandlerRegistry();
    const running = new Capabilities(shared(), registry);
    const log: string[] = [];
    expect(await running.reconfigure('esg', null)).toBeNull();
    const opened = await running.reconfigure('esg', { meters: 1 }, restartable(log, { wait: Promise.resolve() }));
    expect(opened).toEqual({ result: 'applied', detail: 'opened with its new section' });
    expect((await registry.call('core.info', {}, ADMIN)).data).toEqual({ me: 1, config: { meters: 1 } });
    expect(await running.reconfigure('esg', null)).toEqual({ result: 'applied', detail: 'stopped: its section was removed' });
    expect(log).toEqual(['#1 stopped']);
    expect((await registry.call('core.info', {}, ADMIN)).error).toEqual({
      type: 'unavailable',
      message: '"core.info" cannot be answered now: the esg capability is not configured on this site',
    });
    await running.stop();
  });
});

describe('the system-alarm port', () => {
  it('shows every message, and raises the errors reported before the alarms exist once they are provided', () => {
    const shown: EventStreams['system'][] = [];
    const system = new SystemAlarms((m) => shown.push(m));
    const at = new Date(0).toISOString();
    system.message({ level: 'error', source: 'historian', message: 'salvaged at start', timestamp: at });
    system.message({ level: 'info', source: 'models', message: 'learned', timestamp: at });
    system.clear('historian'); // nothing to clear yet: no alarm service
    const raised: string[] = [];
    system.provide({ raise: (s, m) => raised.push(`${s}: ${m}`), clear: (s) => raised.push(`clear ${s}`) });
    system.message({ level: 'error', source: 'sync', message: 'outbox full', timestamp: at });
    system.clear('sync');
    expect(shown.map((m) => m.message)).toEqual(['salvaged at start', 'learned', 'outbox full']);
    expect(raised).toEqual(['historian: salvaged at start', 'sync: outbox full', 'clear sync']);
  });
});
