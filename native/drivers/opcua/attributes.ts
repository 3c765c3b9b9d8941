// What a tag made from an OPC UA variable takes from the server: its name, built-in type, access,
// description, and — where the server has them (AnalogItemType, Part 8) — the EngineeringUnits
// (EUInformation) and EURange properties. Three service calls for any number of nodes: one Read of
// the attributes, one Browse of their HasProperty references, one Read of the unit and range values.
import {
  AccessLevelFlag,
  AttributeIds,
  BrowseDirection,
  type ClientSession,
  DataType,
  NodeClass,
  type NodeId,
  StatusCodes,
} from 'node-opcua';
import type { OpcuaTagAttributes } from '../../api/connection-requests.js';
import type { TagDataType } from '../../api/types.js';
import { statusInWords } from './status.js';

/** The built-in integer types (a tag of type int holds them; writes to them must be whole numbers). */
export const INTEGER_TYPES: ReadonlySet<DataType> = new Set([
  DataType.SByte,
  DataType.Byte,
  DataType.Int16,
  DataType.UInt16,
  DataType.Int32,
  DataType.UInt32,
  DataType.Int64,
  DataType.UInt64,
]);

/** The console's tag type for a built-in type; null where a tag cannot hold it (arrays aside: structures, ByteString…). */
export function tagTypeOf(dt: DataType | null): TagDataType | null {
  if (dt === null) return null;
  if (dt === DataType.Boolean) return 'bool';
  if (INTEGER_TYPES.has(dt)) return 'int';
  if (dt === DataType.Float || dt === DataType.Double) return 'float';
  if (dt === DataType.String || dt === DataType.LocalizedText) return 'string';
  return null;
}

/** A tag name the site file takes (letters, digits, _ - .), from the browse name. */
export function tagNameOf(browseName: string): string {
  return browseName.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'Tag';
}

export function emptyAttributes(nodeId: string): OpcuaTagAttributes {
  return {
    nodeId,
    name: null,
    displayName: null,
    description: null,
    dataType: null,
    tagDataType: null,
    unit: null,
    unitDescription: null,
    range: null,
    writable: null,
    problem: null,
  };
}

interface LocalizedTextLike {
  text?: string | null;
}
interface EuInformationLike {
  displayName?: LocalizedTextLike | null;
  description?: LocalizedTextLike | null;
}
interface RangeLike {
  low?: number;
  high?: number;
}

const text = (v: LocalizedTextLike | null | undefined) => (v?.text ? v.text : null);

export async function readTagAttributes(s: ClientSession, nodeIds: NodeId[]): Promise<OpcuaTagAttributes[]> {
  if (nodeIds.length === 0) return [];
  const ATTRS = [
    AttributeIds.NodeClass,
    AttributeIds.BrowseName,
    AttributeIds.DisplayName,
    AttributeIds.Description,
    AttributeIds.AccessLevel,
    AttributeIds.UserAccessLevel,
  ];
  const [values, types, props] = await Promise.all([
    s.read(nodeIds.flatMap((nodeId) => ATTRS.map((attributeId) => ({ nodeId, attributeId })))),
    Promise.all(nodeIds.map((n) => s.getBuiltInDataType(n).catch(() => null))),
    s.browse(
      nodeIds.map((nodeId) => ({
        nodeId,
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: 'HasProperty',
        includeSubtypes: true,
        resultMask: 63,
      })),
    ),
  ]);
  // The EngineeringUnits and EURange properties of each node, read in one call.
  const wanted: { node: number; what: 'unit' | 'range'; id: NodeId }[] = [];
  props.forEach((r, node) => {
    for (const ref of r.references ?? []) {
      if (ref.browseName.name === 'EngineeringUnits') wanted.push({ node, what: 'unit', id: ref.nodeId });
      else if (ref.browseName.name === 'EURange') wanted.push({ node, what: 'range', id: ref.nodeId });
    }
  });
  const propValues = wanted.length === 0 ? [] : await s.read(wanted.map((w) => ({ nodeId: w.id, attributeId: AttributeIds.Value })));

  const out = nodeIds.map((nodeId, i): OpcuaTagAttributes => {
    const at = (k: number) => values[i * ATTRS.length + k];
    const a = emptyAttributes(nodeId.toString());
    const cls = at(0);
    if (!cls || cls.statusCode.value !== StatusCodes.Good.value) {
      a.problem =
        cls?.statusCode.value === StatusCodes.BadNodeIdUnknown.value
          ? 'the server has no such node'
          : `reading the node failed: ${cls ? statusInWords(cls.statusCode) : 'no answer'}`;
      return a;
    }
    const browseName = (at(1)?.value.value as { name?: string } | null)?.name ?? '';
    a.name = tagNameOf(browseName);
    a.displayName = text(at(2)?.value.value as LocalizedTextLike | null);
    a.description = text(at(3)?.value.value as LocalizedTextLike | null);
    if (cls.value.value !== NodeClass.Variable) {
      a.problem = `node class ${NodeClass[cls.value.value as number] ?? 'unknown'}, not Variable: it has no value to read`;
      return a;
    }
    const dt = types[i] ?? null;
    a.dataType = dt === null ? null : (DataType[dt] ?? null);
    a.tagDataType = tagTypeOf(dt);
    if (a.tagDataType === null)
      a.problem = `its data type ${a.dataType ?? 'is unknown'}${a.dataType ? ' is not one a tag holds (bool, int, float, string)' : ''}`;
    const level = at(4)?.value.value;
    const user = at(5)?.value.value;
    if (typeof level === 'number') a.writable = (level & (typeof user === 'number' ? user : level) & AccessLevelFlag.CurrentWrite) !== 0;
    return a;
  });
  wanted.forEach((w, k) => {
    const dv = propValues[k];
    const a = out[w.node];
    if (!dv || !a || dv.statusCode.value !== StatusCodes.Good.value) return;
    if (w.what === 'unit') {
      const eu = dv.value.value as EuInformationLike | null;
      a.unit = text(eu?.displayName);
      a.unitDescription = text(eu?.description);
    } else {
      const r = dv.value.value as RangeLike | null;
      if (r && typeof r.low === 'number' && typeof r.high === 'number' && Number.isFinite(r.low) && Number.isFinite(r.high))
        a.range = { low: r.low, high: r.high };
    }
  });
  return out;
}
