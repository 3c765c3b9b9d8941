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
