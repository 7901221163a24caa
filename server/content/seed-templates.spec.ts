import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, loadSopDirectory } from '../sop/definition/sop-loader.ts';
import type { Channel } from '../sop/definition/step.schema.ts';
import { checkContent, DEFAULT_SENSITIVE_WORDS } from './content-checks.ts';
import { DEMO_LINK_DOMAINS, SEED_TEMPLATES } from './seed-templates.ts';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sop-templates');

describe('seed content templates', () => {
  /** template id → channels the shipped SOPs send it on. */
  const referenced = new Map<string, Set<Channel>>();

  before(async () => {
    const loaded = await loadSopDirectory(dir);
    expect(loaded.problems.map(formatProblem)).to.deep.equal([]);
    for (const sop of loaded.sops) {
      for (const step of sop.steps) {
        if (step.type !== 'send') continue;
        for (const id of step.variants ? step.variants.map((v) => v.template) : [step.template!]) {
          referenced.set(id, (referenced.get(id) ?? new Set()).add(step.channel));
        }
      }
    }
  });

  it('covers every template id the SOPs in sop-templates/ reference, once each', () => {
    const ids = SEED_TEMPLATES.map((t) => t.templateId);
    expect(new Set(ids).size, 'no duplicates').to.equal(ids.length);
    expect([...referenced.keys()].filter((id) => !ids.includes(id)), 'missing').to.deep.equal([]);
  });

  it('declares the channels the SOPs send each template on', () => {
    for (const [id, channels] of referenced) {
      const t = SEED_TEMPLATES.find((x) => x.templateId === id)!;
      expect(t.channels, id).to.include.members([...channels]);
    }
  });

  it('passes the publish checks with the demo settings and is written in zh-CN', () => {
    const settings = { sensitiveWords: DEFAULT_SENSITIVE_WORDS, allowedLinkDomains: DEMO_LINK_DOMAINS };
    for (const t of SEED_TEMPLATES) {
      expect(checkContent(t, { channels: t.channels, settings }), t.templateId).to.deep.equal([]);
      expect(t.name + t.text, t.templateId).to.match(/[\u4e00-\u9fff]/);
    }
  });
});
