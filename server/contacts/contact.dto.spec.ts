import { expect } from 'chai';
import mongoose from 'mongoose';
import { newContactDocument } from './contact.dto.ts';
import { contactSchema } from './contact.schema.ts';

describe('newContactDocument', () => {
  const Contact = mongoose.model('ContactDtoSpec', contactSchema);

  it('holds exactly what the mongoose model would build, defaults included', async () => {
    const now = new Date('2026-11-22T00:00:00Z');
    const fields = { corpId: 'ww', identityKeys: ['wecom:x'], externalUserId: 'x', createdAt: now, updatedAt: now };
    const direct = newContactDocument(fields);
    const viaModel = new Contact({ ...fields, _id: direct._id }).toObject({ versionKey: true });
    await new Contact(direct).validate();
    expect(JSON.parse(JSON.stringify(direct))).to.deep.equal(JSON.parse(JSON.stringify({ ...viaModel, __v: 0 })));
  });
});
