import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;

import java.util.List;

/**
 * mongo-java-server's memory backend with the index uses a real server has and it lacks: a query sorted on `_id`
 * walks the `_id`s in order and stops at the limit; the non-unique indexes the application declares find
 * candidates for equality (and `$in`) filters, narrow ranges and walk in a sort's order to the limit, instead of
 * scanning and sorting every document. All of it only narrows or orders what the parent's matcher then checks,
 * so answers are those of the plain backend (docs/decisions/0001).
 */
final class IndexedMemoryBackend extends MemoryBackend {
  /** Documents kept as BSON bytes (the `compact` store), not as maps. */
  private final boolean compact;

  IndexedMemoryBackend(boolean compact) {
    this.compact = compact;
  }

  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new MemoryDatabase(databaseName, getCursorRegistry()) {
      @Override
      protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
        return new IndexedMemoryCollection(this, collectionName, options, cursorRegistry, compact);
      }

      @Override
      protected Index<Integer> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        return new PlainUniqueIndex(indexName, keys, sparse);
      }

      @Override
      protected Index<Integer> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        return new EqualityIndex(indexName, keys, sparse);
      }
    };
  }
}
