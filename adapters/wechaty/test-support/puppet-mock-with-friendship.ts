/**
 * wechaty-puppet-mock stubs friendships (`friendshipRawPayload` returns only `{ id }`, `friendshipAdd` and
 * `friendshipAccept` just log) and search (always null). This subclass keeps friendship payloads, records
 * adds, accepts and sent links, and answers phone searches from a table, so specs can drive both directions.
 */
import { PuppetMock } from 'wechaty-puppet-mock';
import type { mock } from 'wechaty-puppet-mock';
import type * as PUPPET from 'wechaty-puppet';
import { Friendship as FriendshipType } from 'wechaty-puppet/types';

type FriendshipAddOptions = PUPPET.types.FriendshipAddOptions;

export class PuppetMockWithFriendship extends PuppetMock {
  readonly friendships = new Map<string, PUPPET.payloads.Friendship>();
  /** `Friendship.add` calls as the puppet received them. */
  readonly added: { contactId: string; options: FriendshipAddOptions }[] = [];
  readonly accepted: string[] = [];
  /** `messageSendUrl` calls (the mock itself drops links). */
  readonly sentUrls: { conversationId: string; payload: PUPPET.payloads.UrlLink }[] = [];
  /** Phone number → contact id, for `Friendship.search({ phone })`. */
  readonly phoneBook = new Map<string, string>();
  /** Make the next `friendshipAdd` fail with this error (then clear it). */
  failNextAdd: Error | null = null;
  private seq = 0;

  constructor(options: { mocker: mock.Mocker }) {
    super(options);
  }

  /** An incoming friend request from `contactId`; returns the friendship id. */
  receiveFriendRequest(contactId: string, hello: string, timestamp = Date.now()): string {
    const id = `friendship-${++this.seq}`;
    this.friendships.set(id, { id, contactId, hello, timestamp, ticket: `ticket-${id}`, type: FriendshipType.Receive });
    this.emit('friendship', { friendshipId: id });
    return id;
  }

  /** `contactId` is now a friend (our request was accepted, or we accepted theirs); returns the friendship id. */
  confirmFriendship(contactId: string, timestamp = Date.now()): string {
    const id = `friendship-${++this.seq}`;
    this.friendships.set(id, { id, contactId, timestamp, type: FriendshipType.Confirm });
    this.emit('friendship', { friendshipId: id });
    return id;
  }

  override async friendshipRawPayload(id: string): Promise<PUPPET.payloads.Friendship> {
    const payload = this.friendships.get(id);
    if (!payload) throw new Error(`no friendship payload for id ${id}`);
    return payload;
  }

  override async friendshipSearchPhone(phone: string): Promise<string | null> {
    return this.phoneBook.get(phone) ?? null;
  }

  override async friendshipAdd(contactId: string, options: FriendshipAddOptions): Promise<void> {
    const failure = this.failNextAdd;
    this.failNextAdd = null;
    if (failure) throw failure;
    this.added.push({ contactId, options });
  }

  override async friendshipAccept(friendshipId: string): Promise<void> {
    this.accepted.push(friendshipId);
  }

  override async messageSendUrl(conversationId: string, payload: PUPPET.payloads.UrlLink): Promise<void> {
    this.sentUrls.push({ conversationId, payload });
  }
}
