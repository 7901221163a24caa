/**
 * The pages under server/web, served as they are (no build step): a fixed list of files, so no request path
 * ever reaches the file system. Every page answer carries a strict Content-Security-Policy: scripts, styles and
 * API calls from this origin only, no inline code, no framing (the chat toolbar page excepted: WeCom frames it).
 * Vendor scripts (ECharts for /hq) are served from node_modules under /vendor, never from a CDN.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Context } from 'koa';
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { vendorErrcodeRoutes } from './vendor-errcodes.route.ts';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

const vendorFile = (specifier: string) => pathToFileURL(createRequire(import.meta.url).resolve(specifier));

/** The id of a page such as /hq/customers/:id: the page reads it from its address, the server only bounds it. */
const pageIdParams = z.strictObject({ id: z.string().min(1).max(128) });

/** URL path → file below server/web (a string) or a vendor file (a URL). */
const FILES: ReadonlyArray<[path: string, file: string | URL, summary: string]> = [
  ['/m', 'm/index.html', '员工手机端 The staff phone page: today’s tasks'],
  ['/m/app.js', 'm/app.js', '员工手机端脚本 Script of the staff phone page'],
  ['/m/app.css', 'm/app.css', '员工手机端样式 Styles of the staff phone page'],
  ['/web/m/tickets.js', 'm/tickets.js', '员工手机端「我的工单」 The staff phone page’s open kf tickets'],
  ['/hq', 'hq/index.html', '总部控制台 The HQ console: content, SOPs, dry runs and execution'],
  ['/hq/hq.js', 'hq/hq.js', '总部控制台脚本 Script of the HQ console'],
  ['/hq/hq.css', 'hq/hq.css', '总部控制台样式 Styles of the HQ console'],
  ['/experiments', 'experiments/index.html', 'A/B 实验看板 The experiments dashboard: verdicts, statistics, charts, SRM, per store, CSV'],
  ['/experiments/experiments.js', 'experiments/experiments.js', 'A/B 实验看板脚本 Script of the experiments dashboard'],
  ['/experiments/format.js', 'experiments/format.js', 'A/B 实验看板：数字格式与文案 Number formats and words of the experiments dashboard'],
  ['/experiments/charts.js', 'experiments/charts.js', 'A/B 实验看板：图表 ECharts charts of the experiments dashboard'],
  ['/experiments/experiments.css', 'experiments/experiments.css', 'A/B 实验看板样式 Styles of the experiments dashboard'],
  ['/hq/live-codes', 'live-codes/index.html', '渠道活码 HQ live codes: create, QR for print, welcome, numbers and chart'],
  ['/hq/live-codes/live-codes.js', 'live-codes/live-codes.js', '渠道活码脚本 Script of the live-codes page'],
  ['/hq/live-codes/live-codes.css', 'live-codes/live-codes.css', '渠道活码样式 Styles of the live-codes page'],
  ['/stores/nearest', 'live-codes/nearest.html', '附近门店 Public page: the nearest store’s code by city or location'],
  ['/stores/nearest.js', 'live-codes/nearest.js', '附近门店脚本 Script of the nearest-store page'],
  ['/hq/campaigns', 'campaigns/index.html', '加粉活动 HQ add-friend campaigns: setup, lead import, funnel, leaderboard, greeting experiment'],
  ['/hq/campaigns/campaigns.js', 'campaigns/campaigns.js', '加粉活动脚本 Script of the campaigns page'],
  ['/hq/campaigns/campaigns.css', 'campaigns/campaigns.css', '加粉活动样式 Styles of the campaigns page'],
  ['/vendor/echarts.min.js', vendorFile('echarts/dist/echarts.min'), 'ECharts 图表库 The ECharts library (node_modules/echarts/dist/echarts.min.js)'],
  ['/hq/handover', 'handover/index.html', '客户继承 HQ customer handover: start 在职 / 离职继承, read the report'],
  ['/hq/handover/handover.js', 'handover/handover.js', '客户继承脚本 Script of the handover page'],
  ['/hq/handover/handover.css', 'handover/handover.css', '客户继承样式 Styles of the handover page'],
  ['/hq/customers', 'customers/index.html', '客户 The customer list: filters, counts, CSV export, saved filters (人群包), bulk tags'],
  ['/web/customers/customers.js', 'customers/customers.js', '客户列表脚本 Script of the customer list'],
  ['/web/customers/customers.css', 'customers/customers.css', '客户列表样式 Styles of the customer list'],
  ['/hq/org', 'org/index.html', '门店与员工 HQ stores and staff: stores, staff, one-time sign-in links (QR), API tokens'],
  ['/hq/org/org.js', 'org/org.js', '门店与员工脚本 Script of the stores-and-staff page'],
  ['/hq/org/org.css', 'org/org.css', '门店与员工样式 Styles of the stores-and-staff page'],
  ['/hq/settings', 'settings/index.html', '设置 HQ settings: channel accounts, sensitive words, link-domain allow-list'],
  ['/hq/settings/settings.js', 'settings/settings.js', '设置脚本 Script of the settings page'],
  ['/hq/settings/settings.css', 'settings/settings.css', '设置样式 Styles of the settings page'],
  ['/sidebar', 'sidebar/index.html', '聊天工具栏 The WeCom chat sidebar: customer profile, tags, notes, quick replies'],
  ['/sidebar/sidebar.js', 'sidebar/sidebar.js', '聊天工具栏脚本 Script of the chat sidebar'],
  ['/sidebar/sidebar.css', 'sidebar/sidebar.css', '聊天工具栏样式 Styles of the chat sidebar'],
  ['/vendor/wecom-jssdk.js', vendorFile('@wecom/jssdk/dist/wecom.global.prod.js'), '企业微信 JS-SDK The WeCom JS-SDK, global `ww` (node_modules/@wecom/jssdk/dist/wecom.global.prod.js)'],
  ['/service', 'service/index.html', '客服工作台 The 微信客服 desk: waiting pool, my sessions, conversation, knowledge, review queue'],
  ['/service/service.js', 'service/service.js', '客服工作台脚本 Script of the service desk'],
  ['/service/service.css', 'service/service.css', '客服工作台样式 Styles of the service desk'],
  ['/web/shared/dom.js', 'shared/dom.js', '页面公用：DOM 小工具 DOM helpers every page imports (el, $, bilingual labels, the error box)'],
  ['/web/shared/api.js', 'shared/api.js', '页面公用：接口调用 The JSON API client every page imports (bearer token, corpId, the page’s error texts)'],
  ['/web/shared/token-sign-in.js', 'shared/token-sign-in.js', '页面公用：令牌登录 Token sign-in of pages outside the console (the /service desk: #token= hand-over, the sign-in form, sign-out)'],
  ['/hq/customers/:id', 'customer/index.html', '客户详情 The customer detail page (the same page for every id): identities, relations, tags, groups, consent, notes, timeline, SOPs, arms, leads'],
  ['/web/customer/customer.js', 'customer/customer.js', '客户详情脚本 Script of the customer detail page'],
  ['/web/customer/kit.js', 'customer/kit.js', '客户/标签/客户群页面公用 Labels, dates, stacking tables and page states of the customer, tag and group pages'],
  ['/web/customer/kit.css', 'customer/kit.css', '客户/标签/客户群页面样式 Styles of the customer, tag and group pages'],
  ['/hq/tags', 'tags/index.html', '标签管理 The tag library: groups, WeCom or local, usage counts, create / rename / merge / delete'],
  ['/web/tags/tags.js', 'tags/tags.js', '标签管理脚本 Script of the tag page'],
  ['/hq/groups', 'groups/index.html', '客户群 Customer groups: list with owner, store and name filters'],
  ['/hq/groups/:id', 'groups/index.html', '客户群详情 One customer group (the same page for every id): members, quits, trend, group SOPs'],
  ['/web/groups/groups.js', 'groups/groups.js', '客户群脚本 Script of the customer-group pages'],
  ['/hq/knowledge', 'knowledge/index.html', '知识库 The 微信客服 knowledge base: entries, versions, A/B answer variants, CSV import / export, a match try-out, service settings'],
  ['/web/knowledge/knowledge.js', 'knowledge/knowledge.js', '知识库脚本 Script of the knowledge-base page'],
  ['/web/knowledge/kb-entry.js', 'knowledge/kb-entry.js', '知识库：条目对话框 The create / edit dialog of the knowledge-base page (variants, old versions)'],
  ['/web/knowledge/kb-settings.js', 'knowledge/kb-settings.js', '知识库：客服设置 The service-settings tab of the knowledge-base page'],
  ['/web/knowledge/knowledge.css', 'knowledge/knowledge.css', '知识库样式 Styles of the knowledge-base page'],
  ['/web/shared/console.js', 'shared/console.js', '控制台外壳 The console shell of every HQ page: navigation by role, one token sign-in, /api/me'],
  ['/web/shared/console.css', 'shared/console.css', '控制台外壳样式 Styles of the console shell (left navigation, phone menu)'],
];

/**
 * Who may frame the chat toolbar page (/sidebar). The WeCom desktop and mobile clients open a toolbar page as
 * the top-level document of their own webview, where framing rules do not apply; the clients that show it
 * inside a page of their own (WeCom on the web, the admin console's preview of the toolbar) serve that page
 * from Tencent's origins: work.weixin.qq.com and other qq.com hosts. Those, and no one else, may frame it.
 * X-Frame-Options cannot name an origin (ALLOW-FROM is obsolete), so the sidebar sends none and relies on
 * frame-ancestors, which every browser engine the clients embed understands.
 */
export const SIDEBAR_FRAME_ANCESTORS = 'https://work.weixin.qq.com https://*.qq.com';
const SIDEBAR_CSP = CSP.replace("frame-ancestors 'none'", `frame-ancestors ${SIDEBAR_FRAME_ANCESTORS}`);

/** Security headers for every HTML answer (pages and the sign-in error pages). */
export function pageHeaders(ctx: Context): void {
  ctx.set('Content-Security-Policy', CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
}

/** The same headers for the chat toolbar page, except framing: WeCom's own pages may frame it (see above). */
export function sidebarPageHeaders(ctx: Context): void {
  pageHeaders(ctx);
  ctx.remove('X-Frame-Options');
  ctx.set('Content-Security-Policy', SIDEBAR_CSP);
}

/** The pages and their static files: public, no dependencies (a factory like every other route list). */
export function webRoutes(): RouteDef[] {
  // Pages with an id in the path (`/hq/customers/:id`) are mounted after every fixed path, so a file such as
  // `/hq/customers/customers.js` is never taken for an id.
  const ordered = [...FILES.filter(([path]) => !path.includes(':')), ...FILES.filter(([path]) => path.includes(':'))];
  const pages = ordered.map(([path, file, summary]) =>
    defineRoute({
      method: 'get',
      path,
      tag: 'web',
      summary,
      roles: 'public',
      params: path.includes('/:id') ? pageIdParams : undefined,
      async handler(_input, { koa }) {
        const url = typeof file === 'string' ? new URL(file, import.meta.url) : file;
        const ext = url.pathname.slice(url.pathname.lastIndexOf('.') + 1);
        if (path === '/sidebar') sidebarPageHeaders(koa);
        else pageHeaders(koa);
        // Vendor files change only with a dependency upgrade; pages are revalidated on every load.
        koa.set('Cache-Control', typeof file === 'string' ? 'no-cache' : 'public, max-age=86400');
        koa.type = TYPES[ext] ?? 'application/octet-stream';
        koa.body = await readFile(url);
      },
    }),
  );
  // The generated errcode module is a page asset too.
  return [...pages, ...vendorErrcodeRoutes];
}
