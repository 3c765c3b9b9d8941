// NodeId text as OPC UA Part 6 §5.3.1.10 writes it, parsed once for the site-file rules, the driver
// and the browse request, so all three accept and refuse the same strings with the same sentence:
//   [ns=<index>;]i=<UInt32>   [ns=<index>;]s=<string>   [ns=<index>;]g=<GUID>   [ns=<index>;]b=<base64>
//   nsu=<namespace URI>;<i|s|g|b>=…   (the URI is resolved through the server's NamespaceArray)
// Without ns= or nsu= the namespace is 0. Pure: no node-opcua here, so the validator stays light.

export type NodeIdIdentifier =
  | { type: 'i'; value: number }
  | { type: 's'; value: string }
  | { type: 'g'; value: string }
  | { type: 'b'; value: Uint8Array };

export interface ParsedNodeId {
  /** A namespace index, or the namespace URI of an `nsu=` NodeId (resolved against the server). */
  namespace: { index: number } | { uri: string };
  identifier: NodeIdIdentifier;
}

export type NodeIdParse = { ok: true; nodeId: ParsedNodeId } | { ok: false; message: string };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const FORMS = 'ns=<index>;s=<name>, ns=<index>;i=<number>, ns=<index>;g=<GUID>, ns=<index>;b=<base64> or nsu=<URI>;s=<name>';

/** Parse a NodeId; a refusal says what is wrong and what was expected, in one sentence. */
export function parseNodeId(text: string): NodeIdParse {
  const fail = (message: string): NodeIdParse => ({ ok: false, message });
  if (text.length === 0) return fail(`a NodeId is empty; expected ${FORMS}`);
  if (text.trim() !== text) return fail(`"${text}" has spaces around it; a NodeId is written without them`);

  let namespace: ParsedNodeId['namespace'] = { index: 0 };
  let rest = text;
  const nsMatch = /^(nsu?)=/.exec(text);
  if (nsMatch) {
    const key = nsMatch[1] as 'ns' | 'nsu';
    const semi = text.indexOf(';');
    if (semi < 0) {
      const comma = /^nsu?=[^,]*,([isgb])=/.exec(text);
      if (comma) return fail(`"${text}": use ';' between ${key} and ${comma[1]} (${text.replace(',', ';')})`);
      return fail(`"${text}" has a namespace but no identifier; add ;i=, ;s=, ;g= or ;b= after it`);
    }
    const nsText = text.slice(key.length + 1, semi);
    rest = text.slice(semi + 1);
    if (key === 'ns') {
      // "ns=2,s=Plant.X;…" would otherwise read as a namespace "2,s=Plant.X".
      const comma = /^([^,]*),([isgb])=/.exec(nsText);
      if (comma) return fail(`"${text}": use ';' between ns and ${comma[2]} (ns=${comma[1]};${nsText.slice(comma[1]!.length + 1)}…)`);
      if (!/^\d+$/.test(nsText) || Number(nsText) > 65535)
        return fail(`"${text}": the namespace index "${nsText}" must be a whole number from 0 to 65535`);
      namespace = { index: Number(nsText) };
    } else {
      if (nsText.length === 0) return fail(`"${text}": nsu= needs the namespace URI, e.g. nsu=urn:example:plant;s=Pump1.Speed`);
      namespace = { uri: nsText };
    }
  } else if (/^ns\s*[:,]/i.test(text) || /^NS=/.test(text)) {
    return fail(`"${text}": a namespace is written ns=<index>; (lower case, '=' then ';'), e.g. ns=2;s=Pump1.Speed`);
  }

  const idMatch = /^([isgb])=/.exec(rest);
  if (!idMatch) {
    if (nsMatch) return fail(`"${text}": after the namespace comes i=, s=, g= or b= (found "${rest.slice(0, 12)}")`);
    return fail(`"${text}" is not a NodeId: it needs an identifier type and usually a namespace, e.g. ns=2;s=${text}`);
  }
  const type = idMatch[1] as NodeIdIdentifier['type'];
  const value = rest.slice(2);
  switch (type) {
    case 'i': {
      if (!/^\d+$/.test(value) || Number(value) > 0xffff_ffff)
        return fail(`"${text}": a numeric identifier (i=) is a whole number from 0 to 4294967295, not "${value}"`);
      return { ok: true, nodeId: { namespace, identifier: { type, value: Number(value) } } };
    }
    case 's':
      if (value.length === 0) return fail(`"${text}": the string identifier after s= is empty`);
      if (value.length > 4096) return fail(`"${text.slice(0, 40)}…": a string identifier is at most 4096 characters`);
      return { ok: true, nodeId: { namespace, identifier: { type, value } } };
    case 'g':
      if (!GUID.test(value))
        return fail(`"${text}": a GUID identifier (g=) is 8-4-4-4-12 hex digits, e.g. g=09087e75-8e5e-499b-954f-f2a9603db28a`);
      return { ok: true, nodeId: { namespace, identifier: { type, value: value.toLowerCase() } } };
    case 'b':
      if (value.length === 0 || !BASE64.test(value))
        return fail(`"${text}": an opaque identifier (b=) is base64 text, e.g. b=M/RbKBsRVkePCePcx24oRA==`);
      return { ok: true, nodeId: { namespace, identifier: { type, value: Uint8Array.from(Buffer.from(value, 'base64')) } } };
  }
}

/** The canonical text of a NodeId whose namespace is an index (how servers and the browse list show it). */
export function formatNodeId(n: { index: number; identifier: NodeIdIdentifier }): string {
  const id = n.identifier;
  const value = id.type === 'b' ? Buffer.from(id.value).toString('base64') : String(id.value);
  return `${n.index === 0 ? '' : `ns=${n.index};`}${id.type}=${value}`;
}
