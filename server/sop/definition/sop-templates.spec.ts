import { expect } from 'chai';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planSteps } from '../schedule/plan.ts';
import { formatProblem, loadSopDirectory } from './sop-loader.ts';
import type { Sop } from './sop.schema.ts';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sop-templates');
const CJK = /[\u4e00-\u9fff]/;

describe('sop-templates/', () => {
  let sops: Sop[] = [];

  before(async () => {
    const loaded = await loadSopDirectory(dir);
    expect(loaded.problems.map(formatProblem), 'every template parses').to.deep.equal([]);
    sops = loaded.sops;
  });

  it('holds at least the six shipped templates, each file named after its id', async () => {
    const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
    expect(sops.map((s) => `${s.id}.yaml`).sort()).to.deep.equal(files);
    expect(sops.map((s) => s.id)).to.include.members([
      'new-friend-onboarding',
      'dormant-30d-winback',
      'vip-birthday-care',
      'fresh-milk-repurchase',
      'store-opening-friend-drive',
      'weekly-group-content',
    ]);
  });

  it('names every SOP and step title in zh-CN and references content by tpl- ids', () => {
    for (const sop of sops) {
      expect(sop.name, sop.id).to.match(CJK);
      for (const step of sop.steps) {
        if (step.title !== undefined) expect(step.title, `${sop.id}/${step.id}`).to.match(CJK);
        if (step.type !== 'send') continue;
        const templates = step.variants ? step.variants.map((v) => v.template) : [step.template];
        for (const t of templates) expect(t, `${sop.id}/${step.id}`).to.match(/^tpl-[a-z0-9-]+$/);
      }
    }
  });

  it('plans every template in Shanghai and in New York across a DST change, in time order', () => {
    for (const sop of sops) {
      for (const [tz, entered] of [
        ['Asia/Shanghai', '2026-11-22T15:50:00Z'],
        ['America/New_York', '2026-03-07T17:00:00Z'],
      ] as const) {
        const plan = planSteps(sop, new Date(entered), tz);
        expect(plan.map((p) => p.step), sop.id).to.deep.equal(sop.steps.map((s) => s.id));
        const times = plan.map((p) => p.at.getTime());
        expect(times, `${sop.id} in ${tz}`).to.deep.equal([...times].sort((a, b) => a - b));
      }
    }
  });

  it('plans the fresh-milk reminders on local day 10 and day 18 at 10:00', () => {
    const milk = sops.find((s) => s.id === 'fresh-milk-repurchase')!;
    const plan = Object.fromEntries(planSteps(milk, new Date('2026-01-31T13:00:00Z'), 'Asia/Shanghai').map((p) => [p.step, p.at.toISOString()]));
    expect(plan['reminder-day10']).to.equal('2026-02-10T02:00:00.000Z');
    expect(plan['reminder-day18']).to.equal('2026-02-18T02:00:00.000Z');
  });
});
