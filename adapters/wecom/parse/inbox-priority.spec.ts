import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { wecomInboxPriority } from './inbox-priority.ts';
import { fixtureReader, without, withField } from './spec-support.ts';

const folder = new URL('../fixtures/events/', import.meta.url);
const fixture = fixtureReader(folder);
const NAMES = readdirSync(folder)
  .filter((file) => file.endsWith('.xml'))
  .map((file) => file.slice(0, -'.xml'.length));
/** The fixtures of adds with a welcome code (self-built app, half add, and the same add pushed to a suite). */
const WELCOME_ADDS = ['change_external_contact.add_external_contact', 'change_external_contact.add_half_external_contact', 'suite.change_external_contact.add_external_contact'];

describe('wecomInboxPriority', () => {
  it('puts adds that carry a welcome code first and every other fixture in arrival order', () => {
    for (const name of NAMES) expect(wecomInboxPriority(fixture(name)), name).to.equal(WELCOME_ADDS.includes(name) ? 1 : 0);
  });

  it('gives an add without a welcome code, or with an empty one, no priority', () => {
    const add = fixture('change_external_contact.add_external_contact');
    expect(wecomInboxPriority(without(add, 'WelcomeCode'))).to.equal(0);
    expect(wecomInboxPriority(withField(add, 'WelcomeCode', ''))).to.equal(0);
    expect(wecomInboxPriority(add.replace('<WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>', '<WelcomeCode></WelcomeCode>'))).to.equal(0);
  });

  it('reads plain (non-CDATA) fields too', () => {
    const add = fixture('change_external_contact.add_half_external_contact').replace('<![CDATA[add_half_external_contact]]>', 'add_half_external_contact').replace('<![CDATA[WELCOMECODE]]>', 'WELCOMECODE');
    expect(wecomInboxPriority(add)).to.equal(1);
  });

  it('does not take a welcome code on another change type (msg_audit_approved, edit) for an add', () => {
    for (const name of ['change_external_contact.msg_audit_approved', 'change_external_contact.edit_external_contact']) {
      const xml = fixture(name).replace('</xml>', '<WelcomeCode><![CDATA[W]]></WelcomeCode>\n</xml>');
      expect(wecomInboxPriority(xml), name).to.equal(0);
    }
  });
});
