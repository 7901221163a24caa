/**
 * Tickets and their state machine. A move is a compare-and-set on the current state, so two people moving the
 * same ticket at once cannot both succeed (the loser gets a 409 with the state it found).
 */
import type { Types } from 'mongoose';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { Clock } from '../../shared/clock.ts';
import type { KfModels } from '../kf.models.ts';
import type { TicketState } from './kf-ticket.schema.ts';

export type KfTicketDto = {
  id: string;
  sessionId: string;
  title: string;
  ownerStaffId: string;
  dueAt: Date;
  state: TicketState;
  history: { state: TicketState; at: Date; by: string; note: string }[];
  createdBy: string;
};

/** Where each state may go; any open ticket may be closed (a duplicate, a customer who withdrew). */
export const TICKET_MOVES: Readonly<Record<TicketState, readonly TicketState[]>> = {
  created: ['assigned', 'closed'],
  assigned: ['handled', 'closed'],
  handled: ['followed_up', 'closed'],
  followed_up: ['closed'],
  closed: [],
};

export const TICKET_STATE_NAMES: Readonly<Record<TicketState, string>> = {
  created: '已创建 Created',
  assigned: '已分派 Assigned',
  handled: '已处理 Handled',
  followed_up: '已回访 Followed up',
  closed: '已关闭 Closed',
};

type Row = Omit<KfTicketDto, 'id'> & { _id: Types.ObjectId };
const toDto = ({ _id, ...r }: Row): KfTicketDto => ({
  id: String(_id),
  sessionId: r.sessionId,
  title: r.title,
  ownerStaffId: r.ownerStaffId,
  dueAt: r.dueAt,
  state: r.state,
  history: r.history.map((h) => ({ state: h.state, at: h.at, by: h.by, note: h.note })),
  createdBy: r.createdBy,
});

export class KfTicketRepository {
  constructor(
    private readonly models: Pick<KfModels, 'KfTicket'>,
    private readonly clock: Clock,
  ) {}

  /** A ticket is born with its owner, so it is created and assigned in one step (both kept in the history). */
  async create(corpId: string, input: { sessionId: string; title: string; ownerStaffId: string; dueAt: Date }, by: string): Promise<KfTicketDto> {
    const at = this.clock.now();
    const doc = await this.models.KfTicket.create({
      corpId,
      ...input,
      state: 'assigned',
      history: [
        { state: 'created', at, by },
        { state: 'assigned', at, by },
      ],
      createdBy: by,
    });
    return this.get(corpId, String(doc._id));
  }

  async get(corpId: string, id: string): Promise<KfTicketDto> {
    const row = await this.models.KfTicket.findOne({ corpId, _id: id }).lean<Row>();
    if (!row) throw new NotFoundError('工单不存在 Ticket not found');
    return toDto(row);
  }

  async openFor(corpId: string, ownerStaffId: string, limit: number): Promise<KfTicketDto[]> {
    const rows = await this.models.KfTicket.find({ corpId, ownerStaffId, state: { $ne: 'closed' } }).sort({ dueAt: 1, _id: 1 }).limit(limit).lean<Row[]>();
    return rows.map(toDto);
  }

  async ofSession(corpId: string, sessionId: string): Promise<KfTicketDto[]> {
    const rows = await this.models.KfTicket.find({ corpId, sessionId }).sort({ _id: 1 }).lean<Row[]>();
    return rows.map(toDto);
  }

  async move(corpId: string, id: string, to: TicketState, by: string, note = ''): Promise<KfTicketDto> {
    const current = await this.get(corpId, id);
    if (!TICKET_MOVES[current.state].includes(to)) {
      throw new ConflictError(`工单状态「${TICKET_STATE_NAMES[current.state]}」不能改为「${TICKET_STATE_NAMES[to]}」 A ticket cannot move from ${current.state} to ${to}`);
    }
    const step = { state: to, at: this.clock.now(), by, note };
    const done = await this.models.KfTicket.updateOne({ corpId, _id: id, state: current.state }, { $set: { state: to }, $push: { history: step } });
    if (done.modifiedCount !== 1) throw new ConflictError('工单已被他人更新，请刷新 The ticket changed meanwhile; reload it');
    return this.get(corpId, id);
  }
}
