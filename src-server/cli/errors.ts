export { CliError } from '../serving/errors';

/** Prints `berth: <message>` to stderr. Only the message: stacks are for bugs, not for users. */
export function printError(err: unknown): void {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`berth: ${msg.split('\n')[0]}\n`);
}
