import type { Command } from 'commander';

/** Adds this module's commands to the `berth` program (filled in by issue 3). */
export function registerUserCommands(program: Command): void {
  void program;
}
