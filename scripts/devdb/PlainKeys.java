import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * An index's key of a document when every key field is a top-level name and no value is an array: the value the
 * parent's `Index.getKeyValues` gives, without its per-field path split (a regular expression and a stream for
 * each field of each index, on every insert and every update: about a third of the database's CPU in a recording
 * of the inbound benchmark). Anything else (a dotted path, an array value) is left to the parent: `null`.
 */
final class PlainKeys {
  private final String[] fields;

  /** `null` when some field is a path, which only the parent resolves. */
  static PlainKeys of(List<String> fields) {
    for (String field : fields) if (!plain(field)) return null;
    return new PlainKeys(fields.toArray(new String[0]));
  }

  /** A top-level name: no path to split. */
  static boolean plain(String field) {
    return !field.isEmpty() && field.indexOf('.') < 0 && !field.startsWith("$");
  }

  /**
   * `Utils.getSubdocumentValueCollectionAware(document, field)`: for a plain name that is the document's own value
   * (or `Missing`), read without the path split; a path goes to the parent's reading.
   */
  static Object valueAt(Document document, String field) {
    return plain(field) ? document.getOrMissing(field) : Utils.getSubdocumentValueCollectionAware(document, field);
  }

  private PlainKeys(String[] fields) {
    this.fields = fields;
  }

  /** The document's one key, normalized as the parent normalizes it; `null` when a value is an array. */
  Set<KeyValue> of(Document document) {
    KeyValue raw = raw(document);
    return raw == null ? null : Set.of(raw.normalized());
  }

  /** The key as read (a missing field as `Missing`), before normalizing; `null` when a value is an array. */
  KeyValue raw(Document document) {
    Object[] values = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      Object value = document.getOrMissing(fields[i]);
      if (value instanceof Collection) return null;
      values[i] = value;
    }
    return new KeyValue(values);
  }

  /** Whether the document holds any of the fields (a sparse index skips a document that holds none). */
  boolean anyPresent(Document document) {
    for (String field : fields) if (document.containsKey(field)) return true;
    return false;
  }
}
