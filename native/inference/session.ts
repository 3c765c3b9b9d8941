// onnxruntime-node sessions, as the worker and the offline tools use them. One thread per session:
// the machine has two cores shared by the whole console, and our graphs are small.
import ort from 'onnxruntime-node';

export type Session = ort.InferenceSession;

export function openSession(bytes: Uint8Array): Promise<Session> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
}

/** Run one float input of shape `dims`; returns the named float outputs, copied out of onnxruntime. */
export async function runFloat(session: Session, input: string, data: Float32Array, dims: number[]): Promise<Record<string, Float32Array>> {
  const feeds = { [input]: new ort.Tensor('float32', data, dims) };
  const results = await session.run(feeds);
  const out: Record<string, Float32Array> = {};
  for (const [name, tensor] of Object.entries(results)) {
    if (tensor.type !== 'float32') throw new Error(`output ${name} is ${tensor.type}, expected float32`);
    out[name] = Float32Array.from(tensor.data as Float32Array);
    tensor.dispose();
  }
  return out;
}
