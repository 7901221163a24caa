/**
 * Live codes over their WeCom contact ways: create (add_contact_way, scene 2), edit (update_contact_way: the QR
 * and state never change), disable and expire (del_contact_way), and the roster — which members the QR shows
 * now — pushed to WeCom only when it changes.
 */
import type { Logger } from 'pino';
import { ChannelError, type ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { ChannelAccount, ChannelAccountRepository } from '../channels/index.ts';
import type { ContentModule as ContentService } from '../content/index.ts';
import type { ExperimentService } from '../experiments/index.ts';
import { BadRequestError, ConflictError, UnavailableError } from '../errors.ts';
import { zoneOf, type OrgModule, type StaffDto } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { corpScope, type Scope } from '../shared/scope.ts';
import type { TagRepository } from '../tags/index.ts';
import type { LiveCodeLedger } from './live-code-ledger.repository.ts';
import { newState, STATE_PREFIX, type LiveCodeDto, type LiveCodePatch, type LiveCodeRepository, type StaffRef } from './live-code.repository.ts';
import { computeRoster, startOfLocalDay } from './live-code-roster.ts';

export type LiveCodeDeps = {
  codes: LiveCodeRepository;
  ledger: LiveCodeLedger;
  org: OrgModule;
  content: Pick<ContentService, 'pinnedVersions'>;
  experiments: Pick<ExperimentService, 'get' | 'ensureForCampaign' | 'configure'>;
  tags: Pick<TagRepository, 'assertExist'>;
  channelAccounts: Pick<ChannelAccountRepository, 'get' | 'listForCorp'>;
  adapterFor: (account: ChannelAccount) => ChannelAdapter;
  clock: Clock;
  logger: Logger;
};

export type LiveCodeInput = {
  name: string;
  channel: 'poster' | 'counter' | 'event' | 'staff' | 'store';
  mode?: 'all' | 'rotate';
  storeId?: string | null;
  staffIds?: string[];
  fallbackStaffIds?: string[];
  dailyAddLimit?: number | null;
  dutyHours?: { from: string; to: string } | null;
  tagIds?: string[];
  welcomeTemplateId?: string | null;
  /** A/B welcome: 2–5 arms, each a published template with a weight; the first arm is the control. */
  welcomeVariants?: WelcomeVariantInput[] | null;
  staffDefault?: boolean;
  skipVerify?: boolean;
  expiresAt?: Date | null;
};
export type LiveCodeChange = Partial<Omit<LiveCodeInput, 'channel' | 'mode' | 'storeId'>>;

export type WelcomeVariantInput = { id: string; templateId: string; weight: number };
type PinnedWelcome = NonNullable<LiveCodeDto['welcome']>;

export class LiveCodeService {
  constructor(private readonly d: LiveCodeDeps) {}

  async create(scope: Scope, input: LiveCodeInput, actor: string): Promise<LiveCodeDto> {
    const corp = corpScope(scope.corpId);
    const mode = input.channel === 'store' ? 'rotate' : (input.mode ?? 'all');
    let staffIds = input.staffIds ?? [];
    if (input.channel === 'store') {
      if (!input.storeId) throw new BadRequestError('门店码需要 storeId A store code needs storeId', [{ path: 'storeId', message: '门店渠道必填 Required for channel store' }]);
      await this.d.org.getStore(corp, input.storeId);
      if (await this.d.codes.findStoreCode(scope.corpId, input.storeId)) throw new ConflictError(`门店 ${input.storeId} 已有一个启用中的门店码 Store ${input.storeId} already has an active store code`);
      if (!staffIds.length) staffIds = (await this.d.org.listStaff(corp, { storeId: input.storeId, status: 'active' })).map((s) => s.id);
    }
    if (!staffIds.length) throw new BadRequestError('活码至少需要一名店员 A live code needs at least one staff member', [{ path: 'staffIds', message: '至少一名 At least one' }]);
    if (input.staffDefault && (input.channel !== 'staff' || staffIds.length !== 1)) {
      throw new BadRequestError('店员默认码须是只含一名店员的店员渠道码 A staff default code is a staff-channel code of exactly one member', [{ path: 'staffDefault', message: '店员渠道且只含一名店员 Channel staff with one staff member' }]);
    }
    const staff = await this.staffRefs(scope, staffIds, 'staffIds');
    const fallback = await this.staffRefs(scope, input.fallbackStaffIds ?? [], 'fallbackStaffIds');
    await this.d.tags.assertExist(scope.corpId, input.tagIds ?? []);
    const state = newState();
    const welcome = await this.pinWelcome(scope, state, input.name, input.welcomeTemplateId ?? null, input.welcomeVariants ?? null);
    const account = await this.wecomAccount(scope.corpId);
    const adapter = this.capable(account);
    const draft = { mode, staff, fallback, dutyHours: input.dutyHours ?? null, dailyAddLimit: input.dailyAddLimit ?? null, rotation: 0 } as const;
    const roster = await this.roster(scope.corpId, null, draft);
    if (!roster.userIds.length) throw new BadRequestError('所选店员都已离职或停用 None of the staff members is active');
    const way = await vendor(adapter.createContactWay!({ userIds: roster.userIds, single: mode === 'rotate', state, remark: input.name.slice(0, 30), skipVerify: input.skipVerify ?? true }));
    try {
      return await this.d.codes.create({
        corpId: scope.corpId,
        accountId: account.id,
        name: input.name,
        channel: input.channel,
        mode,
        storeId: input.channel === 'store' ? (input.storeId ?? null) : null,
        storeIds: storesOf(staff, fallback, input.storeId),
        staff,
        fallback,
        dailyAddLimit: input.dailyAddLimit ?? null,
        dutyHours: input.dutyHours ?? null,
        tagIds: input.tagIds ?? [],
        welcome,
        staffDefault: input.staffDefault ?? false,
        skipVerify: input.skipVerify ?? true,
        expiresAt: input.expiresAt ?? null,
        state,
        configId: way.configId,
        qrCode: way.qrCode,
        activeUserIds: roster.userIds,
        createdBy: actor,
      });
    } catch (err) {
      // Not stored: take the contact way back so WeCom holds no QR we cannot attribute.
      await adapter.deleteContactWay!(way.configId).catch((e: unknown) => this.d.logger.warn({ err: e }, 'could not delete an orphan contact way'));
      throw err;
    }
  }

  /** Edits a code; WeCom's contact way is updated in place (same config_id, QR and state). */
  async update(scope: Scope, id: string, change: LiveCodeChange): Promise<LiveCodeDto> {
    const code = await this.d.codes.get(scope, id);
    if (code.status !== 'active') throw new ConflictError(`活码 ${id} 当前为 ${code.status} 状态 Live code ${id} is ${code.status}`);
    const patch: LiveCodePatch = {};
    if (change.name !== undefined) patch.name = change.name;
    if (change.staffIds !== undefined) patch.staff = await this.staffRefs(scope, change.staffIds, 'staffIds');
    if (change.fallbackStaffIds !== undefined) patch.fallback = await this.staffRefs(scope, change.fallbackStaffIds, 'fallbackStaffIds');
    if (patch.staff && !patch.staff.length) throw new BadRequestError('活码至少需要一名店员 A live code needs at least one staff member', [{ path: 'staffIds', message: '至少一名 At least one' }]);
    if (patch.staff || patch.fallback) patch.storeIds = storesOf(patch.staff ?? code.staff, patch.fallback ?? code.fallback, code.storeId);
    if (change.dailyAddLimit !== undefined) patch.dailyAddLimit = change.dailyAddLimit;
    if (change.dutyHours !== undefined) patch.dutyHours = change.dutyHours;
    if (change.tagIds !== undefined) {
      await this.d.tags.assertExist(scope.corpId, change.tagIds);
      patch.tagIds = change.tagIds;
    }
    // Saving re-pins the template's current published version.
    if (change.welcomeTemplateId !== undefined || change.welcomeVariants !== undefined) {
      patch.welcome = await this.pinWelcome(scope, code.state, change.name ?? code.name, change.welcomeTemplateId ?? null, change.welcomeVariants ?? null);
    }
    if (change.staffDefault !== undefined) patch.staffDefault = change.staffDefault;
    if (change.skipVerify !== undefined) patch.skipVerify = change.skipVerify;
    if (change.expiresAt !== undefined) patch.expiresAt = change.expiresAt;
    const next = { ...code, ...patch };
    const roster = await this.roster(scope.corpId, code.id, next);
    if (!roster.userIds.length) throw new BadRequestError('所选店员都已离职或停用 None of the staff members is active');
    const adapter = this.capable(await this.d.channelAccounts.get(code.accountId));
    const usersChanged = roster.userIds.join() !== code.activeUserIds.join();
    if (usersChanged || patch.name !== undefined || patch.skipVerify !== undefined) {
      await vendor(
        adapter.updateContactWay!(code.configId, {
          ...(usersChanged ? { userIds: roster.userIds } : {}),
          ...(patch.name !== undefined ? { remark: patch.name.slice(0, 30) } : {}),
          ...(patch.skipVerify !== undefined ? { skipVerify: patch.skipVerify } : {}),
        }),
      );
    }
    return this.d.codes.update(scope, id, { ...patch, activeUserIds: roster.userIds });
  }

  /** Disables a code: WeCom forgets the contact way (the printed QR stops adding anyone); the row and its history stay. */
  async disable(scope: Scope, id: string): Promise<LiveCodeDto> {
    const code = await this.d.codes.get(scope, id);
    if (code.status !== 'active') return code;
    await this.close(code, 'disabled');
    return this.d.codes.get(scope, id);
  }

  /** Expires every active code past its `expiresAt`; returns how many. */
  async expireDue(corpId: string): Promise<number> {
    const due = await this.d.codes.listExpired(corpId, this.d.clock.now());
    for (const code of due) await this.close(code, 'expired');
    return due.length;
  }

  async close(code: LiveCodeDto, status: 'disabled' | 'expired'): Promise<void> {
    const adapter = this.capable(await this.d.channelAccounts.get(code.accountId));
    await vendor(adapter.deleteContactWay!(code.configId));
    await this.d.codes.setStatus(code.corpId, code.id, status, this.d.clock.now());
  }

  /** One rotating store code per store that has none yet (store codes already there are returned as they are). */
  async ensureStoreCodes(scope: Scope, input: { storeIds?: string[]; tagIds?: string[]; welcomeTemplateId?: string | null; dutyHours?: { from: string; to: string } | null; dailyAddLimit?: number | null }, actor: string) {
    const stores = (await this.d.org.listStores(scope)).filter((s) => !input.storeIds || input.storeIds.includes(s.id));
    const created: LiveCodeDto[] = [];
    const existing: LiveCodeDto[] = [];
    const skipped: { storeId: string; reason: string }[] = [];
    for (const store of stores) {
      const current = await this.d.codes.findStoreCode(scope.corpId, store.id);
      if (current) {
        existing.push(current);
        continue;
      }
      const staff = await this.d.org.listStaff(corpScope(scope.corpId), { storeId: store.id, status: 'active' });
      if (!staff.length) {
        skipped.push({ storeId: store.id, reason: 'no active staff' });
        continue;
      }
      created.push(
        await this.create(scope, { name: `${store.name} 门店码`, channel: 'store', storeId: store.id, staffIds: staff.map((s) => s.id), tagIds: input.tagIds ?? [], welcomeTemplateId: input.welcomeTemplateId ?? null, dutyHours: input.dutyHours ?? null, dailyAddLimit: input.dailyAddLimit ?? null }, actor),
      );
    }
    return { created, existing, skipped };
  }

  /**
   * Expires codes past their date and recomputes every active code's roster (duty hours begin and end, daily
   * limits reset at local midnight): the 5-minute job and `POST /api/live-codes/refresh` both call it.
   */
  async refreshAll(scope: Scope): Promise<{ expired: number; changed: number }> {
    const expired = await this.expireDue(scope.corpId);
    let changed = 0;
    for (const code of await this.d.codes.list(scope, { status: 'active' })) if ((await this.refreshRoster(code)).changed) changed += 1;
    return { expired, changed };
  }

  /**
   * Recomputes who the QR shows (duty hours, daily limits, rotation, fallback) and pushes it to WeCom when it
   * changed. Called after each attributed add and by `POST /api/live-codes/refresh`.
   */
  async refreshRoster(code: LiveCodeDto): Promise<{ userIds: string[]; changed: boolean }> {
    if (code.status !== 'active') return { userIds: code.activeUserIds, changed: false };
    const roster = await this.roster(code.corpId, code.id, code);
    if (!roster.userIds.length || roster.userIds.join() === code.activeUserIds.join()) return { userIds: code.activeUserIds, changed: false };
    const adapter = this.capable(await this.d.channelAccounts.get(code.accountId));
    await adapter.updateContactWay!(code.configId, { userIds: roster.userIds });
    await this.d.codes.setActiveUsers(code.corpId, code.id, roster.userIds);
    return { userIds: roster.userIds, changed: true };
  }

  private async roster(corpId: string, codeId: string | null, code: Pick<LiveCodeDto, 'mode' | 'staff' | 'fallback' | 'dutyHours' | 'dailyAddLimit' | 'rotation'>) {
    const storeIds = storesOf(code.staff, code.fallback, null);
    const scope: Scope = { corpId, storeIds };
    const [active, stores] = await Promise.all([this.d.org.listStaff(scope, { status: 'active' }), this.d.org.listStores(scope)]);
    const storeById = new Map(stores.map((s) => [s.id, s]));
    const now = this.d.clock.now();
    const zone = zoneOf(storeById.get(code.staff[0]?.storeId ?? ''));
    const addsToday = codeId && code.dailyAddLimit !== null ? await this.d.ledger.addsSince(corpId, codeId, startOfLocalDay(now, zone)) : new Map<string, number>();
    return computeRoster({
      mode: code.mode,
      staff: code.staff,
      fallback: code.fallback,
      dutyHours: code.dutyHours,
      dailyAddLimit: code.dailyAddLimit,
      rotation: code.rotation,
      activeStaffIds: new Set(active.map((s) => s.id)),
      timezoneOfStore: (storeId) => zoneOf(storeById.get(storeId)),
      addsToday,
      now,
    });
  }

  private async staffRefs(scope: Scope, ids: string[], path: string): Promise<StaffRef[]> {
    const refs: StaffRef[] = [];
    for (const id of [...new Set(ids)]) {
      let s: StaffDto;
      try {
        s = await this.d.org.getStaff(scope, id);
      } catch {
        throw new BadRequestError(`店员 ${id} 不存在 Unknown staff member ${id}`, [{ path, message: `店员 ${id} 不存在 Unknown staff ${id}` }]);
      }
      refs.push({ staffId: s.id, userId: s.userId, storeId: s.storeId });
    }
    return refs;
  }

  /**
   * Pins each welcome template's current published version. With variants, the A/B experiment (goal: the
   * customer replies; guardrail: deletes the friend) is created or given the new arms; its id follows the state.
   */
  private async pinWelcome(scope: Scope, state: string, codeName: string, templateId: string | null, variants: WelcomeVariantInput[] | null): Promise<PinnedWelcome | null> {
    if (templateId && variants?.length) throw new BadRequestError('欢迎语模板与多版本只能选一种 Give a welcome template or variants, not both', [{ path: 'welcomeVariants', message: '或 welcomeTemplateId Or welcomeTemplateId' }]);
    const arms = variants?.length ? variants : templateId ? [{ id: 'default', templateId, weight: 1 }] : [];
    if (!arms.length) return null;
    const versions = await this.d.content.pinnedVersions(scope.corpId, [...new Set(arms.map((a) => a.templateId))]);
    const unpublished = arms.filter((a) => !versions[a.templateId]);
    if (unpublished.length) {
      throw new BadRequestError(`内容模板未发布：${unpublished.map((a) => a.templateId).join('、')} Content template ${unpublished.map((a) => a.templateId).join(', ')} is not published`, unpublished.map((a) => ({ path: variants?.length ? 'welcomeVariants' : 'welcomeTemplateId', message: `请先发布 ${a.templateId} Publish ${a.templateId} first` })));
    }
    const pinned = arms.map((a) => ({ id: a.id, templateId: a.templateId, version: versions[a.templateId]!, weight: a.weight }));
    if (!variants?.length) return { templateId: pinned[0]!.templateId, version: pinned[0]!.version, experimentId: null, variants: [] };
    const experimentId = `welcome-${state.slice(STATE_PREFIX.length)}`;
    const existed = await this.d.experiments.get(scope.corpId, experimentId).then(() => true, () => false);
    // Marketers read the experiment by the code's name, not by its state.
    await this.d.experiments.ensureForCampaign(scope.corpId, { campaignId: `live-code:${state}`, experimentId, name: `${codeName} · 欢迎语`, arms: pinned.map((a) => ({ id: a.id, templateId: a.templateId, weight: a.weight })) });
    if (!existed) await this.d.experiments.configure(scope.corpId, experimentId, { goals: ['reply'], guardrails: ['friend_deleted'] });
    return { templateId: pinned[0]!.templateId, version: pinned[0]!.version, experimentId, variants: pinned };
  }

  private async wecomAccount(corpId: string): Promise<ChannelAccount> {
    const accounts = (await this.d.channelAccounts.listForCorp(corpId)).filter((a) => a.kind === 'wecom');
    const account = accounts.find((a) => a.isDefault) ?? accounts[0];
    if (!account) throw new UnavailableError('该企业还没有企业微信账号，请在 /api/channel-accounts 添加 This corp has no WeCom account: add one under /api/channel-accounts');
    return account;
  }

  private capable(account: ChannelAccount): ChannelAdapter {
    const adapter = this.d.adapterFor(account);
    if (!adapter.createContactWay || !adapter.updateContactWay || !adapter.deleteContactWay) throw new UnavailableError(`渠道账号 ${account.id} 不能管理联系我二维码 Channel account ${account.id} cannot manage contact ways`);
    return adapter;
  }
}

function storesOf(staff: StaffRef[], fallback: StaffRef[], storeId: string | null | undefined): string[] {
  return [...new Set([...(storeId ? [storeId] : []), ...staff.map((s) => s.storeId), ...fallback.map((s) => s.storeId)])];
}

/** A WeCom refusal as an API error: what the request asked for is refused (400), anything else is WeCom being unavailable (503). */
async function vendor<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    const details = [{ path: 'wecom', message: `errcode ${err.errcode ?? '—'}: ${err.message}` }];
    if (err.kind === 'invalid' || err.kind === 'recipient' || err.kind === 'window_closed') throw new BadRequestError(`企业微信拒绝了联系我二维码 WeCom refused the contact way: ${err.message}`, details);
    throw new UnavailableError(`企业微信暂时无法管理联系我二维码 WeCom could not manage the contact way (errcode ${err.errcode ?? '—'}): ${err.message}`);
  }
}
