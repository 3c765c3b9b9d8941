// The core's side of the contract: one table of handlers, filled by each capability, called by
// every transport (IPC, WebSocket, HTTP). Arguments are validated here, once, for all of them;
// failures come back as an error envelope, never as a thrown exception across the boundary. A
// failed argument check is answered in sentences naming each field (util/describe.ts), never in
// the validator's own wording, so no client has to parse it.
import type { z } from 'zod';
import { describeZodError } from '../util/describe.js';
import { type CallContext, type Handler, type Handlers, type RequestName, requestSchemas } from './contract.js';
import type { ApiError, ApiResult, FieldProblem } from './types.js';

/** An error a handler throws on purpose, with a kind the transports map to a status (404, 409…). */
export class ApiFailure extends Error {
  constructor(
    readonly type:
      | 'validation'
      | 'not_found'
      | 'forbidden'
      | 'unauthenticated'
      | 'conflict'
      | 'too_large'
      | 'too_many'
      | 'unavailable'
      | 'internal',
    message: string,
    /** The argument fields the refusal is about, when a screen should point at (or ask for) one. */
    readonly fields?: FieldProblem[],
  ) {
    super(message);
  }
}

type Gate = (name: RequestName, ctx: CallContext) => ApiError | null;

export class HandlerRegistry {
  private readonly handlers = new Map<string, Handler<RequestName>>();
  private gate: Gate = () => null;

  register(part: Partial<Handlers>): void {
    for (const [name, handler] of Object.entries(part)) {
      if (!(name in requestSchemas)) throw new Error(`handler "${name}" has no request schema in native/api`);
      if (this.handlers.has(name)) throw new Error(`handler "${name}" is registered twice`);
      this.handlers.set(name, handler as Handler<RequestName>);
    }
  }

  /** Install the authorisation check every call passes through (the auth capability provides it). */
  setGate(gate: Gate): void {
    this.gate = gate;
  }

  names(): string[] {
    return [...this.handlers.keys()];
  }

  async call(name: string, rawArgs: unknown, ctx: CallContext): Promise<ApiResult<unknown>> {
    if (!(name in requestSchemas)) return { error: { type: 'not_found', message: `unknown request "${name}"` } };
    // The gate comes first: who may not make a request learns nothing about it.
    const denied = this.gate(name as RequestName, ctx);
    if (denied) return { error: denied };
    const handler = this.handlers.get(name);
    if (!handler)
      return { error: { type: 'unavailable', message: `"${name}" is not available on this site (its capability is not configured)` } };
    const schema = requestSchemas[name as RequestName] as z.ZodType;
    const args = rawArgs ?? {};
    const parsed = schema.safeParse(args);
    if (!parsed.success) {
      // Worded here, once, for every client: each field's sentence, and all of them as the message.
      const fields = describeZodError(parsed.error, schema, args);
      return { error: { type: 'validation', message: fields.map((f) => f.message).join('; '), fields } };
    }
    try {
      return { data: await handler(parsed.data as never, ctx) };
    } catch (err) {
      if (err instanceof ApiFailure)
        return { error: { type: err.type, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } };
      return { error: { type: 'internal', message: err instanceof Error ? err.message : String(err) } };
    }
  }
}
