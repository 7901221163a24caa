import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A non-unique index of the memory backend (mongo-java-server ignores them): it maps the values of the index's
 * leading fields, up to the first `_id` and at most two, to the positions of the documents holding them
 * (each element of an array, as a multikey index does). It only proposes candidates for a query that fixes all
 * of those fields by equality or `$in`; the collection's matcher still checks every candidate against the whole
 * query, so a candidate too many costs time, never a wrong answer.
 *
 * It reports itself sparse and owns no position, so the parent takes positions from the `_id` index; a document
 * that cannot be keyed (parallel arrays) is kept apart and proposed for every query.
 */
final class EqualityIndex extends Index<Integer> {
  private static final int MAX_KEYS = 2;
  private static final int MAX_COMBINATIONS = 1 << 16;

  private final List<String> fields;
  private final PlainKeys plain;
  private final boolean declaredSparse;
  private final Map<KeyValue, Positions> buckets = new HashMap<>();
  private final Positions unkeyable = new Positions();
  private long entries;
  /** Every key field in index order, built on the first query that can walk it (so an index never walked costs no upkeep). */
  private OrderedKeys ordered;

  EqualityIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, true);
    this.declaredSparse = sparse;
    List<String> leading = new ArrayList<>();
    for (IndexKey key : keys) {
      if (key.getKey().equals("_id") || leading.size() == MAX_KEYS) break;
      leading.add(key.getKey());
    }
    this.fields = List.copyOf(leading);
    this.plain = fields.isEmpty() ? null : PlainKeys.of(fields);
  }

  // Keys are computed over the leading fields only (the parent's multikey expansion reads keys()).
  @Override
  protected List<String> keys() {
    return fields;
  }

  @Override
  public Set<KeyValue> getKeyValues(Document document) {
    Set<KeyValue> key = plain == null ? null : plain.of(document);
    return key != null ? key : super.getKeyValues(document);
  }

  @Override
  public Document toIndexDescription() {
    Document description = super.toIndexDescription();
    if (!declaredSparse) description.remove("sparse");
    return description;
  }

  @Override
  public Integer getPosition(Document document) {
    return null;
  }

  @Override
  public void checkAdd(Document document, MongoCollection<Integer> collection) {
    // never refuses: a non-unique index
  }

  @Override
  public synchronized void add(Document document, Integer position, MongoCollection<Integer> collection) {
    if (ordered != null) ordered.add(document, position);
    addKeys(document, position);
  }

  private void addKeys(Document document, int position) {
    if (fields.isEmpty()) return;
    Set<KeyValue> keys = keysOf(document);
    if (keys == null) {
      unkeyable.add(position);
      return;
    }
    for (KeyValue key : keys) {
      if (buckets.computeIfAbsent(key, k -> new Positions()).add(position)) entries++;
    }
  }

  @Override
  public synchronized Integer remove(Document document) {
    // The parent calls this before it frees the slot; the position comes from the _id index.
    return null;
  }

  /** Drops a position the collection is freeing, under the keys of the document that held it. */
  synchronized void forget(Document document, int position) {
    if (ordered != null) ordered.remove(document, position);
    forgetKeys(document, position);
  }

  private void forgetKeys(Document document, int position) {
    if (fields.isEmpty()) return;
    Set<KeyValue> keys = keysOf(document);
    if (keys == null) {
      unkeyable.remove(position);
      return;
    }
    for (KeyValue key : keys) drop(key, position);
  }

  @Override
  public synchronized void updateInPlace(Document oldDocument, Document newDocument, Integer position, MongoCollection<Integer> collection) {
    if (ordered != null && !ordered.sameValues(oldDocument, newDocument)) {
      ordered.remove(oldDocument, position);
      ordered.add(newDocument, position);
    }
    if (fields.isEmpty() || sameLeadingValues(oldDocument, newDocument)) return;
    Set<KeyValue> before = keysOf(oldDocument);
    Set<KeyValue> after = keysOf(newDocument);
    if (before != null && before.equals(after)) return;
    forgetKeys(oldDocument, position);
    addKeys(newDocument, position);
  }

  @Override
  public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Integer> collection) {
    // never refuses: a non-unique index
  }

  @Override
  public boolean canHandle(Document query) {
    return false; // the collection asks for candidates() instead, and compares their number
  }

  @Override
  public Iterable<Integer> getPositions(Document query) {
    throw new UnsupportedOperationException("EqualityIndex proposes candidates(); it is never chosen by canHandle");
  }

  /**
   * The positions of every document that can match the query, in position order, or null when the query does
   * not fix each leading field by equality or `$in`.
   */
  synchronized int[] candidates(Document query) {
    if (fields.isEmpty()) return null;
    Map<String, List<Object>> fixed = new LinkedHashMap<>();
    collectEqualities(query, fixed);
    List<List<Object>> choices = new ArrayList<>();
    int combinations = 1;
    for (String field : fields) {
      List<Object> values = fixed.get(field);
      if (values == null || values.isEmpty()) return null;
      combinations *= values.size();
      if (combinations > MAX_COMBINATIONS) return null;
      choices.add(values);
    }
    List<Positions> hits = new ArrayList<>();
    for (List<Object> combination : product(choices)) {
      Positions p = buckets.get(new KeyValue(combination).normalized());
      if (p != null) hits.add(p);
    }
    if (unkeyable.size > 0) hits.add(unkeyable);
    return Positions.union(hits);
  }

  @Override
  public synchronized long getCount() {
    return entries + unkeyable.size;
  }

  @Override
  public long getDataSize() {
    return getCount();
  }

  @Override
  public synchronized void drop() {
    ordered = null;
    buckets.clear();
    unkeyable.size = 0;
    entries = 0;
  }

  /** How many leading fields {@link #candidates} needs fixed (a range fixing no more finds nothing fewer). */
  int equalityWidth() {
    return fields.size();
  }

  /** The index's keys in order, or null until {@link #keepOrdered} installed them. */
  synchronized OrderedKeys orderedKeys() {
    return ordered;
  }

  /** An empty key order over every field of this index, for the collection to fill with what it holds. */
  OrderedKeys newOrdering() {
    List<String> all = new ArrayList<>();
    int[] directions = new int[getKeys().size()];
    for (int i = 0; i < directions.length; i++) {
      all.add(getKeys().get(i).getKey());
      directions[i] = getKeys().get(i).isAscending() ? 1 : -1;
    }
    return new OrderedKeys(all, directions);
  }

  /** From now on every write keeps `filled` (built from every stored document, under the collection's lock) in step. */
  synchronized void keepOrdered(OrderedKeys filled) {
    ordered = filled;
  }

  /** Most updates (a status, a timestamp) leave the indexed fields alone: then the keys cannot have changed. */
  private boolean sameLeadingValues(Document a, Document b) {
    for (String field : fields) {
      if (!Objects.equals(PlainKeys.valueAt(a, field), PlainKeys.valueAt(b, field))) return false;
    }
    return true;
  }

  private Set<KeyValue> keysOf(Document document) {
    try {
      return getKeyValues(document);
    } catch (RuntimeException cannotIndex) { // parallel arrays: MongoDB refuses the document, we just scan it
      return null;
    }
  }

  private void drop(KeyValue key, int position) {
    Positions p = buckets.get(key);
    if (p == null || !p.remove(position)) return;
    entries--;
    if (p.size == 0) buckets.remove(key);
  }

  /** Field → the values a query fixes it to, from top-level fields and `$and`; anything else fixes nothing. */
  static void collectEqualities(Document query, Map<String, List<Object>> fixed) {
    for (Map.Entry<String, Object> e : query.entrySet()) {
      String field = e.getKey();
      Object value = e.getValue();
      if (field.equals("$and") && value instanceof Collection) {
        for (Object clause : (Collection<?>) value) if (clause instanceof Document) collectEqualities((Document) clause, fixed);
        continue;
      }
      if (field.startsWith("$") || fixed.containsKey(field)) continue;
      List<Object> values = fixedValues(value);
      if (values != null) fixed.put(field, values);
    }
  }

  private static List<Object> fixedValues(Object value) {
    if (isPlain(value)) return List.of(value);
    if (!(value instanceof Document)) return null;
    Document ops = (Document) value;
    if (ops.size() != 1) return null;
    Object operand = ops.containsKey("$eq") ? ops.get("$eq") : ops.get("$in");
    if (ops.containsKey("$eq")) return isPlain(operand) ? List.of(operand) : null;
    if (!(operand instanceof Collection)) return null;
    List<Object> values = new ArrayList<>();
    for (Object v : (Collection<?>) operand) {
      if (!isPlain(v)) return null;
      values.add(v);
    }
    return values;
  }

  /** A value whose equality is a key lookup: not null (matches missing), an array, a document or a pattern. */
  static boolean isPlain(Object v) {
    return v != null && !(v instanceof Collection) && !(v instanceof Document) && !(v instanceof Pattern) && !BsonRegularExpression.isRegularExpression(v);
  }

  private static List<List<Object>> product(List<List<Object>> choices) {
    List<List<Object>> out = new ArrayList<>();
    out.add(new ArrayList<>());
    for (List<Object> values : choices) {
      List<List<Object>> next = new ArrayList<>();
      for (List<Object> prefix : out) {
        for (Object v : values) {
          List<Object> longer = new ArrayList<>(prefix);
          longer.add(v);
          next.add(longer);
        }
      }
      out = next;
    }
    return out;
  }

  /** A sorted set of positions in an int array: compact, and already in scan order. */
  static final class Positions {
    int[] items = new int[4];
    int size;

    boolean add(int position) {
      int at = Arrays.binarySearch(items, 0, size, position);
      if (at >= 0) return false;
      at = -at - 1;
      if (size == items.length) items = Arrays.copyOf(items, size * 2);
      System.arraycopy(items, at, items, at + 1, size - at);
      items[at] = position;
      size++;
      return true;
    }

    boolean remove(int position) {
      int at = Arrays.binarySearch(items, 0, size, position);
      if (at < 0) return false;
      System.arraycopy(items, at + 1, items, at, size - at - 1);
      size--;
      return true;
    }

    static int[] union(List<Positions> sets) {
      if (sets.isEmpty()) return new int[0];
      if (sets.size() == 1) return Arrays.copyOf(sets.get(0).items, sets.get(0).size);
      int total = 0;
      for (Positions p : sets) total += p.size;
      int[] all = new int[total];
      int n = 0;
      for (Positions p : sets) {
        System.arraycopy(p.items, 0, all, n, p.size);
        n += p.size;
      }
      Arrays.sort(all);
      int out = 0;
      for (int i = 0; i < all.length; i++) if (i == 0 || all[i] != all[i - 1]) all[out++] = all[i];
      return Arrays.copyOf(all, out);
    }
  }
}
