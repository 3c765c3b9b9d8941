// The capability loop (capability.ts): listeners subscribed in list order under their names, faces
// offered only to later capabilities, a failed open stops those before it, and system alarms
// reported before the alarm capability exists are raised once it provides them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventStreams } from './api/contract.js';
import { HandlerRegistry } from './api/registry.js';
import { Capabilities, type Capability, containment, type SharedContext, SystemAlarms } from './capability.js';
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
