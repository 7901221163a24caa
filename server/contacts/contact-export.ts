/**
 * The customer list as CSV: UTF-8 with a BOM (Excel on Windows, which most stores open it with, reads BOM-less
 * UTF-8 as GBK and garbles every Chinese name), one row per contact of the filter, newest first, streamed.
 *
 * Phones are masked (`138****5678`) for every role. Only an HQ admin may ask for full numbers (`phones=full`):
 * marketers plan on segments, not numbers, and store managers and staff reach customers through WeCom, so a file
 * of full numbers leaving the system is limited to the role that already administers the phone vault's keys.
 */
import type { Role } from '../shared/principal.ts';
import type { ContactFilter, ContactRepository, ExportRow } from './contact.repository.ts';
import type { PhoneVault } from './phone.ts';

export const FULL_PHONE_ROLES: readonly Role[] = ['hq_admin'];

const LIFECYCLE_ZH: Record<string, string> = { lead: '线索', friend: '好友', customer: '客户', vip: '会员', lost: '流失' };
const CHANNELS: Array<[RegExp, string]> = [
  [/^wecom:/, '企业微信'],
  [/^openid:/, '公众号'],
  [/^kf:/, '微信客服'],
  [/^wechaty:/, '个人号'],
];

export type ExportLookups = {
  storeNames: Map<string, string>;
  staffNames: Map<string, string>;
  tagNames: Map<string, string>;
};

/** A CSV field: quoted when needed, and a leading = + - @ defused so a spreadsheet never runs it as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const HEADER = ['客户ID id', '姓名 name', '手机 phone', '生命周期 lifecycle', '门店 stores', '员工 staff', '标签 tags', '渠道 channels', '已退订 opted out', '添加时间 added at'];

export async function* contactsCsv(
  deps: { contacts: Pick<ContactRepository, 'exportRows'>; phones: Pick<PhoneVault, 'decrypt'> },
  scope: Parameters<ContactRepository['exportRows']>[0],
  filter: ContactFilter,
  lookups: ExportLookups,
  fullPhones: boolean,
): AsyncGenerator<string> {
  yield `\uFEFF${HEADER.map(csvField).join(',')}\r\n`;
  let chunk = '';
  for await (const row of deps.contacts.exportRows(scope, filter, fullPhones)) {
    chunk += `${toLine(row, lookups, fullPhones ? deps.phones : null)}\r\n`;
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function toLine(c: ExportRow, l: ExportLookups, vault: Pick<PhoneVault, 'decrypt'> | null): string {
  const name = (ids: readonly string[] | undefined, map: Map<string, string>) => (ids ?? []).map((id) => map.get(id) ?? id).join('、');
  const channels = CHANNELS.filter(([re]) => (c.identityKeys ?? []).some((k) => re.test(k))).map(([, label]) => label);
  const phone = vault && c.phoneEnc ? vault.decrypt(c.phoneEnc) : (c.phoneMasked ?? '');
  return [
    String(c._id),
    c.name ?? '',
    phone,
    LIFECYCLE_ZH[c.lifecycle] ?? c.lifecycle,
    name(c.storeIds, l.storeNames),
    name(c.staffIds, l.staffNames),
    name(c.tagIds, l.tagNames),
    channels.join('、'),
    c.consent?.optedOut ? '是' : '否',
    c.createdAt ? c.createdAt.toISOString() : '',
  ]
    .map(csvField)
    .join(',');
}
