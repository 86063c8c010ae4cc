/**
 * The error a serving process reports to the user as one line (both `berth serve` and the desktop's
 * registry process start through serving/; the CLI prints it without a stack trace).
 */
/** A failure to report to the user as one line, without a stack trace. */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}
