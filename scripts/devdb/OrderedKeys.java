import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The keys of one index in the index's own order (each field ascending or descending as declared, values in
 * MongoDB's comparison order), each with the positions holding it: what lets a query walk a range of an index in
 * order and stop at its limit, as MongoDB does, instead of collecting and sorting every candidate.
 *
 * Only documents whose indexed values are all scalars of the types below are ordered here. One array (multikey),
 * sub-document or other value in any indexed field makes the index {@link #usable() unusable} until that document
 * is gone: sorting on an array follows rules (smallest element, empty array before null) a key order cannot show.
 */
final class OrderedKeys {
  /** Where a probe sits among the keys sharing its values: before all of them or after all of them. */
  static final int BEFORE = -1;
  static final int AFTER = 1;

  private final String[] fields;
  private final int[] directions;
  private final Comparator<Key> order = this::compare;
  private final TreeMap<Key, EqualityIndex.Positions> tree = new TreeMap<>(order);
  private int irregular;

  OrderedKeys(List<String> fields, int[] directions) {
    this.fields = fields.toArray(new String[0]);
    this.directions = directions.clone();
  }

  int width() {
    return fields.length;
  }

  String field(int level) {
    return fields[level];
  }

  int direction(int level) {
    return directions[level];
  }

  /** False while any document holds a value this order cannot place (see the class comment). */
  boolean usable() {
    return irregular == 0;
  }

  void add(Document document, int position) {
    Object[] values = valuesOf(document);
    if (values == null) {
      irregular++;
      return;
    }
    tree.computeIfAbsent(new Key(values, 0), k -> new EqualityIndex.Positions()).add(position);
  }

  void remove(Document document, int position) {
    Object[] values = valuesOf(document);
    if (values == null) {
      irregular--;
      return;
    }
    Key key = new Key(values, 0);
    EqualityIndex.Positions positions = tree.get(key);
    if (positions != null && positions.remove(position) && positions.size == 0) tree.remove(key);
  }

  /** Most updates leave the indexed values alone; then the key cannot have moved. */
  boolean sameValues(Document a, Document b) {
    for (String field : fields) {
      if (!Objects.equals(PlainKeys.valueAt(a, field), PlainKeys.valueAt(b, field))) return false;
    }
    return true;
  }

  void clear() {
    tree.clear();
    irregular = 0;
  }

  private Object[] valuesOf(Document document) {
    Object[] values = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      Object value = PlainKeys.valueAt(document, fields[i]);
      if (!orderable(value)) return null;
      values[i] = value;
    }
    return values;
  }

  /**
   * Scalars whose order {@link ValueComparator} defines and whose equality the matcher agrees with; anything else
   * (arrays, sub-documents, decimals, binary, patterns) keeps the index out of ordered use.
   */
  static boolean orderable(Object value) {
    return value == null || value instanceof Missing || value instanceof String || value instanceof Instant || value instanceof ObjectId
        || value instanceof Boolean || value instanceof Integer || value instanceof Long || value instanceof Double;
  }

  /** MongoDB's comparison order (the parent's sort uses the same comparator), with the common same-type cases first. */
  static int compareValues(Object a, Object b) {
    return compareValues(a, b, ValueComparator.asc());
  }

  /**
   * `otherwise`'s order (one of the parent's comparators), with two values of one common class (string, date,
   * ObjectId) compared directly, as it compares them once it has ranked their types: the ranking is a linear search
   * of its type table for each side, on every comparison.
   */
  static int compareValues(Object a, Object b, Comparator<Object> otherwise) {
    if (a != null && b != null && a.getClass() == b.getClass()) {
      if (a instanceof String) return ((String) a).compareTo((String) b);
      if (a instanceof Instant) return ((Instant) a).compareTo((Instant) b);
      if (a instanceof ObjectId) return ((ObjectId) a).compareTo((ObjectId) b);
    }
    return otherwise.compare(a, b);
  }

  private int compare(Key a, Key b) {
    int n = Math.min(a.values.length, b.values.length);
    for (int j = 0; j < n; j++) {
      int c = compareValues(a.values[j], b.values[j]);
      if (c != 0) return directions[j] > 0 ? c : -c;
    }
    if (a.values.length == b.values.length) return Integer.compare(a.marker, b.marker);
    if (a.values.length < b.values.length) return a.marker == 0 ? -1 : a.marker;
    return b.marker == 0 ? 1 : -b.marker;
  }

  /** A key of the tree (marker 0), or a probe: a prefix of values placed before or after every key sharing it. */
  static final class Key {
    final Object[] values;
    final int marker;

    Key(Object[] values, int marker) {
      this.values = values;
      this.marker = marker;
    }
  }

  /** What a query allows at one level of the index, in ascending value order; a null end is open. */
  static final class Interval {
    Object lower;
    boolean lowerInclusive;
    Object upper;
    boolean upperInclusive;

    static Interval point(Object value) {
      Interval i = new Interval();
      i.lower = i.upper = value;
      i.lowerInclusive = i.upperInclusive = true;
      return i;
    }

    /** Narrows to what both allow (both are required by the query). */
    void tightenLower(Object value, boolean inclusive) {
      if (lower == null) {
        lower = value;
        lowerInclusive = inclusive;
        return;
      }
      int c = compareValues(value, lower);
      if (c > 0 || (c == 0 && !inclusive)) {
        lower = value;
        lowerInclusive = inclusive;
      }
    }

    void tightenUpper(Object value, boolean inclusive) {
      if (upper == null) {
        upper = value;
        upperInclusive = inclusive;
        return;
      }
      int c = compareValues(value, upper);
      if (c < 0 || (c == 0 && !inclusive)) {
        upper = value;
        upperInclusive = inclusive;
      }
    }
  }

  /**
   * Field → the interval a query confines it to, from top-level fields and `$and`: equality (`$eq`, a plain
   * value), `$in` (its smallest to largest value) and `$gt`/`$gte`/`$lt`/`$lte`. Every document the matcher
   * accepts lies inside (it compares values as {@link ValueComparator} orders them, and only values of the
   * operand's type), so an interval only narrows; null and non-scalar operands confine nothing.
   */
  static void collectBounds(Document query, Map<String, Interval> out) {
    for (Map.Entry<String, Object> e : query.entrySet()) {
      String field = e.getKey();
      Object value = e.getValue();
      if (field.equals("$and") && value instanceof Collection) {
        for (Object clause : (Collection<?>) value) if (clause instanceof Document) collectBounds((Document) clause, out);
        continue;
      }
      if (field.startsWith("$")) continue;
      if (value instanceof Document) {
        Document ops = (Document) value;
        if (ops.isEmpty() || !ops.keySet().stream().allMatch(k -> k.startsWith("$"))) continue;
        for (Map.Entry<String, Object> op : ops.entrySet()) confine(out, field, op.getKey(), op.getValue());
      } else if (bound(value)) {
        confine(out, field, "$eq", value);
      }
    }
  }

  private static void confine(Map<String, Interval> out, String field, String op, Object operand) {
    if (op.equals("$in")) {
      if (!(operand instanceof Collection) || ((Collection<?>) operand).isEmpty()) return;
      Object min = null;
      Object max = null;
      for (Object v : (Collection<?>) operand) {
        if (!bound(v)) return;
        if (min == null || compareValues(v, min) < 0) min = v;
        if (max == null || compareValues(v, max) > 0) max = v;
      }
      Interval i = out.computeIfAbsent(field, f -> new Interval());
      i.tightenLower(min, true);
      i.tightenUpper(max, true);
      return;
    }
    if (!bound(operand)) return;
    switch (op) {
      case "$eq" -> {
        Interval i = out.computeIfAbsent(field, f -> new Interval());
        i.tightenLower(operand, true);
        i.tightenUpper(operand, true);
      }
      case "$gt" -> out.computeIfAbsent(field, f -> new Interval()).tightenLower(operand, false);
      case "$gte" -> out.computeIfAbsent(field, f -> new Interval()).tightenLower(operand, true);
      case "$lt" -> out.computeIfAbsent(field, f -> new Interval()).tightenUpper(operand, false);
      case "$lte" -> out.computeIfAbsent(field, f -> new Interval()).tightenUpper(operand, true);
      default -> { }
    }
  }

  /** An operand that confines: a scalar the order places (null matches missing fields, so it confines nothing). */
  private static boolean bound(Object v) {
    return v != null && !(v instanceof Missing) && orderable(v);
  }

  /**
   * The keys within `bounds` (one interval or null per level), in index order (`way` 1) or reversed (-1). Like
   * MongoDB's index scan it checks each key against the bounds level by level and, when a level falls outside,
   * seeks past the keys that cannot qualify instead of stepping through them.
   */
  Walk walk(Interval[] bounds, int way) {
    return new Walk(bounds, way);
  }

  final class Walk {
    private final Interval[] bounds;
    private final int way;
    private Map.Entry<Key, EqualityIndex.Positions> current;

    private Walk(Interval[] bounds, int way) {
      this.bounds = bounds;
      this.way = way;
      current = way > 0 ? tree.firstEntry() : tree.lastEntry();
      settle();
    }

    /** The current key's values, or null when the walk is over. */
    Object[] values() {
      return current == null ? null : current.getKey().values;
    }

    EqualityIndex.Positions positions() {
      return current.getValue();
    }

    void next() {
      current = way > 0 ? tree.higherEntry(current.getKey()) : tree.lowerEntry(current.getKey());
      settle();
    }

    /** Walk order of level j's values compared: negative when a comes first. */
    int compareAt(int level, Object a, Object b) {
      int c = compareValues(a, b);
      return directions[level] * way > 0 ? c : -c;
    }

    private void settle() {
      outer:
      while (current != null) {
        Object[] values = current.getKey().values;
        for (int j = 0; j < values.length; j++) {
          Interval bound = bounds[j];
          if (bound == null) continue;
          boolean ascending = directions[j] * way > 0; // the walk meets this level's values in ascending order
          Object start = ascending ? bound.lower : bound.upper;
          boolean startInclusive = ascending ? bound.lowerInclusive : bound.upperInclusive;
          Object end = ascending ? bound.upper : bound.lower;
          boolean endInclusive = ascending ? bound.upperInclusive : bound.lowerInclusive;
          if (start != null) {
            int c = compareAt(j, values[j], start);
            if (c < 0 || (c == 0 && !startInclusive)) {
              seek(prefix(values, j, start), startInclusive ? BEFORE : AFTER);
              continue outer;
            }
          }
          if (end != null) {
            int c = compareAt(j, values[j], end);
            if (c > 0 || (c == 0 && !endInclusive)) {
              if (j == 0) {
                current = null;
                return;
              }
              seek(Arrays.copyOf(values, j), AFTER);
              continue outer;
            }
          }
        }
        return;
      }
    }

    private Object[] prefix(Object[] values, int level, Object last) {
      Object[] p = Arrays.copyOf(values, level + 1);
      p[level] = last;
      return p;
    }

    /** Moves to the first key at or after a probe, in walk order (`marker` in walk terms). */
    private void seek(Object[] values, int marker) {
      Key probe = new Key(values, way > 0 ? marker : -marker);
      current = way > 0 ? tree.ceilingEntry(probe) : tree.floorEntry(probe);
    }
  }
}
