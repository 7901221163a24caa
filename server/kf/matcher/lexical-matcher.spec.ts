import { expect } from 'chai';
import { DEMO_KF_VOCABULARY } from '../fixtures/demo-knowledge.ts';
import { demoMatchables, evaluate, loadEvalSet, splitEvalSet } from '../fixtures/evaluation.ts';
import { DEFAULT_KF_SETTINGS } from '../kf-settings.repository.ts';
import { decide } from './decide.ts';
import type { MatchableEntry } from './knowledge-matcher.ts';
import { lexicalMatcher } from './lexical-matcher.ts';
import { normalise, synonymRewriter } from './normalise.ts';

const entry = (id: string, question: string, similar: string[] = [], extra: Partial<MatchableEntry> = {}): MatchableEntry => ({ id, version: 1, question, similar, answer: '', storeIds: [], tagIds: [], ...extra });
const NO_VOCAB = { dictionary: [], synonyms: [] };

describe('knowledge matcher', () => {
  it('normalises full-width letters and digits, case, punctuation and emoji', () => {
    expect(normalise('ＶＩＰ会员码在哪？？😂１２３ABC！')).to.equal('vip会员码在哪 123abc');
  });

  it('rewrites synonyms to the group head, longest first, leaving words that contain the head alone', () => {
    const rw = synonymRewriter([['营业时间', '开门', '营业'], ['鲜奶', '鲜牛奶', '牛奶']]);
    expect(rw('鲜牛奶几点开门')).to.equal('鲜奶几点营业时间');
    expect(rw('营业时间')).to.equal('营业时间');
  });

  it('ranks the entry whose paraphrase matches first, with a score in [0, 1]', () => {
    const index = lexicalMatcher().build([entry('a', '会员码在哪里看', ['找不到会员二维码']), entry('b', '积分怎么用', ['积分能换什么'])], NO_VOCAB);
    const [top] = index.search('积分可以换什么东西');
    expect(top?.entryId).to.equal('b');
    expect(top!.score).to.be.within(0, 1);
  });

  it('reads a synonym of the corp as its head word', () => {
    const entries = [entry('fee', '配送要运费吗'), entry('hours', '门店几点开门')];
    const plain = lexicalMatcher().build(entries, NO_VOCAB).search('派送收钱吗')[0];
    const withSynonyms = lexicalMatcher().build(entries, { dictionary: [], synonyms: [['配送', '派送'], ['运费', '收钱']] }).search('派送收钱吗')[0];
    expect(withSynonyms?.entryId).to.equal('fee');
    expect(withSynonyms!.score).to.be.greaterThan(plain?.score ?? 0);
  });

  it('keeps a corp dictionary word whole, so a store name is one strong word', () => {
    const entries = [entry('jingan', '鲜牧静安寺店在哪里'), entry('other', '鲜牧店铺营业到几点')];
    const index = lexicalMatcher().build(entries, { dictionary: ['鲜牧静安寺店'], synonyms: [] });
    expect(index.search('鲜牧静安寺店怎么走')[0]?.entryId).to.equal('jingan');
  });

  it('scores a question about something the base does not cover low even when it shares a common word', () => {
    const index = lexicalMatcher().build([entry('shelf', '鲜奶保质期多久'), entry('price', '鲜奶多少钱')], NO_VOCAB);
    const known = index.search('鲜奶的保质期是几天')[0]!;
    const unknown = index.search('鲜奶能用来做冰淇淋蛋糕吗')[0];
    expect(known.entryId).to.equal('shelf');
    expect(unknown?.score ?? 0).to.be.lessThan(known.score - 0.2);
  });

  it('leaves out entries limited to other stores or tags when the asker is known', () => {
    const index = lexicalMatcher().build([entry('sh', '停车怎么收费', [], { storeIds: ['s1'] }), entry('hz', '停车怎么收费呢', [], { storeIds: ['s2'] })], NO_VOCAB);
    expect(index.search('停车收费吗', { storeId: 's2' }).map((c) => c.entryId)).to.deep.equal(['hz']);
    expect(index.search('停车收费吗').map((c) => c.entryId)).to.have.members(['sh', 'hz']);
  });
});

describe('match decision', () => {
  const policy = { answerThreshold: 0.6, suggestThreshold: 0.4, handoverKeywords: ['投诉', '人工'] };
  const c = (entryId: string, score: number) => ({ entryId, version: 1, question: entryId, score });

  it('answers above the high threshold, suggests the top three between, hands over below', () => {
    expect(decide('x', [c('a', 0.8), c('b', 0.3)], policy).decision).to.equal('answer');
    const suggest = decide('x', [c('a', 0.5), c('b', 0.45), c('c', 0.42), c('d', 0.41)], policy);
    expect(suggest.decision).to.equal('suggest');
    expect(suggest.candidates.map((x) => x.entryId)).to.deep.equal(['a', 'b', 'c']);
    expect(decide('x', [c('a', 0.3)], policy).decision).to.equal('handover');
    expect(decide('x', [], policy).decision).to.equal('handover');
  });

  it('suggests instead of answering when the top two entries are too close to tell apart', () => {
    expect(decide('x', [c('a', 0.8), c('b', 0.79)], policy).decision).to.equal('suggest');
  });

  it('hands over on an always-handover keyword whatever the score, full-width or not', () => {
    const r = decide('我要ＴＯＵ诉…转人工！', [c('a', 0.95)], policy);
    expect(r).to.include({ decision: 'handover', keyword: '人工' });
  });
});

describe('knowledge matcher on the labelled evaluation set', () => {
  const set = loadEvalSet();
  const index = lexicalMatcher().build(demoMatchables(), DEMO_KF_VOCABULARY);

  it('holds at least 300 questions, 60 of them matching nothing, against at least 40 entries', () => {
    expect(set.length).to.be.at.least(300);
    expect(set.filter((q) => !q.expected).length).to.be.at.least(60);
    expect(demoMatchables().length).to.be.at.least(40);
  });

  it('meets the targets on the held-out half with the default settings (tuned on the other half)', () => {
    const m = evaluate(index, splitEvalSet(set).heldOut, DEFAULT_KF_SETTINGS);
    expect(m.precision_at_1, 'precision@1').to.be.at.least(0.85);
    expect(m.wrong_auto_answer_rate, 'wrong auto-answers').to.be.at.most(0.03);
    expect(m.none_handover_rate, 'nothing-matches handed over').to.be.at.least(0.9);
  });
});
