import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.DuplicateKeyError;

import java.util.List;
import java.util.Set;

/** The memory backend's unique index, its keys read by {@link PlainKeys} where the fields allow. */
final class PlainUniqueIndex extends MemoryUniqueIndex {
  private final PlainKeys plain;

  PlainUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.plain = PlainKeys.of(keys());
  }

  @Override
  public Set<KeyValue> getKeyValues(Document document) {
    Set<KeyValue> key = plain == null ? null : plain.of(document);
    return key != null ? key : super.getKeyValues(document);
  }

  // The parent reads the key through its path split here too (a package-private call the override above misses).
  @Override
  public synchronized void checkAdd(Document document, MongoCollection<Integer> collection) {
    KeyValue raw = plain == null ? null : plain.raw(document);
    if (raw == null) {
      super.checkAdd(document, collection);
      return;
    }
    if (isSparse() && !plain.anyPresent(document)) return;
    if (containsKey(raw.normalized())) throw new DuplicateKeyError(this, collection, getKeys(), raw);
  }
}
