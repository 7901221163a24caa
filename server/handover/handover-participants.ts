/**
 * Records other domains keep per (customer, staff member) that must follow a customer handed over to another
 * member — e.g. the add-friend campaigns' lead assignments. A participant moves its own rows and is idempotent
 * (a move can be retried after a crash). The handover module holds them; a domain registers from its own
 * module: `handover.participants.add({ name, moveCustomer })`.
 */
import type { Scope } from '../shared/scope.ts';

export type CustomerMove = { contactId: string; fromStaffId: string; toStaffId: string };

export type HandoverParticipant = {
  name: string;
  /** Moves this domain's records of the customer from one member to the other; resolves how many moved. */
  moveCustomer(scope: Scope, move: CustomerMove): Promise<number | void>;
};

export class HandoverParticipants {
  private readonly participants: HandoverParticipant[] = [];

  add(participant: HandoverParticipant): void {
    if (this.participants.some((p) => p.name === participant.name)) throw new Error(`handover participant ${participant.name} is registered twice`);
    this.participants.push(participant);
  }

  list(): readonly HandoverParticipant[] {
    return this.participants;
  }
}
