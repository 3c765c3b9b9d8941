// The part of ONNX's protobuf schema (onnx/onnx.proto, IR version 8) that the console needs to
// write small models itself and to read a model's declared inputs and outputs. Field numbers are
// ONNX's own; messages and fields we never use are left out, which protobuf readers tolerate.
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto2";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; }
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  optional AttributeType type = 20;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; optional string doc_string = 3; }
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string domain = 7;
}
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message TensorProto {
  enum DataType { UNDEFINED = 0; FLOAT = 1; INT64 = 7; }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;
export const ModelProto = root.lookupType('onnx.ModelProto');

export const ELEM_FLOAT = 1;
export const ELEM_INT64 = 7;
export const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;

/** A declared graph input or output: name, element type and shape (strings for symbolic dims). */
export interface TensorSignature {
  name: string;
  elemType: number;
  shape: (number | string)[];
}

interface DecodedDim {
  dim_value?: number | { toNumber(): number };
  dim_param?: string;
}
interface DecodedValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DecodedDim[] } } };
}
interface DecodedModel {
  graph?: { input?: DecodedValueInfo[]; output?: DecodedValueInfo[]; initializer?: { name?: string }[] };
}

function signature(v: DecodedValueInfo): TensorSignature {
  const t = v.type?.tensor_type;
  return {
    name: v.name ?? '',
    elemType: t?.elem_type ?? 0,
    shape: (t?.shape?.dim ?? []).map((d) =>
      d.dim_param !== undefined && d.dim_param !== ''
        ? d.dim_param
        : typeof d.dim_value === 'object'
          ? d.dim_value.toNumber()
          : (d.dim_value ?? '?'),
    ),
  };
}

/**
 * The inputs and outputs a model file declares. Throws a readable error when the bytes are not an
 * ONNX model (protobuf decoding fails or there is no graph).
 */
export function readSignature(bytes: Uint8Array): { inputs: TensorSignature[]; outputs: TensorSignature[] } {
  let decoded: DecodedModel;
  try {
    decoded = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as DecodedModel;
  } catch (err) {
    throw new Error(`not an ONNX model: ${err instanceof Error ? err.message : String(err)}`);
  }
  const g = decoded.graph;
  if (!g) throw new Error('not an ONNX model: it has no graph');
  // Initializers may be listed as inputs in old IR versions; they are not fed by the caller.
  const init = new Set((g.initializer ?? []).map((i) => i.name));
  return {
    inputs: (g.input ?? []).filter((i) => !init.has(i.name)).map(signature),
    outputs: (g.output ?? []).map(signature),
  };
}
