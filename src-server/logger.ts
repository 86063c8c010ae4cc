/** Log levels, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A minimal leveled logger writing one line per entry to a stream (stderr by default). */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** The access log: one line per request, only when enabled. */
  access?(line: string): void;
}

/** Creates a logger that prints entries at `level` and above; `access` enables the request log. */
export function createLogger(
  level: LogLevel = 'info',
  opts: { access?: boolean; write?: (line: string) => void } = {},
): Logger {
  const min = LOG_LEVELS.indexOf(level);
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const at = (l: LogLevel) => (msg: string) => {
    if (LOG_LEVELS.indexOf(l) >= min) write(`${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} ${msg}`);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    access: opts.access ? (line: string) => write(`${new Date().toISOString()} ACCESS ${line}`) : undefined,
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
