import type { Command } from 'commander';
import { registerAbCommands } from './ab.command.ts';
import { registerSopCommands } from './sop.command.ts';
import { registerSyncCommands } from './sync.command.ts';
import { registerLeadsCommands } from './leads.command.ts';
import { registerSetupCommands } from './setup.command.ts';

/** Every subcommand group registers here; keep one line per area. */
export function registerCommands(program: Command): void {
  registerAbCommands(program);
  registerSopCommands(program);
  registerSyncCommands(program);
  registerLeadsCommands(program);
  registerSetupCommands(program);
  // areas add: registerXCommands(program);
}
