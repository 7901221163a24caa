/**
 * `npm run bench -- kb-match [--entries 5000] [--ms 3000]`: the knowledge matcher on the labelled evaluation
 * set (server/kf/fixtures/), then its speed on one core.
 *
 * Quality is measured on the demo knowledge base alone (51 entries), with the default kf settings and the demo
 * vocabulary, over the whole set and over the held-out half (the thresholds and re-rank weights were chosen
 * on the other half, even positions of eval-questions.tsv). Speed pads the demo base with synthetic entries
 * up to `--entries` (product × topic questions with paraphrases) and times `search` + `decide` over the
 * evaluation questions, round after round, for `--ms`.
 */
import { DEMO_KF_VOCABULARY } from '../server/kf/fixtures/demo-knowledge.ts';
import { demoMatchables, evaluate, loadEvalSet, splitEvalSet } from '../server/kf/fixtures/evaluation.ts';
import { DEFAULT_KF_SETTINGS } from '../server/kf/kf-settings.repository.ts';
import { decide } from '../server/kf/matcher/decide.ts';
import type { MatchableEntry } from '../server/kf/matcher/knowledge-matcher.ts';
import { lexicalMatcher } from '../server/kf/matcher/lexical-matcher.ts';
import { intArg } from './support.ts';
import type { BenchResult } from './run.ts';

const PRODUCTS = ['鲜牛奶', '低脂鲜奶', '娟姗鲜奶', '有机鲜奶', 'A2鲜奶', '儿童成长奶', '零乳糖鲜奶', '原味酸奶', '希腊酸奶', '草莓酸奶杯', '芒果酸奶杯', '蓝莓酸奶', '燕麦酸奶', '奶酪棒', '马苏里拉奶酪', '黄油', '淡奶油', '炼乳', '牛奶布丁', '双皮奶', '奶茶粉', '鲜奶吐司', '酸奶碗', '益生菌饮品', '羊奶粉'];
const TOPICS: Array<[string, string[], string]> = [
  ['保质期多久', ['能放几天', '过期时间'], '冷藏保质期见瓶身。'],
  ['多少钱', ['价格是多少', '怎么卖'], '价格以门店为准。'],
  ['怎么保存', ['要冷藏吗', '能冷冻吗'], '请冷藏保存。'],
  ['配料有哪些', ['有添加剂吗', '配料表'], '配料见包装。'],
  ['适合孩子吗', ['小孩能吃吗', '宝宝可以吃吗'], '3 岁以上适合。'],
  ['热量高吗', ['减肥能吃吗', '卡路里多少'], '热量见营养成分表。'],
  ['哪家门店有货', ['门店有现货吗', '在哪能买到'], '三家门店都有。'],
  ['能订到家吗', ['可以配送吗', '能送货上门吗'], '可以订奶到家。'],
  ['有优惠吗', ['打折吗', '有活动吗'], '会员日有优惠。'],
  ['怎么吃比较好', ['有什么吃法', '推荐做法'], '见鲜牧厨房。'],
  ['蛋白质含量多少', ['营养成分', '含钙多少'], '见营养成分表。'],
  ['是什么口味', ['甜不甜', '酸不酸'], '口味清爽。'],
];
const CITIES = ['', '上海', '杭州', '苏州', '南京', '宁波', '无锡', '嘉兴', '湖州', '绍兴', '常州', '合肥', '温州', '金华', '台州', '扬州', '南通'];

/** Synthetic entries for the speed part only: never part of the quality numbers. */
function padding(n: number): MatchableEntry[] {
  const out: MatchableEntry[] = [];
  for (let i = 0; out.length < n; i++) {
    const p = PRODUCTS[i % PRODUCTS.length]!;
    const [topic, similar, answer] = TOPICS[Math.floor(i / PRODUCTS.length) % TOPICS.length]!;
    const city = CITIES[Math.floor(i / (PRODUCTS.length * TOPICS.length)) % CITIES.length]!;
    out.push({ id: `pad-${i}`, version: 1, question: `${city}${p}${topic}`, similar: similar.map((s) => `${city}${p}${s}`), answer: `${p}：${answer}`, storeIds: [], tagIds: [] });
  }
  return out;
}

export async function run(args: string[]): Promise<BenchResult> {
  const entries = intArg(args, 'entries', 5000);
  const ms = intArg(args, 'ms', 3000);
  const set = loadEvalSet();
  const quality = lexicalMatcher().build(demoMatchables(), DEMO_KF_VOCABULARY);
  const all = evaluate(quality, set, DEFAULT_KF_SETTINGS);
  const heldOut = evaluate(quality, splitEvalSet(set).heldOut, DEFAULT_KF_SETTINGS);

  const demo = demoMatchables();
  const buildStart = process.hrtime.bigint();
  const big = lexicalMatcher().build([...demo, ...padding(Math.max(0, entries - demo.length))], DEMO_KF_VOCABULARY);
  const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;
  const texts = set.map((q) => q.text);
  for (const text of texts) decide(text, big.search(text, { limit: 5 }), DEFAULT_KF_SETTINGS);
  let done = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  while (process.hrtime.bigint() < deadline) {
    for (const text of texts) decide(text, big.search(text, { limit: 5 }), DEFAULT_KF_SETTINGS);
    done += texts.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  return {
    bench: 'kb-match',
    questions: all.questions,
    precision_at_1: all.precision_at_1,
    wrong_auto_answer_rate: all.wrong_auto_answer_rate,
    none_handover_rate: all.none_handover_rate,
    auto_answer_rate: all.auto_answer_rate,
    held_out: heldOut,
    tuned_on: 'even positions of eval-questions.tsv',
    matches_per_s: Math.round(done / seconds),
    entries: big.size,
    index_build_ms: Math.round(buildMs),
  };
}
