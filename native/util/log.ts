// One named channel per subsystem. Info and above go to stderr; debug only for the channels listed
// in AURUM_DEBUG (comma-separated, or "*"). Secrets never reach a log line: callers log names, not values.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string) => void;

const debugChannels = new Set((process.env.AURUM_DEBUG ?? '').split(',').filter(Boolean));
const quiet = process.env.AURUM_LOG === 'silent';

export function logger(channel: string): Logger {
  const debug = debugChannels.has('*') || debugChannels.has(channel);
  return (level, message) => {
    if (quiet || (level === 'debug' && !debug)) return;
    process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} [${channel}] ${message}\n`);
  };
}

/**
 * A fault that repeats (a peer that stays down, a register that keeps raising an exception) is logged
 * once when it starts, then as a count every `summaryMs`, and once when it clears — never once per
 * retry. Keys name the thing that fails (connection, unit, address); the clock is injectable for tests.
 */
export class RepeatedFault {
  private readonly active = new Map<string, { message: string; count: number; since: number; lastSummary: number; sinceSummary: number }>();

  constructor(
    private readonly log: Logger,
    private readonly summaryMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Record one occurrence; logs only when the fault starts or a summary is due. */
  report(key: string, message: string, level: LogLevel = 'warn'): void {
    const t = this.now();
    const a = this.active.get(key);
    if (!a) {
      this.active.set(key, { message, count: 1, since: t, lastSummary: t, sinceSummary: 0 });
      this.log(level, message);
      return;
    }
    a.count++;
    a.sinceSummary++;
    a.message = message;
    if (t - a.lastSummary >= this.summaryMs) {
      this.log(
        level,
        `${message} (still failing: ${a.sinceSummary} more times in the last ${Math.round((t - a.lastSummary) / 60_000)} min, ${a.count} since ${new Date(a.since).toISOString()})`,
      );
      a.lastSummary = t;
      a.sinceSummary = 0;
    }
  }

  /** The fault is over: logs once, with how long it lasted and how often it happened. */
  clear(key: string, message?: string): void {
    const a = this.active.get(key);
    if (!a) return;
    this.active.delete(key);
    const seconds = Math.round((this.now() - a.since) / 1000);
    this.log('info', `${message ?? `cleared: ${a.message}`} (after ${a.count} occurrence${a.count === 1 ? '' : 's'} over ${seconds} s)`);
  }

  /** Clear every fault whose key starts with `prefix` (a connection that came back). */
  clearAll(prefix = '', message?: (key: string) => string): void {
    for (const key of [...this.active.keys()]) if (key.startsWith(prefix)) this.clear(key, message?.(key));
  }

  isActive(key: string): boolean {
    return this.active.has(key);
  }
}
