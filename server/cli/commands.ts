import type { Command } from 'commander';

/** Every subcommand group registers here; keep one line per area. */
export function registerCommands(_program: Command): void {
  // areas add: registerXCommands(program);
}
