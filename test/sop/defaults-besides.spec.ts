import { expect } from 'chai';
import mongoose, { Schema } from 'mongoose';
import { defaultsBesides } from '../../server/sop/ledger/touch.repository.ts';

describe('defaultsBesides (the defaults bulk writes spread into new documents)', () => {
  const Model = mongoose.model(
    'DefaultsBesidesProbe',
    new Schema({ corpId: String, status: { type: String, default: 'planned' }, attempts: { type: Number, default: 0 }, tagIds: { type: [String], default: [] }, note: { type: String, default: null } }),
  );

  it('gives every default but the named fields, the version key as 0, in the schema order', () => {
    const defaults = defaultsBesides(Model, ['_id', 'attempts']);
    expect(defaults).to.deep.equal({ status: 'planned', tagIds: [], note: null, __v: 0 });
    expect(Object.keys(defaults)).to.deep.equal(['status', 'tagIds', 'note', '__v']);
  });

  it('leaves out the version key when it is named', () => {
    expect(defaultsBesides(Model, ['_id', '__v'])).to.not.have.property('__v');
  });
});
