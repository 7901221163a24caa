import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import org.h2.mvstore.MVStore;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.BindException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Development MongoDB for Siyu: mongo-java-server bound to a chosen loopback port.
 *
 * The bundled main classes bind 27017 and advertise wire version 8; the Node driver (>= 7.6) refuses anything
 * below 9, so this launcher declares MongoDB 6.0 / wire 17 through the public MongoBackend.version() API.
 *
 * Usage: java -cp <jars> DevMongo <port> <memory|compact|path/to/file.mv> (`compact`: in memory, each document kept
 * as its BSON bytes instead of a map: several times less heap, a decode per document read).
 * Prints "siyu-devdb listening <host:port>" once ready. Stops when stdin closes (the parent died) or on SIGTERM,
 * committing the H2 store first so a restart keeps the data. A failure to start is one line on stderr,
 * "siyu-devdb error: <locked|port-in-use|other> <detail>", and exit code 3 (store locked by another process),
 * 4 (port in use) or 1.
 */
public class DevMongo {
  static final class Mongo60 implements MongoVersion {
    public List<Integer> getVersionArray() { return List.of(6, 0, 0); }
    public int getWireVersion() { return 17; }
  }

  /**
   * The H2 backend writes its MVStore to the file in the background, about once a second: a write acknowledged
   * before that is lost if the process is killed. A command that asks for the journal (writeConcern j: true) is
   * answered here only after the store has been committed to its file and synced. Commits are grouped: a writer
   * takes a ticket after its write, and whoever commits first commits every write that has taken a ticket, so
   * concurrent writers share one commit instead of queueing one each.
   */
  static final class JournaledH2Backend extends H2Backend {
    private final MVStore store;
    private final Object commitLock = new Object();
    private final AtomicLong tickets = new AtomicLong();
    private long committed;

    JournaledH2Backend(MVStore store) {
      super(store);
      this.store = store;
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
      try {
        return super.handleCommand(channel, database, command, query);
      } finally {
        if (wantsJournal(query)) commitThrough(tickets.incrementAndGet());
      }
    }

    private void commitThrough(long ticket) {
      synchronized (commitLock) {
        if (committed >= ticket) return;
        long through = tickets.get();
        store.commit();
        store.sync();
        committed = through;
      }
    }

    private static boolean wantsJournal(Document query) {
      if (query == null || !(query.get("writeConcern") instanceof Document)) return false;
      Document wc = (Document) query.get("writeConcern");
      return isTrue(wc.get("j")) || isTrue(wc.get("fsync"));
    }

    private static boolean isTrue(Object v) {
      return Boolean.TRUE.equals(v) || (v instanceof Number && ((Number) v).intValue() != 0);
    }
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    String store = args.length > 1 ? args[1] : "memory";
    MongoBackend backend;
    MongoServer server;
    try {
      backend = "memory".equals(store) || "compact".equals(store) ? new IndexedMemoryBackend("compact".equals(store)) : new JournaledH2Backend(new MVStore.Builder().fileName(store).open());
      backend.version(new Mongo60());
      server = new MongoServer(backend);
      server.bind("127.0.0.1", port);
    } catch (Exception e) { // Netty rethrows BindException unchecked
      fail(e, port, store);
      return;
    }
    final MongoBackend opened = backend;
    final MongoServer bound = server;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      bound.shutdownNow();
      if (opened instanceof H2Backend) ((H2Backend) opened).close();
    }));
    System.out.println("siyu-devdb listening " + server.getLocalAddress().getHostString() + ":" + server.getLocalAddress().getPort());
    System.out.flush();
    // The parent holds our stdin open; when it goes away (even by SIGKILL) we exit instead of lingering.
    try {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
      while (in.readLine() != null) { /* ignore */ }
    } catch (java.io.IOException e) { /* stdin gone: same as closed */ }
    System.exit(0);
  }

  /** One line the parent can act on instead of a stack trace. */
  private static void fail(Throwable e, int port, String store) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (message.contains("file is locked")) {
        System.err.println("siyu-devdb error: locked " + store);
        System.exit(3);
      }
      if (t instanceof BindException) {
        System.err.println("siyu-devdb error: port-in-use " + port);
        System.exit(4);
      }
    }
    System.err.println("siyu-devdb error: other " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
    System.exit(1);
  }
}
