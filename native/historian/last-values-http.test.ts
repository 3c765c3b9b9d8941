import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedCore, serveSite } from '../server/test-server.js';

const N = 1_000;

const site = `version: 1
site: { name: Edge }
connections:
  - { name: gateway, protocol: ingest, maxQueue: 5000 }
areas:
  - name: Yard
    machines:
      - name: Bank
        connection: gateway
        tags:
${Array.from({ length: N }, (_, i) => `          - { name: T${i}, address: T${i} }`).join('\n')}
`;
const names = Array.from({ length: N }, (_, i) => `Edge/Yard/Bank/T${i}`);

let served: ServedCore;
let server: ServedCore['server'];
let auth: Record<string, string>;
let post: ServedCore['post'];

beforeAll(async () => {
  served = await serveSite(site, 'aurum-last-values-');
  ({ server, auth, post } = served);
}, 60_000);

afterAll(async () => {
  await served?.stop();
});

describe('POST /api/history/last-values', () => {
  it("answers every one of the site's 1,000 tags in one request, equal to the current values after the push is committed", async () => {
    // Tags 0–99 are pushed only once, earlier: they stopped reporting.
    const first = await post('/api/ingest', { items: names.map((tag, i) => ({ tag, value: i })) });
    expect(first.status).toBe(202);
    const second = await post('/api/ingest', { items: names.slice(100).map((tag, i) => ({ tag, value: 10_000 + i })) });
    expect(second.status).toBe(202);

    const r = await post('/api/history/last-values', { tags: names });
    expect(r.status).toBe(200);
    const got = (await r.json()) as { tag: string; ts: number | null; value: number | null; quality: number | null }[];
    expect(got.map((x) => x.tag)).toEqual(names);
    expect(got.map((x) => x.value)).toEqual(names.map((_, i) => (i < 100 ? i : 10_000 + i - 100)));
    const current = (await (await fetch(`${server.url}/api/tags`, { headers: auth })).json()) as {
      name: string;
      value: unknown;
      timestamp: string;
    }[];
    const byName = new Map(current.map((t) => [t.name, t]));
    for (const x of got) {
      expect(x.value).toBe(byName.get(x.tag)?.value);
      expect(x.ts).toBe(Date.parse(byName.get(x.tag)?.timestamp as string));
    }
  });

  it('refuses an unknown tag with 404 and a request over its bound with 400 naming the limit', async () => {
    const unknown = await post('/api/history/last-values', { tags: ['Edge/Yard/Bank/Nope'] });
    expect(unknown.status).toBe(404);
    const tooMany = await post('/api/history/last-values', { tags: Array.from({ length: 100_001 }, (_, i) => `t${i}`) });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toMatch(/100,001 tags exceeds the limit of 100,000 tags for history\.lastValues/);
  });
});
