// The uplink for back ends without MQTT: each batch is one POST of the JSON batch body. A 2xx
// answer is the acknowledgement; anything else (or no answer in time) is a failure, and the
// service retries from the first unacknowledged row after its backoff. The Idempotency-Key
// header names the batch's first and last message ids, so a repeated POST can be recognised.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { SyncConfig } from './config.js';

export interface HttpPoster {
  post(body: Buffer, headers: Record<string, string>, done: (err: Error | null) => void): void;
  close(): void;
}

export function createHttpPoster(cfg: SyncConfig, auth: { authorization?: string }): HttpPoster {
  const url = new URL(cfg.url);
  const secure = url.protocol === 'https:';
  const t = cfg.tls;
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        ...(t?.ca ? { ca: fs.readFileSync(t.ca) } : {}),
        ...(t?.cert ? { cert: fs.readFileSync(t.cert) } : {}),
        ...(t?.key ? { key: fs.readFileSync(t.key) } : {}),
        ...(t?.servername ? { servername: t.servername } : {}),
        rejectUnauthorized: t?.rejectUnauthorized ?? true,
      })
    : new http.Agent({ keepAlive: true });
  return {
    post(body, headers, done) {
      let settled = false;
      const finish = (err: Error | null) => {
        if (settled) return;
        settled = true;
        done(err);
      };
      const req = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent,
          timeout: cfg.connectTimeoutMs,
          headers: {
            'content-length': String(body.length),
            ...headers,
            ...(auth.authorization ? { authorization: auth.authorization } : {}),
          },
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          res.on('end', () => finish(status >= 200 && status < 300 ? null : new Error(`${cfg.url} answered HTTP ${status}`)));
          res.on('error', finish);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${cfg.url} did not answer within ${cfg.connectTimeoutMs} ms`)));
      req.on('error', finish);
      req.end(body);
    },
    close: () => agent.destroy(),
  };
}
