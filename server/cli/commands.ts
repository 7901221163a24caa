import type { Command } from 'commander';
import { registerAbCommands } from './ab.command.ts';

/** Every subcommand group registers here; keep one line per area. */
export function registerCommands(program: Command): void {
  registerAbCommands(program);
  // areas add: registerXCommands(program);
}
