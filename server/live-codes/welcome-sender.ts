/**
 * The welcome message of an add: rendered from the code's pinned content version with the contact, staff member
 * and store, sent with send_welcome_msg inside WeCom's 20-second window, exactly once per welcome code.
 *
 * The ledger row (unique per corp and welcome code) is written before WeCom is called: a second processing of
 * the same add finds it and sends nothing. The deadline counts from the event's CreateTime (whole seconds, so the
 * add really happened at most a second later: the deadline errs early, never late), less a margin for the call
 * itself; past it the row is recorded `missed` without a call. 41050 / 41051 are recorded `failed` with the
 * errcode; nothing is ever retried (the code is dead by the time a retry could run).
 */
import type { Logger } from 'pino';
import type { Attachment as ChannelAttachment, ChannelAdapter, FriendAdded } from '../../adapters/channel-adapter.ts';
import type { ContactRepository } from '../contacts/index.ts';
import { renderText, type Attachment, type ContentModule as ContentService } from '../content/index.ts';
import { HOLDOUT, type ExperimentService } from '../experiments/index.ts';
import { zoneOf, type OrgModule, type StaffDto } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { assignVariant } from '../shared/variant.ts';
import { corpScope } from '../shared/scope.ts';
import type { LiveCodeLedger } from './live-code-ledger.repository.ts';
import type { LiveCodeDto } from './live-code.repository.ts';

/** WeCom's window for a welcome code. */
export const WELCOME_WINDOW_MS = 20_000;
/** Kept back from the window for the call's own round trip. */
export const WELCOME_MARGIN_MS = 1_000;

export type WelcomeDeps = {
  ledger: LiveCodeLedger;
  content: Pick<ContentService, 'getVersion'>;
  contacts: Pick<ContactRepository, 'findRow'>;
  org: OrgModule;
  experiments: Pick<ExperimentService, 'step' | 'recordUnit'>;
  clock: Clock;
  logger: Logger;
};
type ChosenWelcome = { arm: string | null; templateId: string; version: number; holdout: boolean };
export type WelcomeResult = { status: 'sent' | 'missed' | 'failed' | 'skipped' | 'duplicate'; reason?: string; errcode?: number | null; variant?: string | null };

export function welcomeDeadline(occurredAt: Date): Date {
  return new Date(occurredAt.getTime() + WELCOME_WINDOW_MS - WELCOME_MARGIN_MS);
}

export class WelcomeSender {
  constructor(private readonly d: WelcomeDeps) {}

  async send(code: LiveCodeDto, event: FriendAdded, contactId: string, staff: StaffDto | null, adapter: ChannelAdapter): Promise<WelcomeResult> {
    const welcomeCode = event.welcomeCode;
    if (!welcomeCode) return { status: 'skipped', reason: 'no_welcome_code' };
    const { corpId } = event;
    const deadline = welcomeDeadline(event.occurredAt);
    const chosen = code.welcome ? await this.choose(code, corpId, contactId) : null;
    const skip = !code.welcome
      ? 'no_template'
      : code.status !== 'active'
        ? `code_${code.status}`
        : !adapter.sendWelcomeMessage
          ? 'no_capability'
          : (await this.d.ledger.welcomedBefore(corpId, code.id, contactId))
            ? 'readd'
            : chosen?.holdout
              ? 'holdout'
              : null;
    const late = !skip && this.d.clock.now() > deadline;
    const status = skip ? 'skipped' : late ? 'missed' : 'sending';
    const claimed = await this.d.ledger.claimWelcome({
      corpId,
      welcomeCode,
      liveCodeId: code.id,
      contactId,
      staffUserId: event.staffUserId,
      templateId: chosen?.templateId ?? null,
      version: chosen?.version ?? null,
      variant: chosen?.arm ?? null,
      status,
      reason: skip ?? (late ? 'window_passed' : null),
      occurredAt: event.occurredAt,
      deadline,
      attemptedAt: this.d.clock.now(),
    });
    if (!claimed) return { status: 'duplicate' };
    if (skip === 'holdout') await this.expose(code, chosen!, contactId, staff, event.occurredAt);
    if (status !== 'sending') {
      if (late) this.d.logger.warn({ corpId, liveCodeId: code.id, welcomeCode, occurredAt: event.occurredAt }, 'welcome window passed before the add was processed');
      return { status, reason: skip ?? 'window_passed' };
    }
    let message: Awaited<ReturnType<WelcomeSender['render']>>;
    try {
      message = await this.render(chosen!, corpId, contactId, staff);
    } catch (err) {
      await this.d.ledger.finishWelcome(corpId, welcomeCode, { status: 'failed', reason: `render: ${(err as Error).message}`, finishedAt: this.d.clock.now() });
      throw err;
    }
    if (this.d.clock.now() > deadline) {
      await this.d.ledger.finishWelcome(corpId, welcomeCode, { status: 'missed', reason: 'window_passed', finishedAt: this.d.clock.now() });
      return { status: 'missed', reason: 'window_passed' };
    }
    const result = await adapter.sendWelcomeMessage!({ welcomeCode, ...message }, event.occurredAt);
    const finishedAt = this.d.clock.now();
    const latencyMs = finishedAt.getTime() - event.occurredAt.getTime();
    if (result.ok) {
      await this.d.ledger.finishWelcome(corpId, welcomeCode, { status: 'sent', finishedAt, latencyMs });
      await this.expose(code, chosen!, contactId, staff, finishedAt);
      return { status: 'sent', variant: chosen!.arm };
    }
    const { errcode, message: reason } = result.error;
    await this.d.ledger.finishWelcome(corpId, welcomeCode, { status: 'failed', errcode, reason, finishedAt, latencyMs });
    return { status: 'failed', errcode, reason };
  }

  /**
   * The template this contact gets: the code's one template, or with A/B variants the arm of a deterministic draw
   * (seed: the experiment id) among the arms the experiment still allows (only the winner once it is decided), or
   * the experiment's holdout (no welcome, still a unit of the experiment).
   */
  private async choose(code: LiveCodeDto, corpId: string, contactId: string): Promise<ChosenWelcome> {
    const w = code.welcome!;
    if (!w.experimentId || !w.variants.length) return { arm: null, templateId: w.templateId, version: w.version!, holdout: false };
    const experiment = await this.d.experiments.step(corpId, w.experimentId, w.variants);
    const arm = assignVariant(w.experimentId, contactId, experiment.variants);
    return { arm: arm.id, templateId: arm.templateId, version: arm.version, holdout: experiment.holdout(contactId, this.d.clock.now()) };
  }

  /** Records the contact as a unit of the welcome experiment (once: a contact keeps its first arm). */
  private async expose(code: LiveCodeDto, chosen: ChosenWelcome, contactId: string, staff: StaffDto | null, at: Date): Promise<void> {
    const experimentId = code.welcome?.experimentId;
    if (!experimentId || !chosen.arm) return;
    await this.d.experiments.recordUnit(code.corpId, experimentId, contactId, { arm: chosen.holdout ? HOLDOUT : chosen.arm, storeId: staff?.storeId ?? code.storeId ?? null, at });
  }

  private async render(chosen: ChosenWelcome, corpId: string, contactId: string, staff: StaffDto | null) {
    const corp = corpScope(corpId);
    const [version, contact, store] = await Promise.all([
      this.d.content.getVersion(corp, chosen.templateId, chosen.version),
      this.d.contacts.findRow(corp, contactId),
      staff ? this.d.org.getStore(corp, staff.storeId).catch(() => null) : Promise.resolve(null),
    ]);
    const rendered = renderText(version.text, {
      contact: { name: contact?.name ?? null, remark: contact?.remarks?.[0] ?? null },
      staff: { name: staff?.name ?? null },
      store: store ? { name: store.name, city: store.city } : {},
      now: this.d.clock.now(),
      timeZone: zoneOf(store),
    });
    const attachments = version.attachments.flatMap(toChannelAttachment);
    return { ...(rendered.text.trim() ? { text: rendered.text } : {}), ...(attachments.length ? { attachments } : {}) };
  }
}

/** Content attachments → the channel contract; videos need an uploaded media id, which welcome messages do not carry here. */
function toChannelAttachment(a: Attachment): ChannelAttachment[] {
  switch (a.type) {
    case 'image':
      return [{ type: 'image', url: a.url }];
    case 'link':
      return [{ type: 'link', title: a.title, url: a.url, ...(a.desc ? { description: a.desc } : {}), ...(a.picUrl ? { picUrl: a.picUrl } : {}) }];
    case 'miniprogram':
      return [{ type: 'miniprogram', appId: a.appId, title: a.title, page: a.page, picUrl: a.picUrl }];
    default:
      return [];
  }
}
