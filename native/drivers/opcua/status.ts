// node-opcua's status codes and thrown errors in plain words, for reasons shown beside a tag, in
// diagnostics and in the log. The status name stays in parentheses so an engineer can look it up.
import type { StatusCode } from 'node-opcua';
import { describeError } from '../../util/errors.js';

const WORDS: Record<string, string> = {
  BadNodeIdUnknown: 'the server has no node with this NodeId',
  BadNodeIdInvalid: 'the server says this NodeId is not valid',
  BadAttributeIdInvalid: 'this node has no value to read (it is not a variable)',
  BadNotReadable: 'the server does not allow reading this node',
  BadNotWritable: 'the server does not allow writing this node',
  BadUserAccessDenied: "the console's user may not access this node",
  BadTypeMismatch: 'the server refuses a value of this type for this node',
  BadOutOfRange: 'the value is outside the range the server accepts',
  BadWriteNotSupported: 'the server does not support writing this node',
  BadMonitoredItemFilterUnsupported: 'the server does not support a deadband filter on this node',
  BadFilterNotAllowed: 'the server does not allow a deadband filter on this node',
  BadDeadbandFilterInvalid: 'the server refuses this deadband (a percent deadband needs an EURange on the node)',
  BadMonitoredItemFilterInvalid: 'the server refuses this deadband filter',
  BadTooManyMonitoredItems: 'the server accepts no more monitored items',
  BadTooManyOperations: 'the server refuses so many items in one request',
  BadWaitingForInitialData: 'the server has no value for this node yet',
  BadNoCommunication: 'the server has no communication with the device behind this node',
  BadOutOfService: 'the server reports this node out of service',
  BadDeviceFailure: 'the server reports a failure of the device behind this node',
  BadSensorFailure: 'the server reports a sensor failure',
  BadConfigurationError: 'the server reports a configuration error for this node',
  BadCommunicationError: 'communication with the server failed',
  BadConnectionClosed: 'the server closed the connection',
  BadTimeout: 'the server did not answer in time',
  BadServerHalted: 'the server has stopped',
  BadShutdown: 'the server is shutting down',
  BadSessionIdInvalid: 'the server no longer knows the session',
  BadSessionClosed: 'the server closed the session',
  BadSecurityChecksFailed: "the server's security checks failed",
  BadCertificateUntrusted: 'the certificate is not trusted',
  BadCertificateUriInvalid: "the certificate's application URI does not match",
  BadCertificateTimeInvalid: 'the certificate has expired or is not yet valid',
  BadCertificateRevoked: 'the certificate has been revoked',
  BadIdentityTokenInvalid: 'the server refused the user name or password',
  BadIdentityTokenRejected: 'the server refused the user name or password',
  UncertainLastUsableValue: 'the server reports its last usable value',
  UncertainSensorNotAccurate: 'the server reports the sensor as not accurate',
  UncertainEngineeringUnitsExceeded: 'the value is outside the engineering range',
  UncertainSubNormal: 'the value is derived from too few sources',
  UncertainInitialValue: 'the server reports an initial value',
};

/** "the server has no node with this NodeId (BadNodeIdUnknown)". */
export function statusInWords(status: StatusCode | { name: string; value: number }): string {
  const name = status.name.split('#')[0] ?? status.name;
  const words = WORDS[name];
  if (words) return `${words} (${name})`;
  const severity = status.value >>> 30;
  return `${severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad'} status ${name}`;
}

/** Where the console's own certificate is and how the server lists it, for refusal messages. */
export interface OwnCertificate {
  thumbprint: string;
  file: string;
}

export interface ErrorContext {
  endpoint: string;
  securityMode: string;
  securityPolicy: string;
  user?: string;
  own: OwnCertificate | null;
  /** Thumbprint (colon hex) of the server certificate the console checked on this attempt. */
  serverThumbprint: string | null;
}

/**
 * A connect or session error from node-opcua as a sentence. The cases an integrator meets first
 * (server down, wrong host, untrusted certificates either way, wrong security, wrong login) get their
 * own sentence; anything else its first line through describeError.
 */
export function describeOpcuaError(err: unknown, ctx: ErrorContext): string {
  const text = describeError(err);
  const full = err instanceof Error ? err.message : text;
  const own = ctx.own ? `the console's certificate (SHA-1 thumbprint ${ctx.own.thumbprint})` : "the console's certificate";
  const trustIt = `trust it on the server${ctx.own ? ` (the certificate is the file ${ctx.own.file})` : ''}`;
  if (/server Certificate verification failed/i.test(full) || /BadCertificate\w*.*server certificate/i.test(full)) {
    const status = /err (\w+)/.exec(full)?.[1];
    return `the console does not trust the server's certificate${ctx.serverThumbprint ? ` (SHA-1 thumbprint ${ctx.serverThumbprint})` : ''}${
      status ? `: ${statusInWords({ name: status, value: 0x80000000 })}` : ''
    }; review it under Connections → OPC UA server certificates and trust it there`;
  }
  const rejected = /rejected by server: (\w+)/.exec(full)?.[1];
  if (rejected && /BadSecurityChecksFailed|BadCertificate/.test(rejected))
    return `the server refused ${own}: ${trustIt}; the server said: ${statusInWords({ name: rejected, value: 0x80000000 })}`;
  if (/may have been rejected by server/i.test(full) || /socket has been disconnected|premature socket termination/i.test(full)) {
    if (ctx.securityMode !== 'None')
      return `the server closed the connection while the secure channel was opened: it most likely refused ${own}: ${trustIt}`;
    return `the server at ${ctx.endpoint} closed the connection before a session was opened`;
  }
  if (/ECONNREFUSED/.test(full)) return `nothing accepts connections at ${ctx.endpoint} (is the server running, is the port right?)`;
  if (/ENOTFOUND|EAI_AGAIN/.test(full)) return `the host name of ${ctx.endpoint} cannot be resolved`;
  if (/EHOSTUNREACH|ENETUNREACH/.test(full)) return `the host of ${ctx.endpoint} cannot be reached on the network`;
  if (/ETIMEDOUT|timeout/i.test(full)) return `the server at ${ctx.endpoint} did not answer in time`;
  if (/cannot find endpoint/i.test(full))
    return `the server offers no endpoint with securityMode ${ctx.securityMode} and securityPolicy ${ctx.securityPolicy}; change them to one the server offers`;
  if (/BadIdentityToken|BadUserAccessDenied/.test(full))
    return ctx.user
      ? `the server refused the login of user "${ctx.user}" (wrong user name or password?)`
      : 'the server refuses anonymous sessions: give a user';
  const status = /\b(Bad\w+)\b/.exec(full)?.[1];
  if (status && WORDS[status]) return `${statusInWords({ name: status, value: 0x80000000 })}`;
  // node-opcua's internal assertions throw an Error without a message.
  if (text === 'Error' || text === 'unknown error') return 'node-opcua refused the request without saying why (an internal check failed)';
  return text.replace(/\s*Err = \(.*$/, '');
}
