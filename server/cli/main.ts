/**
 * `npx siyu …`: one commander program; each area registers its own subcommands from its own file.
 * Exit codes: 0 success, 1 failure, 2 invalid input.
 */
import { Command } from 'commander';
import { registerCommands } from './commands.ts';

const program = new Command('siyu').description('私域 Siyu command line').exitOverride();
registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = (err as { exitCode?: number }).exitCode;
  if (typeof code === 'number') process.exit(code === 1 ? 2 : code);
  throw err;
}
