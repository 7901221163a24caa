/**
 * The inbound seams of issue #14: the channels core dispatches events without knowing other domains (they
 * register reactions from their own wiring), and vendor payload knowledge stays in the adapters (the inbox asks
 * the adapter for a payload's priority instead of reading WeCom XML itself).
 */
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

const importsOf = (text: string) => [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

describe('inbound seams', () => {
  it('inbound-dispatch.ts imports only channels files and the adapter contract', async () => {
    const file = 'server/channels/inbound-dispatch.ts';
    const outside = importsOf(await readFile(path.join(ROOT, file), 'utf8'))
      .map((spec) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), spec)))
      .filter((target) => !target.startsWith('server/channels/') && target !== 'adapters/channel-adapter.ts');
    expect(outside).to.deep.equal([]);
  });

  it('no core file (server/, jobs/) reads vendor XML: WeCom element names stay in adapters/', async () => {
    const files = [...(await sourceFiles('server')), ...(await sourceFiles('jobs'))];
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(ROOT, file), 'utf8');
      if (/<(ChangeType|WelcomeCode|ExternalUserID|MsgType|Event)>|<!\\?\[CDATA\\?\[/.test(text)) offenders.push(file);
    }
    expect(offenders).to.deep.equal([]);
  });
});
