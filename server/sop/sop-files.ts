/**
 * SOP files in sop-templates/ are published into every corp at boot as drafts (HQ enables them). Invalid files
 * stop the boot with one line per problem (file, path, reason); an unchanged file publishes nothing new.
 */
import path from 'node:path';
import { ConfigError } from '../config.ts';
import type { OrgModule } from '../org/index.ts';
import { formatProblem, loadSopDirectory } from './definition/sop-loader.ts';
import type { SopLedger } from './ledger/index.ts';
import type { SopRegistry } from './runtime/sop-registry.ts';

/** What publishing files needs: every corp, the published records and the registry that publishes. */
export type SopFilesDeps = { org: Pick<OrgModule, 'listCorps'>; ledger: Pick<SopLedger, 'sops'>; sops: Pick<SopRegistry, 'publish'> };

export async function publishSopFiles(services: SopFilesDeps, dir = path.resolve('sop-templates')): Promise<number> {
  const { sops, problems } = await loadSopDirectory(dir);
  if (problems.length) throw new ConfigError(`SOP 模板无效 Invalid SOP templates:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  let published = 0;
  for (const corp of await services.org.listCorps()) {
    for (const sop of sops) {
      const current = await services.ledger.sops.find(corp.corpId, sop.id);
      if (current && JSON.stringify(current.definition) === JSON.stringify(sop)) continue;
      if (current && current.source === 'api') continue; // HQ edited it through the API: the file no longer rules
      await services.sops.publish(corp.corpId, sop, 'file');
      published++;
    }
  }
  return published;
}
