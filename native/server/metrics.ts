// GET /metrics in Prometheus text format: the same figures as the Connections screen, plus the
// core's own (tag-bus rate, event-loop lag, and whatever each service reports), so existing
// Prometheus/Grafana stacks can watch a fleet of consoles.
//
// The figures describe the plant's connections and the console's load, so they are not public: a
// scraper presents the configured scrape token (AURUM_METRICS_TOKEN) as a bearer token, a person
// a session with the engineer or admin role.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Registry } from 'prom-client';
import type { CallContext } from '../api/contract.js';
import type { ApiError, ConnectionDiagnostics } from '../api/types.js';
import { can, isRole } from '../auth/roles.js';
import type { Core } from '../core.js';

export interface MetricsExporter {
  contentType: string;
  render(): Promise<string>;
  /** null when the caller may read the figures, otherwise the refusal to send. */
  authorize(req: IncomingMessage, ctx: CallContext): ApiError | null;
  /** A WebSocket client was dropped for not reading (its send buffer passed the bound). */
  countSlowClientDrop(): void;
  stop(): void;
}

export interface MetricsOptions {
  /** Bearer token a scraper presents instead of a session; none: sessions only. */
  scrapeToken?: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of the presented bearer token with the scrape token (hashing first evens out the lengths). */
function isScrapeToken(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1] !== undefined && timingSafeEqual(digest(m[1]), digest(token));
}

export function createMetrics(core: Core, opts: MetricsOptions = {}): MetricsExporter {
  const registry = new Registry();
  registry.setDefaultLabels({ site: core.info.site });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();

  new Counter({
    name: 'aurum_tag_bus_samples_total',
    help: 'Samples accepted by the tag bus since start',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(core.bus.samplesIn);
    },
  });
  new Gauge({
    name: 'aurum_event_loop_lag_seconds',
    help: 'Event-loop delay of the core (p99 over the last scrape interval)',
    registers: [registry],
    collect() {
      this.set(lag.percentile(99) / 1e9);
      lag.reset();
    },
  });
  const connectionLabels = ['connection', 'protocol'] as const;
  /** One gauge per diagnostics figure, labelled by connection; figures a connection lacks are left out. */
  const connectionGauge = (name: string, help: string, figure: (d: ConnectionDiagnostics) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: connectionLabels,
      registers: [registry],
      collect() {
        this.reset();
        for (const driver of core.drivers.values()) {
          const d = driver.diagnostics();
          const v = figure(d);
          if (v !== null) this.set({ connection: d.name, protocol: d.protocol }, v);
        }
      },
    });
  connectionGauge('aurum_connection_up', '1 when the connection is connected', (d) => (d.state === 'connected' ? 1 : 0));
  connectionGauge('aurum_connection_rate', 'Requests (Modbus) or notifications (OPC UA, MQTT) per second', (d) => d.rate);
  connectionGauge('aurum_connection_latency_seconds', 'Round-trip latency of the last request', (d) =>
    d.latencyMs === null ? null : d.latencyMs / 1000,
  );
  connectionGauge('aurum_connection_reconnects', 'Reconnections since start', (d) => d.reconnects);
  new Gauge({
    name: 'aurum_connection_errors',
    help: 'Errors since start, by kind',
    labelNames: [...connectionLabels, 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of core.drivers.values()) {
        const diag = d.diagnostics();
        for (const [kind, n] of Object.entries(diag.errors)) this.set({ connection: diag.name, protocol: diag.protocol, kind }, n);
      }
    },
  });
  new Gauge({
    name: 'aurum_service_metric',
    help: 'Figures reported by the core services (historian queue depth, batch latency, model latency…)',
    labelNames: ['service', 'metric'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [service, figures] of Object.entries(core.serviceMetrics())) {
        for (const [metric, value] of Object.entries(figures)) if (Number.isFinite(value)) this.set({ service, metric }, value);
      }
    },
  });

  const slowDrops = new Counter({
    name: 'aurum_ws_slow_clients_dropped_total',
    help: 'WebSocket clients closed because they stopped reading (send buffer over the bound)',
    registers: [registry],
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    authorize(req, ctx) {
      if (isScrapeToken(req, opts.scrapeToken)) return null;
      if (ctx.role === null || !ctx.user) {
        return { type: 'unauthenticated', message: 'the metrics need a session (engineer or admin) or the scrape token as a bearer token' };
      }
      if (!isRole(ctx.role) || !can(ctx.role, 'configure'))
        return { type: 'forbidden', message: `the metrics are for engineers and administrators, not the ${ctx.role} role` };
      return null;
    },
    countSlowClientDrop: () => slowDrops.inc(),
    stop: () => lag.disable(),
  };
}
