// NodeId text in every standard form, and the sentences for the mistakes integrators make.
import { describe, expect, it } from 'vitest';
import { endpointProblem, securityProblem, tagOptionProblems } from './config.js';
import { formatNodeId, parseNodeId } from './nodeid.js';

const ok = (text: string) => {
  const r = parseNodeId(text);
  if (!r.ok) throw new Error(`${text}: ${r.message}`);
  return r.nodeId;
};
const refusal = (text: string) => {
  const r = parseNodeId(text);
  if (r.ok) throw new Error(`${text} was accepted`);
  return r.message;
};

describe('parseNodeId', () => {
  it('reads every standard form; without ns= the namespace is 0', () => {
    expect(ok('ns=2;i=1001')).toEqual({ namespace: { index: 2 }, identifier: { type: 'i', value: 1001 } });
    expect(ok('ns=1;s=PumpStation.Pump101.Speed')).toEqual({
      namespace: { index: 1 },
      identifier: { type: 's', value: 'PumpStation.Pump101.Speed' },
    });
    expect(ok('ns=3;g=09087E75-8E5E-499B-954F-F2A9603DB28A').identifier).toEqual({
      type: 'g',
      value: '09087e75-8e5e-499b-954f-f2a9603db28a',
    });
    expect(ok('ns=4;b=M/RbKBsRVkePCePcx24oRA==').identifier).toEqual({
      type: 'b',
      value: Uint8Array.from(Buffer.from('M/RbKBsRVkePCePcx24oRA==', 'base64')),
    });
    expect(ok('nsu=urn:acme:plant;s=Line1.Speed')).toEqual({
      namespace: { uri: 'urn:acme:plant' },
      identifier: { type: 's', value: 'Line1.Speed' },
    });
    expect(ok('i=85')).toEqual({ namespace: { index: 0 }, identifier: { type: 'i', value: 85 } });
    expect(ok('s=Temperature').namespace).toEqual({ index: 0 });
    // A string identifier may itself hold ';' and '=' (everything after s= is the name).
    expect(ok('ns=2;s=a;b=c').identifier).toEqual({ type: 's', value: 'a;b=c' });
  });

  it('refuses the usual mistakes in a sentence that says what to write', () => {
    expect(refusal('ns=2,s=Plant.Counter')).toBe(`"ns=2,s=Plant.Counter": use ';' between ns and s (ns=2;s=Plant.Counter)`);
    expect(refusal('Plant.Counter')).toBe(
      '"Plant.Counter" is not a NodeId: it needs an identifier type and usually a namespace, e.g. ns=2;s=Plant.Counter',
    );
    expect(refusal('ns=2')).toMatch(/has a namespace but no identifier/);
    expect(refusal('ns=x;s=A')).toMatch(/namespace index "x" must be a whole number from 0 to 65535/);
    expect(refusal('ns=65536;i=1')).toMatch(/0 to 65535/);
    expect(refusal('ns=2;i=-1')).toMatch(/numeric identifier \(i=\) is a whole number/);
    expect(refusal('ns=2;i=4294967296')).toMatch(/0 to 4294967295/);
    expect(refusal('ns=2;g=1234')).toMatch(/8-4-4-4-12 hex digits/);
    expect(refusal('ns=2;b=***')).toMatch(/base64/);
    expect(refusal('ns=2;s=')).toMatch(/empty/);
    expect(refusal('ns=2;x=1')).toMatch(/after the namespace comes i=, s=, g= or b=/);
    expect(refusal('nsu=;s=A')).toMatch(/nsu= needs the namespace URI/);
    expect(refusal(' ns=2;s=A')).toMatch(/spaces/);
    expect(refusal('NS=2;s=A')).toMatch(/lower case/);
  });

  it('formats a resolved NodeId the way servers show it', () => {
    expect(formatNodeId({ index: 2, identifier: { type: 's', value: 'A.B' } })).toBe('ns=2;s=A.B');
    expect(formatNodeId({ index: 0, identifier: { type: 'i', value: 85 } })).toBe('i=85');
  });
});

describe('OPC UA connection rules', () => {
  it('takes opc.tcp://host[:port][/path] or "demo" as endpoint', () => {
    for (const e of ['demo', 'opc.tcp://127.0.0.1:4840', 'opc.tcp://plc-3.acme.local', 'opc.tcp://[::1]:4840/UA/Server'])
      expect(endpointProblem(e)).toBeNull();
    expect(endpointProblem('127.0.0.1:4840')).toMatch(/write opc\.tcp:\/\/127\.0\.0\.1:4840/);
    expect(endpointProblem('opc.https://host')).toMatch(/uses opc\.https:\/\//);
    expect(endpointProblem('opc.tcp://host:70000')).toMatch(/port 70000/);
    expect(endpointProblem('opc.tcp://')).toMatch(/host name or IP address/);
  });

  it('pairs None with None and Sign/SignAndEncrypt with a signing policy', () => {
    expect(securityProblem('None', 'None')).toBeNull();
    expect(securityProblem('Sign', 'Basic256Sha256')).toBeNull();
    expect(securityProblem('None', 'Basic256Sha256')).toMatch(/takes securityPolicy None/);
    expect(securityProblem('SignAndEncrypt', 'None')).toMatch(/needs a securityPolicy that signs/);
  });

  it('takes only a deadband as tag option', () => {
    expect(tagOptionProblems({})).toEqual([]);
    expect(tagOptionProblems({ deadband: 'none' })).toEqual([]);
    expect(tagOptionProblems({ deadband: { type: 'absolute', value: 0.5 } })).toEqual([]);
    expect(tagOptionProblems({ deadbnd: 1 })).toEqual([{ path: ['deadbnd'], message: expect.stringMatching(/^unknown option "deadbnd"/) }]);
    expect(tagOptionProblems({ deadband: { type: 'percent', value: 150 } })[0]?.message).toMatch(/at most 100/);
    expect(tagOptionProblems({ deadband: { type: 'relative', value: 1 } })[0]?.message).toMatch(/^deadband must be "none" or/);
    expect(tagOptionProblems({ deadband: { type: 'absolute', value: 0 } })[0]?.message).toMatch(/above 0/);
  });
});
