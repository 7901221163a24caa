/**
 * The customer list's filter as the API takes it: query-string fields (comma-separated lists, ISO dates), the same
 * shape in GET /api/contacts, the CSV export, the bulk tag body and a saved filter (人群包), so a saved filter is
 * exactly what the list was showing.
 */
import { z } from 'zod';
import { objectIdString } from '../shared/object-id.ts';
import { CONTACT_CHANNELS, type ContactFilter } from './contact.repository.ts';
import { LIFECYCLE_STAGES } from './contact.schema.ts';
import { phoneKey } from './identity.ts';
import { normalizePhone, type PhoneVault } from './phone.ts';

const csv = z
  .string()
  .max(2000)
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** A day (`2026-11-01`, read as Asia/Shanghai midnight, the console's day) or a full ISO timestamp. */
const instant = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00+08:00` : s)), { message: '日期格式应为 2026-11-01 或 ISO 时间 expected a date like 2026-11-01 or an ISO timestamp' });

export const contactFilterFields = {
  tagsAll: csv.optional(),
  tagsAny: csv.optional(),
  tagsNone: csv.optional(),
  storeId: objectIdString.optional(),
  staffId: objectIdString.optional(),
  lifecycle: csv.pipe(z.array(z.enum(LIFECYCLE_STAGES))).optional(),
  channel: z.enum(CONTACT_CHANNELS).optional(),
  addedFrom: instant.optional(),
  /** Inclusive as a day: `addedTo=2026-11-30` includes the whole of 30 November. */
  addedTo: instant.optional(),
  q: z.string().min(1).max(100).optional(),
};

/** The stored / posted form: the same fields, unknown ones refused. */
export const contactFilterSchema = z.strictObject(contactFilterFields);
export type ContactFilterInput = z.output<typeof contactFilterSchema>;

function toDate(s: string, endOfDay: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return new Date(Date.parse(`${s}T00:00:00+08:00`) + (endOfDay ? 86_400_000 : 0));
  return new Date(s);
}

/** The repository filter; a full phone number in `q` is hashed here so the search can match it by identity. */
export function toContactFilter(f: ContactFilterInput, phones: Pick<PhoneVault, 'hash'>): ContactFilter {
  const e164 = f.q ? normalizePhone(f.q) : null;
  return {
    tagsAll: f.tagsAll,
    tagsAny: f.tagsAny,
    tagsNone: f.tagsNone,
    storeId: f.storeId,
    staffId: f.staffId,
    lifecycle: f.lifecycle,
    channel: f.channel,
    addedFrom: f.addedFrom ? toDate(f.addedFrom, false) : undefined,
    addedTo: f.addedTo ? toDate(f.addedTo, true) : undefined,
    text: f.q?.trim() || undefined,
    textPhoneKey: e164 ? phoneKey(phones.hash(e164)) : undefined,
  };
}

/** The filter back in its wire form (lists joined), as a saved filter stores it and the page reads it. */
export function toWireFilter(f: ContactFilterInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f) as Array<[string, string | string[] | undefined]>) {
    if (v === undefined) continue;
    const s = Array.isArray(v) ? v.join(',') : v;
    if (s) out[k] = s;
  }
  return out;
}
