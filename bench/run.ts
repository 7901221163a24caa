/**
 * `npm run bench -- <name> [args…]`: runs bench/<name>.bench.ts, whose `run(args)` returns the result object;
 * the result is printed as the last line, one JSON object, so scripts can `tail -1`. A bench of several rounds
 * prints a line per round as it goes and returns them all; a bench that found a fault sets process.exitCode.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type BenchResult = { bench: string } & Record<string, unknown>;
export type BenchModule = { run(args: string[]): Promise<BenchResult | BenchResult[]> };

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [args…]`);
  process.exit(2);
}
const mod = (await import(path.join(dir, `${name}.bench.ts`))) as BenchModule;
const result = await mod.run(args);
if (!Array.isArray(result)) console.log(JSON.stringify(result));
process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
