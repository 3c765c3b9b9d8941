// InfluxDB line protocol as the ingest driver reads it: the grammar's edge cases (escapes, field
// types, timestamps in each precision, a missing timestamp), refusals per line with their number
// while the good lines are taken, and the connection's naming rule (template, overrides, strings).
import { describe, expect, it } from 'vitest';
import { INGEST_LIMITS } from '../../api/tag-requests.js';
import { TagBus } from '../../tags/bus.js';
import { testTag } from '../../tags/test-tag.js';
import { mulberry32 } from '../../util/random.js';
import { type IngestConnectionConfig, ingestConnectionSchema, lineProtocolRuleSchema } from './config.js';
import { createIngestDriver } from './driver.js';
import {
  applyTemplate,
  compileTemplate,
  type FieldRef,
  type LineSink,
  MAX_STRING_CHARS,
  MAX_TAGS_PER_LINE,
  parseLines,
} from './line-protocol.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

/** Parse a text whole with a sink that names each field by its decoded parts. */
function parse(text: string, precision: Parameters<typeof parseLines>[4] = 'ns') {
  const taken: { line: string; value: number | boolean | string; ts: number }[] = [];
  const refused: { line: number; error: string }[] = [];
  const names: string[] = [];
  let pending: string[] = [];
  const sink: LineSink = {
    resolve: (_key, decode, f) => {
      const r: FieldRef = decode(f);
      const tags = Object.entries(r.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      names.push(`${r.measurement}|${tags}|${r.field}`);
      pending.push(names[names.length - 1] as string);
      return { id: names.length - 1, name: 'x', text: true, type: 'string' };
    },
    accept: () => null,
    push: (id, value, ts) => {
      taken.push({ line: names[id] as string, value, ts });
    },
    refuse: (line, error) => {
      refused.push({ line, error });
    },
  };
  let at = { next: 0, line: 1 };
  while (at.next < text.length) {
    pending = [];
    at = parseLines(text, at.next, at.line, 3, precision, NOW, sink);
  }
  return { taken, refused };
}

describe('line protocol grammar', () => {
  it('reads escaped commas, spaces and equals signs in measurement, tag and field keys, and escaped quotes in strings', () => {
    const { taken, refused } = parse(
      [
        `my\\ meas\\,ure,ho\\=st=a\\ b\\,c,zone=z\\=1 fi\\ eld\\,x=1.5 ${NOW}000000`,
        `m s="say \\"hi\\", c:\\\\dir\\\\",t=t ${NOW}000000`,
        `a\\=b f=2 ${NOW}000000`,
      ].join('\n'),
    );
    expect(refused).toEqual([]);
    expect(taken).toEqual([
      { line: 'my meas,ure|ho=st=a b,c,zone=z=1|fi eld,x', value: 1.5, ts: NOW },
      { line: 'm||s', value: 'say "hi", c:\\dir\\', ts: NOW },
      { line: 'm||t', value: true, ts: NOW },
      // A measurement does not escape "=": it is kept as written.
      { line: 'a\\=b||f', value: 2, ts: NOW },
    ]);
  });

  it('reads integer i, unsigned u, float and every boolean spelling; refuses what is none of them', () => {
    const { taken, refused } = parse(
      [
        'm i=-42i,u=42u,f=-1.5e3,g=3,h=.5',
        'm b1=t,b2=T,b3=true,b4=True,b5=TRUE,b6=f,b7=F,b8=false,b9=False,b10=FALSE',
        'm x=-1u',
        'm x=1.5i',
        'm x=9007199254740993i',
        'm x=yes',
        'm x=0x10',
        'm x=Infinity',
        'm x=1e999',
      ].join('\n'),
    );
    expect(taken.map((t) => t.value)).toEqual([-42, 42, -1500, 3, 0.5, true, true, true, true, true, false, false, false, false, false]);
    expect(refused).toEqual([
      { line: 3, error: 'line 3: field "x": unsigned value -1u is negative in "m x=-1u"' },
      { line: 4, error: 'line 4: field "x": 1.5i is not an integer in "m x=1.5i"' },
      {
        line: 5,
        error: 'line 5: field "x": 9007199254740993i is beyond ±2^53, the integers a sample stores exactly in "m x=9007199254740993i"',
      },
      { line: 6, error: 'line 6: field "x": "yes" is not a number, boolean or quoted string in "m x=yes"' },
      { line: 7, error: 'line 7: field "x": "0x10" is not a number, boolean or quoted string in "m x=0x10"' },
      { line: 8, error: 'line 8: field "x": "Infinity" is not a number, boolean or quoted string in "m x=Infinity"' },
      { line: 9, error: 'line 9: field "x": "1e999" is not a finite number in "m x=1e999"' },
    ]);
  });

  it('reads every float the fast path takes as exactly the double Number() gives (random decimals)', () => {
    const rnd = mulberry32(20);
    const texts: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(rnd() * 17);
      let d = '';
      for (let k = 0; k < digits; k++) d += String(Math.floor(rnd() * 10));
      const point = Math.floor(rnd() * (digits + 1));
      const text = `${rnd() < 0.3 ? '-' : ''}${d.slice(0, point)}${rnd() < 0.8 ? '.' : ''}${d.slice(point)}`;
      if (/\d/.test(text)) texts.push(text);
    }
    const { taken, refused } = parse(texts.map((t) => `m v=${t}`).join('\n'));
    expect(refused).toEqual([]);
    expect(taken.map((t) => t.value)).toEqual(texts.map(Number));
  });

  it('reads timestamps in each precision, exactly to the millisecond fraction, and a missing one as the time of receipt', () => {
    const ms = 1764590400123;
    const cases = [
      ['ns', `${ms}456789`, ms + 0.456789],
      ['n', `${ms}000000`, ms],
      ['u', `${ms}456`, ms + 0.456],
      ['us', `${ms}000`, ms],
      ['ms', `${ms}`, ms],
      ['s', '1764590400', 1764590400000],
      ['m', '29409840', 29409840 * 60_000],
      ['h', '490164', 490164 * 3_600_000],
    ] as const;
    for (const [precision, digits, want] of cases) {
      const { taken, refused } = parse(`m v=1 ${digits}`, precision);
      expect({ precision, refused, ts: taken[0]?.ts }).toEqual({ precision, refused: [], ts: want });
    }
    expect(parse('m v=1').taken[0]?.ts).toBe(NOW);
    expect(parse('m v=1 -1000', 'ms').taken[0]?.ts).toBe(-1000);
    expect(parse('m v=1 12a').refused[0]?.error).toBe('line 1: timestamp "12a" is not an integer in "m v=1 12a"');
    expect(parse('m v=1 12345678901234567890').refused[0]?.error).toMatch(/at most 19 digits/);
  });

  it('skips blank and comment lines, takes CRLF, and refuses bad lines by their number while taking the good ones', () => {
    const text = [
      '# a comment',
      'ok v=1',
      '',
      'no_fields',
      'bad,tag v=1',
      'bad,=x v=1',
      'bad,t= v=1',
      'bad v=',
      'bad v="open',
      'bad v="x"y',
      'bad =1',
      ',t=1 v=1',
      'ok2 v=2\r',
      '   ',
      'ok3 v=3',
    ].join('\n');
    const { taken, refused } = parse(text);
    expect(taken.map((t) => t.line)).toEqual(['ok||v', 'ok2||v', 'ok3||v']);
    expect(refused).toEqual([
      { line: 4, error: 'line 4: no fields (a line needs "measurement field=value") in "no_fields"' },
      { line: 5, error: 'line 5: tag key "tag" has no "=value" in "bad,tag v=1"' },
      { line: 6, error: 'line 6: a tag has an empty key in "bad,=x v=1"' },
      { line: 7, error: 'line 7: tag "t" has an empty value in "bad,t= v=1"' },
      { line: 8, error: 'line 8: field "v" has no value in "bad v="' },
      { line: 9, error: 'line 9: field "v": its string value has no closing quote on this line in "bad v=\\"open"' },
      { line: 10, error: 'line 10: field "v": text after its closing quote in "bad v=\\"x\\"y"' },
      { line: 11, error: 'line 11: a field has an empty key in "bad =1"' },
      { line: 12, error: 'line 12: no measurement in ",t=1 v=1"' },
    ]);
  });

  it('takes a line of INGEST_LIMITS.fieldsPerLine fields and refuses a longer one by its number and count, the others taken', () => {
    const max = INGEST_LIMITS.fieldsPerLine;
    const fields = (n: number, v: number) => Array.from({ length: n }, (_, i) => `f${i}=${v}`).join(',');
    const text = [`full ${fields(max, 1)}`, `over ${fields(max + 1, 2)}`, `far,q=x ${fields(5 * max, 3)} 7`, `after ${fields(3, 4)}`].join(
      '\n',
    );
    const { taken, refused } = parse(text);
    expect(taken.filter((t) => t.line.startsWith('full|'))).toHaveLength(max);
    expect(taken.filter((t) => t.line.startsWith('after|')).map((t) => [t.line, t.value])).toEqual([
      ['after||f0', 4],
      ['after||f1', 4],
      ['after||f2', 4],
    ]);
    expect(taken).toHaveLength(max + 3);
    expect(refused).toEqual([
      {
        line: 2,
        error: `line 2: 1,001 fields, more than the 1,000 one line may hold (send the others on further lines with the same measurement, tags and timestamp) in "over f0=2,f1=2,f2=2,f3=2,f4=2,f5=2,f6=2,f7=2,f8=2,f9=2,f10=2…"`,
      },
      {
        line: 3,
        error: `line 3: 5,000 fields, more than the 1,000 one line may hold (send the others on further lines with the same measurement, tags and timestamp) in "far,q=x f0=3,f1=3,f2=3,f3=3,f4=3,f5=3,f6=3,f7=3,f8=3,f9=3,f1…"`,
      },
    ]);
  });
});

describe('line protocol bounds per line', () => {
  it('takes a line of MAX_TAGS_PER_LINE tags and refuses a longer one by its number and count, the others taken', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join(',');
    const text = [
      `full,${tags(MAX_TAGS_PER_LINE)} f=1`,
      `over,${tags(MAX_TAGS_PER_LINE + 1)} f=2`,
      `far,${tags(20 * MAX_TAGS_PER_LINE)} f=3 7`,
      'after,a=b f=4',
    ].join('\n');
    const { taken, refused } = parse(text);
    expect(taken.map((t) => t.value)).toEqual([1, 4]);
    // The line's every tag reaches the naming rule.
    expect((taken[0] as { line: string }).line.split('|')[1]?.split(',')).toHaveLength(MAX_TAGS_PER_LINE);
    expect(refused).toEqual([
      {
        line: 2,
        error: `line 2: 257 tags, more than the 256 one line may hold (a tag set names a series: keep it to the keys that tell series apart) in "over,k0=v,k1=v,k2=v,k3=v,k4=v,k5=v,k6=v,k7=v,k8=v,k9=v,k10=v…"`,
      },
      {
        line: 3,
        error: `line 3: 5,120 tags, more than the 256 one line may hold (a tag set names a series: keep it to the keys that tell series apart) in "far,k0=v,k1=v,k2=v,k3=v,k4=v,k5=v,k6=v,k7=v,k8=v,k9=v,k10=v,…"`,
      },
    ]);
  });

  it('takes a string value of MAX_STRING_CHARS characters (escapes undone) and refuses a longer one naming the line and field', () => {
    const max = 'x'.repeat(MAX_STRING_CHARS);
    // Escapes count as the character they stand for: 1,024 quotes written as 2,048 characters are taken.
    const quotes = '\\"'.repeat(MAX_STRING_CHARS);
    const text = [`m s="${max}"`, `m,a=b ok=1,note="${max}y" 5`, `m q="${quotes}"`, `m t="${'é'.repeat(3000)}"`, 'm f=2'].join('\n');
    const { taken, refused } = parse(text, 'ms');
    expect(taken.map((t) => [t.line, typeof t.value === 'string' ? t.value.length : t.value])).toEqual([
      ['m||s', MAX_STRING_CHARS],
      ['m||q', MAX_STRING_CHARS],
      ['m||f', 2],
    ]);
    expect(refused.map((r) => r.line)).toEqual([2, 4]);
    expect(refused[0]?.error).toMatch(
      /^line 2: field "note": its string value has 1,025 characters, more than the 1,024 a text value may hold in "m,a=b ok=1,note=/,
    );
    expect(refused[1]?.error).toMatch(
      /^line 4: field "t": its string value has 3,000 characters, more than the 1,024 a text value may hold in /,
    );
  });
});

describe('name templates', () => {
  it('compiles {measurement}, {field} and {tag:key}, and words what is wrong with a bad template', () => {
    const parts = compileTemplate('{measurement}/{tag:host}/{field}');
    expect(Array.isArray(parts)).toBe(true);
    const ref = { measurement: 'cpu', tags: { host: 'a' }, field: 'idle' };
    expect(applyTemplate(parts as never, ref)).toBe('cpu/a/idle');
    expect(applyTemplate(parts as never, { ...ref, tags: {} })).toEqual({ missingTag: 'host' });
    expect(compileTemplate('{measurment}/{field}')).toBe(
      'name template "{measurment}/{field}": unknown placeholder "{measurment}"; use {measurement}, {field} or {tag:<tag key>}',
    );
    expect(compileTemplate('{field')).toBe('name template "{field": "{" at character 1 is not closed');
    expect(compileTemplate('a}{field}')).toBe('name template "a}{field}": "}" at character 2 closes nothing');
    expect(compileTemplate('Plant/Tag')).toMatch(/has no placeholder/);
    expect(lineProtocolRuleSchema.safeParse({}).error?.issues[0]?.message).toMatch(/needs a name template, overrides, or both/);
  });
});

describe('the naming rule of a connection', () => {
  const tags = [
    testTag(0, 'S/A/host1/usage', { connection: 'gw' }),
    testTag(1, 'S/A/host2/usage', { connection: 'gw' }),
    testTag(2, 'S/A/M/Special', { connection: 'gw' }),
    testTag(3, 'S/A/M/State', { connection: 'gw', dataType: 'string' }),
  ];
  const bus = new TagBus(tags, undefined, undefined, { acceptWindow: { pastMs: 30 * 86_400_000, futureMs: 300_000 } });
  const config: IngestConnectionConfig = ingestConnectionSchema.parse({
    name: 'gw',
    protocol: 'ingest',
    lineProtocol: {
      name: 'S/A/{tag:host}/{field}',
      overrides: [
        { measurement: 'cpu', field: 'usage', tags: { host: 'special' }, to: 'S/A/M/Special' },
        { measurement: 'status', field: 'state', to: 'S/A/M/State' },
      ],
    },
  });
  const driver = createIngestDriver(
    config,
    tags.map((t) => ({ id: t.id, name: t.name, address: t.address, options: {} }) as never),
    { bus, dataDir: '', log: () => undefined } as never,
  );
  const now = Date.now();
  const ns = (ms: number) => `${ms}000000`;

  it('names tags by the template, applies overrides first, stores strings only in text tags, and refuses the rest by line', async () => {
    const checked = await driver.checkLines(
      [
        `cpu,host=host1 usage=1.5 ${ns(now - 2000)}`,
        `cpu,host=host2 usage=2i ${ns(now - 1000)}`,
        `cpu,host=special usage=3 ${ns(now)}`,
        `status state="running" ${ns(now)}`,
        `cpu,host=host3 usage=4 ${ns(now)}`,
        `cpu usage=5 ${ns(now)}`,
        `cpu,host=host1 usage="high" ${ns(now)}`,
        `cpu,host=host1 usage=6,other=7 ${ns(now)}`,
        `cpu,host=host1 usage=8 ${ns(now + 3_600_000)}`,
      ].join('\n'),
      'ns',
    );
    expect(checked.ids).toEqual([0, 1, 2, 3]);
    expect(checked.values).toEqual([1.5, 2, 3, 'running']);
    expect(checked.ts).toEqual([now - 2000, now - 1000, now, now]);
    expect(checked.rejected.map((r) => [r.index, r.error])).toEqual([
      [
        5,
        'line 5: measurement "cpu" field "usage" is named "S/A/host3/usage" by the template "S/A/{tag:host}/{field}", but no pushed tag named "S/A/host3/usage" on connection gw in "cpu,host=host3 usage=4 ' +
          `${ns(now)}"`,
      ],
      [
        6,
        `line 6: measurement "cpu" field "usage": the name template "S/A/{tag:host}/{field}" of connection gw needs tag "host", which this line does not have in "cpu usage=5 ${ns(now)}"`,
      ],
      [
        7,
        `line 7: field "usage" is a string, and S/A/host1/usage is a float tag: only a text tag (type: string) stores string fields in "cpu,host=host1 usage=\\"high\\" ${ns(now)}"`,
      ],
      [
        8,
        `line 8: measurement "cpu" field "other" is named "S/A/host1/other" by the template "S/A/{tag:host}/{field}", but no pushed tag named "S/A/host1/other" on connection gw in "cpu,host=host1 usage=6,other=7 ${ns(now)}"`,
      ],
      [9, expect.stringMatching(/^line 9: source clock ahead .* not stored in "cpu,host=host1 usage=8/)],
    ]);
  });

  it('gives the same answer from its memory of a key as the first time', async () => {
    const line = `cpu,host=host3 usage=4 ${ns(now)}`;
    const first = await driver.checkLines(line, 'ns');
    const again = await driver.checkLines(line, 'ns');
    expect(again.rejected).toEqual(first.rejected);
    expect((await driver.checkLines(`cpu,host=host1 usage=4 ${ns(now)}`, 'ns')).ids).toEqual([0]);
  });
});
