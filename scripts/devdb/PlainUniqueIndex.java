import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;

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
}
