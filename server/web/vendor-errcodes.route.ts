/**
 * The vendor errcode table for pages, as a small generated module (/web/shared/vendor-errcodes.js): a touch that
 * failed with `vendor:41048` reads 「企业微信拒绝：客户不存在或未添加该成员为好友 (41048) — 请确认客户仍是该成员的好友」.
 * The table is vendor knowledge and stays in adapters/; pages get it from here instead of a copy.
 */
import { describeVendorError, VENDOR_ERRCODES } from '../../adapters/registry.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';

const PLACEHOLDER = '__ERRCODE__';

export function vendorErrcodesModule(): string {
  const texts = Object.fromEntries(Object.keys(VENDOR_ERRCODES).map((code) => [code, describeVendorError(code)]));
  return [
    '/* Generated from adapters/wecom/wecom-errcodes.ts by server/web/vendor-errcodes.route.ts. */',
    `const TEXTS = ${JSON.stringify(texts)};`,
    `const UNKNOWN = ${JSON.stringify(describeVendorError(PLACEHOLDER))};`,
    '/** zh-CN explanation of a WeCom errcode (the code kept in the text); `vendor:41048` is accepted too. */',
    'export function vendorErrorText(code) {',
    "  const key = String(code).replace(/^vendor:/, '');",
    `  return TEXTS[key] ?? UNKNOWN.replace(${JSON.stringify(PLACEHOLDER)}, key);`,
    '}',
    '',
  ].join('\n');
}

export const vendorErrcodeRoutes: RouteDef[] = [
  defineRoute({
    method: 'get',
    path: '/web/shared/vendor-errcodes.js',
    tag: 'web',
    summary: '页面公用：平台错误码说明 zh-CN explanations of WeCom errcodes for pages (generated from the adapters’ table)',
    roles: 'public',
    async handler(_input, { koa }) {
      koa.set('X-Content-Type-Options', 'nosniff');
      koa.set('Cache-Control', 'no-cache');
      koa.type = 'text/javascript; charset=utf-8';
      koa.body = vendorErrcodesModule();
    },
  }),
];
