/**
 * Chinese word segmentation with @node-rs/jieba (its bundled dictionary, loaded once per process, ~0.3 s) plus
 * a corp dictionary. The corp's words (product and store names) are cut out before jieba sees the text, so one
 * corp's names never change how another corp's text is cut; each such word is kept whole and also as jieba's
 * pieces of it, so "静安店" still meets "静安寺店".
 */
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import { escapeRegExp, normalise } from './normalise.ts';

let shared: Jieba | null = null;
function jieba(): Jieba {
  if (!shared) {
    // The dictionary ships as a CommonJS file next to the binding.
    const { dict } = createRequire(import.meta.url)('@node-rs/jieba/dict') as { dict: Uint8Array };
    shared = Jieba.withDict(dict);
  }
  return shared;
}

/**
 * Words that say nothing about which question is asked: particles, greetings, pronouns, filler, and the
 * pinyin particles people type when the IME is off. Generic question words (怎么, 什么, 能不能) go; the ones that
 * say what is asked (多久, 多少, 哪里, 几点) are kept: they tell "how long" from "how much".
 */
const STOPWORDS = new Set(
  [
    '的 了 吗 呢 啊 呀 吧 哦 噢 嘛 么 哈 嗯 呗 啦 哎 诶 唉 咯 喔 嘞 哇 滴 哒 捏 鸭',
    '请问 问 问下 问一下 一下 想问 想 请 麻烦 谢谢 感谢 你好 您好 哈喽 在 在吗 亲 亲亲 宝 老板 客服 小姐姐',
    '你们 我们 咱们 我 你 您 他 她 它 这个 那个 这 那 这边 那边 就 都 也 还 又 是 要 和 跟 与 及 或 或者',
    '有没有 有没 能不能 可不可以 可以 能 会 怎么 怎样 如何 咋 咋办 什么 啥 一般 具体 那边 这边 那家 那种 这种',
    '就是 然后 个 一个 些 一些 下 呗 嘛 哈哈 哈哈哈 呵呵 嘿嘿 hh hhh haha ma ne a ba o la ya hi hello ok',
  ]
    .join(' ')
    .split(/\s+/),
);

export type Segmenter = {
  /** Search-mode tokens (compound words and their parts), stopwords dropped: what is indexed and queried. */
  tokens(normalisedText: string): string[];
  /** The text with stopwords taken out, for character-bigram similarity. */
  core(normalisedText: string): string;
};

export function createSegmenter(dictionary: readonly string[]): Segmenter {
  const j = jieba();
  const words = [...new Set(dictionary.map(normalise).filter((w) => w.length >= 2))].sort((a, b) => b.length - a.length);
  const protect = words.length ? new RegExp(`(${words.map(escapeRegExp).join('|')})`) : null;
  const known = new Set(words);
  const pieces = (text: string, search: boolean): string[] => {
    const parts = protect ? text.split(protect) : [text];
    const out: string[] = [];
    for (const part of parts) {
      if (!part) continue;
      if (known.has(part)) {
        out.push(part);
        if (search) out.push(...j.cutForSearch(part, true));
        continue;
      }
      out.push(...(search ? j.cutForSearch(part, true) : j.cut(part, true)));
    }
    return out.filter((t) => t.trim() && !STOPWORDS.has(t));
  };
  return {
    // Long words also count by their character pairs: "湖滨路" meets "湖滨", "静安寺店" meets "静安".
    tokens: (text) => [...new Set(pieces(text, true).flatMap((t) => (t.length >= 3 && !/[a-z0-9]/.test(t) ? [t, ...pairsOf(t)] : [t])))],
    core: (text) => pieces(text, false).join(''),
  };
}

function pairsOf(word: string): string[] {
  const chars = Array.from(word);
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}
