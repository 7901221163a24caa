import { expect } from 'chai';
import { resolveLiveCode } from './live-code-resolve.ts';
import type { LiveCodeDto, LiveCodeRepository } from './live-code.repository.ts';

/** A repository that knows one code and counts the lookups it answers. */
function codesWith(code: Pick<LiveCodeDto, 'id' | 'state'>) {
  const asked: string[] = [];
  const codes = {
    findByState: async (_corpId: string, state: string) => (asked.push(`state:${state}`), state === code.state ? (code as LiveCodeDto) : null),
    findStaffDefault: async (_corpId: string, userId: string) => (asked.push(`default:${userId}`), null),
  } as unknown as LiveCodeRepository;
  return { codes, asked };
}

describe('resolveLiveCode', () => {
  const input = (eventState: string | null) => ({ corpId: 'ww1', staffUserId: 'u1', eventState, followState: async () => null });

  it('leaves another feature\'s state (c:… campaigns) to its owner without a lookup', async () => {
    const { codes, asked } = codesWith({ id: 'lc1', state: 'lc:abcdefghjk' });
    expect(await resolveLiveCode(codes, input('c:spring:b1'))).to.equal(null);
    expect(asked).to.deep.equal([]);
  });

  it('still finds our token inside another feature\'s state, and an exact state, and falls back to the staff code', async () => {
    const { codes, asked } = codesWith({ id: 'lc1', state: 'lc:abcdefghjk' });
    expect((await resolveLiveCode(codes, input('x:lc:abcdefghjk')))?.resolvedBy).to.equal('state_prefix');
    expect((await resolveLiveCode(codes, input('lc:abcdefghjk')))?.resolvedBy).to.equal('state');
    expect(await resolveLiveCode(codes, input('freeform'))).to.equal(null);
    expect(asked).to.deep.equal(['state:x:lc:abcdefghjk', 'state:lc:abcdefghjk', 'state:lc:abcdefghjk', 'state:freeform', 'default:u1']);
  });
});
