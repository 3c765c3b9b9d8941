// A small builder for ONNX graphs (opset 13), enough for the models the console writes itself:
// constant tensors, a handful of operators, named float inputs and outputs. The output is the
// standard protobuf encoding, loadable by onnxruntime and any ONNX tool.
import { ATTR, ELEM_FLOAT, ELEM_INT64, ModelProto } from './proto.js';

export const OPSET = 13;

interface Node {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: Record<string, unknown>[];
}

type Attr = number | number[] | { float: number };

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly inits: Record<string, unknown>[] = [];
  private readonly inputs: Record<string, unknown>[] = [];
  private readonly outputs: Record<string, unknown>[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, shape: (number | string)[]): string {
    this.inputs.push(valueInfo(name, shape));
    return name;
  }

  output(name: string, shape: (number | string)[]): void {
    this.outputs.push(valueInfo(name, shape));
  }

  /** A float32 constant (stored little-endian as raw_data). */
  floats(values: ArrayLike<number>, dims: number[], name = this.fresh('c')): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) throw new Error(`constant ${name}: ${values.length} values for shape [${dims}]`);
    const data = Float32Array.from(values);
    this.inits.push({ name, dims, data_type: ELEM_FLOAT, raw_data: new Uint8Array(data.buffer) });
    return name;
  }

  int64s(values: number[], name = this.fresh('i')): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.inits.push({ name, dims: [values.length], data_type: ELEM_INT64, raw_data: new Uint8Array(data.buffer) });
    return name;
  }

  /** Add a node; returns its (first) output name. Numbers become INT attributes, arrays INTS. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, output = this.fresh(opType.toLowerCase())): string {
    const attribute = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v)
        ? { name, type: ATTR.INTS, ints: v }
        : typeof v === 'number'
          ? { name, type: ATTR.INT, i: v }
          : { name, type: ATTR.FLOAT, f: v.float },
    );
    this.nodes.push({ input: inputs, output: [output], name: output, op_type: opType, attribute });
    return output;
  }

  encode(meta: Record<string, string> = {}): Uint8Array {
    const model = {
      ir_version: 7,
      opset_import: [{ domain: '', version: OPSET }],
      producer_name: 'aurum-console',
      producer_version: '1',
      graph: { name: this.name, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
      metadata_props: Object.entries(meta).map(([key, value]) => ({ key, value })),
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`invalid ONNX model: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }
}

function valueInfo(name: string, shape: (number | string)[]): Record<string, unknown> {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: ELEM_FLOAT,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}
