import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;

/**
 * Development MongoDB for Siyu: mongo-java-server bound to a chosen loopback port.
 *
 * The bundled main classes bind 27017 and advertise wire version 8; the Node driver (>= 7.6) refuses anything
 * below 9, so this launcher declares MongoDB 6.0 / wire 17 through the public MongoBackend.version() API.
 *
 * Usage: java --source 17 -cp <jars> DevMongo <port> <memory|path/to/file.mv>
 * Prints "siyu-devdb listening <host:port>" once ready. Stops when stdin closes (the parent died) or on SIGTERM,
 * committing the H2 store first so a restart keeps the data.
 */
public class DevMongo {
  static final class Mongo60 implements MongoVersion {
    public List<Integer> getVersionArray() { return List.of(6, 0, 0); }
    public int getWireVersion() { return 17; }
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String store = args.length > 1 ? args[1] : "memory";
    MongoBackend backend = "memory".equals(store) ? new MemoryBackend() : new H2Backend(store);
    backend.version(new Mongo60());
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", port);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      if (backend instanceof H2Backend) ((H2Backend) backend).close();
    }));
    System.out.println("siyu-devdb listening " + server.getLocalAddress().getHostString() + ":" + server.getLocalAddress().getPort());
    System.out.flush();
    // The parent holds our stdin open; when it goes away (even by SIGKILL) we exit instead of lingering.
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    while (in.readLine() != null) { /* ignore */ }
    System.exit(0);
  }
}
