/**
 * The sidebar module, wired from its declared dependencies: the chat sidebar's reads (the customer of the open
 * chat, quick replies) and writes (tags, notes), and JS-SDK signatures. It owns `contact_notes` only; everything
 * else it shows comes through the other domains' faces (SidebarDeps).
 */
import { UnavailableError } from '../errors.ts';
import type { Scope } from '../shared/scope.ts';
import { ContactNoteRepository } from './contact-note.repository.ts';
import { corpWecom } from './corp-wecom.ts';
import { quickReplies } from './quick-replies.ts';
import { findSidebarContact, replyContext, sidebarProfile, type Caller, type SidebarDeps } from './sidebar-profile.ts';
import { changeSidebarTags } from './sidebar-tags.ts';
import type { SidebarModels } from './sidebar.models.ts';

export type SidebarModuleDeps = Omit<SidebarDeps, 'notes'> & { models: SidebarModels };

export function createSidebarModule(deps: SidebarModuleDeps) {
  const d: SidebarDeps = { ...deps, notes: new ContactNoteRepository(deps.models) };
  return {
    /** JS-SDK config and agentConfig signatures for a page URL, from the corp's WeCom account. */
    async signJsSdk(scope: Scope, url: string) {
      const wecom = await corpWecom(d, scope.corpId);
      if (!wecom?.adapter.signJsSdk) throw new UnavailableError('该企业没有可签名 JS-SDK 页面的企业微信账号 No WeCom account can sign JS-SDK pages for this corp');
      return wecom.adapter.signJsSdk(url);
    },
    profile: (scope: Scope, caller: Caller, externalUserId: string) => sidebarProfile(d, scope, caller, externalUserId),
    async quickReplies(scope: Scope, caller: Caller, externalUserId: string, filter: { q?: string; scene?: string }) {
      const context = await replyContext(d, scope, caller, externalUserId);
      return { scenes: await quickReplies(d.content, scope.corpId, context, filter) };
    },
    changeTags: (scope: Scope, caller: Caller, externalUserId: string, add: string[], remove: string[]) => changeSidebarTags(d, scope, caller, externalUserId, add, remove),
    /** A note filed under the caller's store, else the customer's home store, else their first store. */
    async addNote(scope: Scope, caller: Caller, externalUserId: string, text: string) {
      const contact = await findSidebarContact(d, scope, externalUserId);
      const staff = caller.staffId ? await d.org.getStaff(scope, caller.staffId) : null;
      const storeId = staff?.storeId ?? contact.homeStoreId ?? contact.storeIds?.[0];
      if (!storeId) throw new UnavailableError('该客户没有所属门店，无法记录备注 This customer has no store to file the note under');
      return d.notes.add(scope, { contactId: String(contact._id), storeId, staffId: staff?.id ?? null, authorTokenId: caller.tokenId, text });
    },
    /** A contact's notes by contact id, within the caller's stores (the console's customer detail). */
    notesOf: (scope: Scope, contactId: string) => d.notes.listForContact(scope, contactId),
  };
}

export type SidebarModule = ReturnType<typeof createSidebarModule>;
