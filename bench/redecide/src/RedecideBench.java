import dev.voi.answers.control.ChainSnapshot;
import dev.voi.answers.control.TargetChains;
import dev.voi.answers.entity.ReportedNodes;
import dev.voi.chain.ChainNode;
import dev.voi.chain.Checksum;
import dev.voi.chain.LayerState;
import dev.voi.chain.Policy;
import dev.voi.chain.ServerLayer;
import dev.voi.fleet.control.FleetRun;
import dev.voi.fleet.control.FleetSql;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seeds N terminals with reported lists for one image and times one whole-fleet re-decision with
 * the production SQL ({@link FleetSql}, the same batches the audit's {@code Fleet} bean runs, one
 * transaction per batch), counting the statements (round trips) sent to PostgreSQL.
 *
 * <p>Usage: RedecideBench jdbcUrl terminals batch
 */
public class RedecideBench {

  static final int LAYERS = 6;
  static final AtomicLong statements = new AtomicLong();
  static final AtomicLong batchedRows = new AtomicLong();

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int terminals = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    Random random = new Random(42);
    List<Checksum> chain = new ArrayList<>();
    for (int k = 0; k < LAYERS; k++) {
      chain.add(Checksum.sha256("bench layer " + k));
    }
    long imageId;
    try (Connection c = DriverManager.getConnection(url)) {
      imageId = seed(c, terminals, chain, random);
    }
    List<ChainSnapshot.LayerFile> files = new ArrayList<>();
    for (int k = 0; k < LAYERS; k++) {
      files.add(
          new ChainSnapshot.LayerFile(
              new ServerLayer(k, k + 1, chain.get(k), 1L << 20, LayerState.PUBLISHED),
              "layer-" + k + ".qcow2",
              chain.get(k).hex()));
    }
    ChainSnapshot snapshot =
        new ChainSnapshot(imageId, "bench-image", Policy.CATCH_UP, 3, 2, files, "audit");
    Map<Long, Optional<ChainSnapshot>> chains = Map.of(imageId, Optional.of(snapshot));

    {
      // The decisions alone, in memory, for comparison: decode + StrategyDecider + fingerprint.
      List<byte[]> lists = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement();
          var rs = s.executeQuery("SELECT reported_nodes FROM assignment")) {
        while (rs.next()) {
          lists.add(rs.getBytes(1));
        }
      }
      for (int round = 0; round < 3; round++) {
        long start = System.nanoTime();
        long sink = 0;
        for (byte[] nodes : lists) {
          sink += snapshot.answerFor(ReportedNodes.decode(nodes), 60).fingerprint().length();
        }
        System.out.printf(
            "in memory only: %d decisions + fingerprints in %.0f ms (%d)%n",
            lists.size(), (System.nanoTime() - start) / 1e6, sink);
      }
    }
    for (int workers : new int[] {1, 2}) {
      for (String pass :
          List.of("first (every stored answer stale)", "second (nothing to write)")) {
        if (pass.startsWith("first")) {
          resetAnswers(url);
        }
        statements.set(0);
        batchedRows.set(0);
        nanosByVerb.clear();
        transactions.set(0);
        List<Connection> opened = java.util.Collections.synchronizedList(new ArrayList<>());
        ThreadLocal<Connection> connections =
            ThreadLocal.withInitial(
                () -> {
                  try {
                    Connection raw = DriverManager.getConnection(url);
                    raw.setAutoCommit(false);
                    opened.add(raw);
                    return counting(raw);
                  } catch (SQLException e) {
                    throw new IllegalStateException(e);
                  }
                });
        java.util.concurrent.ExecutorService pool =
            java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, workers - 1));
        try {
          Connection c = connections.get();
          long start = System.nanoTime();
          Map<Long, String> images = FleetSql.reportedImages(c);
          List<Long> starts = FleetSql.rangeStarts(c, null, batch);
          commit(c);
          FleetRun run =
              FleetRun.run(
                  starts,
                  batch,
                  workers,
                  pool,
                  (after, before, limit) -> {
                    Connection w = connections.get();
                    try {
                      FleetSql.Batch b =
                          FleetSql.redecideBatch(
                              w,
                              TargetChains.judging(chains),
                              "audit 1",
                              null,
                              after,
                              before,
                              limit,
                              Instant.now(),
                              60);
                      commit(w);
                      return b;
                    } catch (SQLException e) {
                      throw new IllegalStateException(e);
                    }
                  },
                  100);
          var counts = FleetSql.counts(c, run.changed(), List.of());
          var stale = FleetSql.stale(c, Instant.now().minusSeconds(3600), 100);
          commit(c);
          double ms = (System.nanoTime() - start) / 1e6;
          System.out.printf(
              "%d worker(s), %s: %d terminals, images %d, ranges %d, read %d, written %d,"
                  + " strategy/reason changed %d, decisions counted %d %s, stale %d; %.0f ms;"
                  + " %d statements sent (%d rows in JDBC batches), %d transactions%n",
              workers,
              pass,
              terminals,
              images.size(),
              starts.size(),
              run.read(),
              run.written(),
              run.changed(),
              counts.decisions(),
              counts.byStrategy(),
              stale.total(),
              ms,
              statements.get(),
              batchedRows.get(),
              transactions.get());
          System.out.printf(
              "  time in statements by verb (summed over workers, ms): %s%n",
              nanosByVerb.entrySet().stream()
                  .map(e -> e.getKey() + " " + e.getValue().get() / 1_000_000)
                  .sorted()
                  .toList());
        } finally {
          pool.shutdown();
          for (Connection raw : opened) {
            raw.close();
          }
        }
      }
    }
  }

  static final AtomicLong transactions = new AtomicLong();

  static void commit(Connection c) throws SQLException {
    c.commit();
    transactions.incrementAndGet();
  }

  /** Makes every stored answer stale again (an older revision, a wrong hash): the worst case. */
  static void resetAnswers(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(
          "UPDATE assignment SET strategy = 'STOP', reason = 'UP_TO_DATE', answer_hash = 'old',"
              + " answer_revision = 1, version = 0");
      s.execute("TRUNCATE answer_change");
      s.execute("VACUUM ANALYZE assignment");
      s.execute("VACUUM ANALYZE answer_change");
    }
  }

  static long seed(Connection c, int terminals, List<Checksum> chain, Random random)
      throws SQLException {
    long started = System.nanoTime();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("TRUNCATE answer_change, feedback, assignment, terminal, layer, image CASCADE");
      s.execute(
          "INSERT INTO image (name, policy, max_incremental_layers, created_at, revision)"
              + " VALUES ('bench-image', 'catch-up', 3, now(), 2)");
    }
    long imageId;
    try (Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT id FROM image WHERE name = 'bench-image'")) {
      rs.next();
      imageId = rs.getLong(1);
    }
    try (PreparedStatement t =
            c.prepareStatement(
                "INSERT INTO terminal (id, name, token_hash, created_at, last_seen)"
                    + " VALUES (?, ?, ?, now() - interval '2 hours', ?)");
        PreparedStatement a =
            c.prepareStatement(
                "INSERT INTO assignment (terminal_id, image_id, assigned_at, reported_nodes,"
                    + " reported_layers, reported_at, strategy, reason, policy, keep_layers,"
                    + " total_bytes, answer_hash, answer_revision, decided_at, version)"
                    + " VALUES (?, ?, now(), ?, ?, now(), 'STOP', 'UP_TO_DATE', 'catch-up', 0,"
                    + " 0, 'old', 1, now(), 0)")) {
      for (int i = 1; i <= terminals; i++) {
        t.setLong(1, i);
        t.setString(2, "bench-" + i);
        t.setString(3, String.format("%064x", i));
        // one in twenty has not called for two hours: stale
        t.setObject(
            4,
            i % 20 == 0
                ? null
                : java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusSeconds(30));
        t.addBatch();
        // held: a prefix of the chain (0..LAYERS layers), now and then a diverged top
        int held = random.nextInt(LAYERS + 1);
        List<ChainNode> nodes = new ArrayList<>();
        for (int k = 0; k < held; k++) {
          Checksum head = chain.get(k);
          if (k == held - 1 && random.nextInt(10) == 0) {
            head = Checksum.sha256("diverged " + i);
          }
          Checksum tail =
              k + 1 < held ? chain.get(k + 1) : Checksum.sha256("tail " + i + " " + k);
          nodes.add(new ChainNode(head, tail));
        }
        a.setLong(1, i);
        a.setLong(2, imageId);
        a.setBytes(3, ReportedNodes.encode(nodes));
        a.setInt(4, held);
        a.addBatch();
        if (i % 5000 == 0 || i == terminals) {
          t.executeBatch();
          a.executeBatch();
        }
      }
    }
    c.commit();
    try (Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      s.execute("VACUUM ANALYZE assignment");
      s.execute("VACUUM ANALYZE terminal");
    }
    System.out.printf(
        "seeded %d terminals in %.1f s%n", terminals, (System.nanoTime() - started) / 1e9);
    return imageId;
  }

  /** Counts every statement execution (a JDBC batch counts once: one round trip). */
  static Connection counting(Connection raw) {
    return (Connection)
        Proxy.newProxyInstance(
            RedecideBench.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              Object result = invoke(raw, method, args);
              if (result instanceof PreparedStatement ps) {
                return countingStatement(ps, String.valueOf(args[0]).trim().split("\\s+")[0]);
              }
              return result;
            });
  }

  static final Map<String, AtomicLong> nanosByVerb = new java.util.concurrent.ConcurrentHashMap<>();

  static PreparedStatement countingStatement(PreparedStatement ps, String verb) {
    return (PreparedStatement)
        Proxy.newProxyInstance(
            RedecideBench.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            (proxy, method, args) -> {
              boolean timed = false;
              switch (method.getName()) {
                case "executeQuery", "executeUpdate", "execute", "executeBatch" -> {
                  statements.incrementAndGet();
                  timed = true;
                }
                case "addBatch" -> batchedRows.incrementAndGet();
                default -> {}
              }
              long start = System.nanoTime();
              try {
                return invoke(ps, method, args);
              } finally {
                if (timed) {
                  nanosByVerb
                      .computeIfAbsent(verb, v -> new AtomicLong())
                      .addAndGet(System.nanoTime() - start);
                }
              }
            });
  }

  static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
