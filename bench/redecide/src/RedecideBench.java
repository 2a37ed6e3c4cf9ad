import dev.voi.answers.control.ChainSnapshot;
import dev.voi.answers.control.TargetChains;
import dev.voi.answers.entity.ReportedNodes;
import dev.voi.chain.ChainNode;
import dev.voi.chain.Checksum;
import dev.voi.chain.LayerState;
import dev.voi.chain.Policy;
import dev.voi.chain.ServerLayer;
import dev.voi.chain.rollout.RolloutPlan;
import dev.voi.fleet.control.FleetRun;
import dev.voi.fleet.control.FleetSql;
import dev.voi.images.control.Affected;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Seeds N terminals with reported lists for one image and times re-decisions with the production
 * SQL ({@link FleetSql}, {@link FleetRun}: the same ranges and batches the server's {@code Fleet}
 * bean runs, one transaction per batch), counting the statements (round trips) sent to PostgreSQL.
 *
 * <p>Two databases, seeded with the same reported lists: the <b>flat</b> one (every terminal in
 * group {@code default}, no rollout plan: the scenario of issues 5 and 12) and the <b>staged</b>
 * one (the terminals in ten groups g0..g9 of N/10 each, a plan [[g0], [g1, g2, g3], ["*"]], wave 0
 * released the newest tip, waves 1 and 2 one layer behind; docs/design.md §11). Part 1 repeats the
 * old measurement on the flat database (1 and 2 workers). Part 2 runs, interleaved, in rounds whose
 * order rotates: the audit's whole-fleet passes on both databases (the flat ones are the baseline),
 * and on the staged one a wave advance (wave 1's target chain becomes wave 0's: its 3 groups' rows
 * change answer) re-decided the way the server does it (image + the wave's groups) and, for
 * comparison, as a re-decision of the whole image; the staged rows are restored after each.
 *
 * <p>Usage: RedecideBench flatUrl stagedUrl terminals batch rounds
 */
public class RedecideBench {

  static final int LAYERS = 6;
  static final int GROUPS = 10;
  static final Set<String> WAVE_1 = Set.of("g1", "g2", "g3");
  static final AtomicLong statements = new AtomicLong();
  static final AtomicLong batchedRows = new AtomicLong();
  static final AtomicLong transactions = new AtomicLong();
  static final Map<String, AtomicLong> nanosByVerb = new java.util.concurrent.ConcurrentHashMap<>();

  public static void main(String[] args) throws Exception {
    String flatUrl = args[0];
    String stagedUrl = args[1];
    int terminals = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    int rounds = Integer.parseInt(args[4]);
    int workers = Runtime.getRuntime().availableProcessors(); // the server's default

    List<Checksum> chain = new ArrayList<>();
    for (int k = 0; k < LAYERS; k++) {
      chain.add(Checksum.sha256("bench layer " + k));
    }
    // Groups: N/10 terminals each, shuffled over the ids (terminals register in any order).
    List<String> groups = new ArrayList<>(terminals);
    for (int i = 0; i < terminals; i++) {
      groups.add("g" + (i % GROUPS));
    }
    Collections.shuffle(groups, new Random(7));
    long flatImage;
    long stagedImage;
    try (Connection c = DriverManager.getConnection(flatUrl)) {
      flatImage = seed(c, terminals, chain, new Random(42), i -> "default");
    }
    try (Connection c = DriverManager.getConnection(stagedUrl)) {
      stagedImage = seed(c, terminals, chain, new Random(42), i -> groups.get(i - 1));
    }
    List<ChainSnapshot.LayerFile> files = new ArrayList<>();
    for (int k = 0; k < LAYERS; k++) {
      files.add(
          new ChainSnapshot.LayerFile(
              new ServerLayer(k, k + 1, chain.get(k), 1L << 20, LayerState.PUBLISHED),
              "layer-" + k + ".qcow2",
              chain.get(k).hex()));
    }
    List<ChainSnapshot.LayerFile> behind = files.subList(0, LAYERS - 1);
    RolloutPlan plan =
        new RolloutPlan(
            List.of(List.of("g0"), List.of("g1", "g2", "g3"), List.of("*")), 0.9, 0.1, true);
    ChainSnapshot flat =
        new ChainSnapshot(flatImage, "bench-image", Policy.CATCH_UP, 3, 2, files, "audit");
    ChainSnapshot staged =
        new ChainSnapshot(
            stagedImage,
            "bench-image",
            Policy.CATCH_UP,
            3,
            2,
            files,
            new ChainSnapshot.Staging(plan, List.of(files, behind, behind)),
            Map.of(),
            "audit");
    // Wave 1 advanced: its released tip becomes wave 0's, at the image's next revision.
    ChainSnapshot advanced =
        new ChainSnapshot(
            stagedImage,
            "bench-image",
            Policy.CATCH_UP,
            3,
            3,
            files,
            new ChainSnapshot.Staging(plan, List.of(files, files, behind)),
            Map.of(),
            "advance");
    Instant now = Instant.now();
    {
      // The decisions alone, in memory: decode + TargetChains + StrategyDecider + fingerprint.
      List<byte[]> lists = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(flatUrl);
          Statement s = c.createStatement();
          var rs = s.executeQuery("SELECT reported_nodes FROM assignment ORDER BY id")) {
        while (rs.next()) {
          lists.add(rs.getBytes(1));
        }
      }
      for (int round = 0; round < 3; round++) {
        for (boolean withPlan : new boolean[] {round % 2 == 1, round % 2 == 0}) {
          long start = System.nanoTime();
          long sink = 0;
          for (int i = 0; i < lists.size(); i++) {
            List<ChainNode> nodes = ReportedNodes.decode(lists.get(i));
            sink +=
                (withPlan
                        ? staged.answerFor(nodes, 60, groups.get(i), now)
                        : flat.answerFor(nodes, 60, "default", now))
                    .answer()
                    .fingerprint()
                    .length();
          }
          System.out.printf(
              "in memory only, %s: %d decisions + fingerprints in %.0f ms (%d)%n",
              withPlan ? "staged" : "flat", lists.size(), (System.nanoTime() - start) / 1e6, sink);
        }
      }
    }

    System.out.println("== part 1: the flat fleet (no plan), as in earlier sessions");
    for (int w : new int[] {1, 2}) {
      resetAnswers(flatUrl);
      audit(flatUrl, flat, batch, w, "first (every stored answer stale)");
      audit(flatUrl, flat, batch, w, "second (nothing to write)");
    }

    System.out.printf(
        "== part 2: flat vs staged, %d rounds, %d workers, rotating order%n", rounds, workers);
    Map<String, List<Double>> times = new LinkedHashMap<>();
    Map<String, List<Double>> ratios = new LinkedHashMap<>();
    for (int r = 1; r <= rounds; r++) {
      final int round = r;
      System.out.println("-- round " + round);
      Map<String, Double> t = new TreeMap<>();
      List<Runnable> steps = new ArrayList<>();
      steps.add(
          () -> {
            resetAnswers(flatUrl);
            t.put("flat first", audit(flatUrl, flat, batch, workers, "flat first").ms);
            t.put("flat second", audit(flatUrl, flat, batch, workers, "flat second").ms);
          });
      steps.add(
          () -> {
            resetAnswers(stagedUrl);
            t.put("staged first", audit(stagedUrl, staged, batch, workers, "staged first").ms);
            t.put("staged second", audit(stagedUrl, staged, batch, workers, "staged second").ms);
            saveRows(stagedUrl);
            List<Runnable> advances = new ArrayList<>();
            advances.add(
                () -> {
                  t.put(
                      "advance, wave's groups",
                      advance(
                              stagedUrl,
                              advanced,
                              stagedImage,
                              Affected.only(WAVE_1),
                              batch,
                              workers,
                              "advance, image + Affected.only(g1,g2,g3)")
                          .ms);
                  restoreRows(stagedUrl);
                });
            advances.add(
                () -> {
                  t.put(
                      "advance, whole image",
                      advance(
                              stagedUrl,
                              advanced,
                              stagedImage,
                              Affected.ALL,
                              batch,
                              workers,
                              "advance, image + Affected.ALL (comparison)")
                          .ms);
                  restoreRows(stagedUrl);
                });
            if (round % 2 == 0) {
              Collections.reverse(advances);
            }
            advances.forEach(Runnable::run);
          });
      if (round % 2 == 0) {
        Collections.reverse(steps);
      }
      for (Runnable step : steps) {
        step.run();
      }
      t.forEach((k, v) -> times.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
      ratios
          .computeIfAbsent("staged / flat, first pass", x -> new ArrayList<>())
          .add(t.get("staged first") / t.get("flat first"));
      ratios
          .computeIfAbsent("staged / flat, second pass", x -> new ArrayList<>())
          .add(t.get("staged second") / t.get("flat second"));
      ratios
          .computeIfAbsent(
              "advance (30% of rows) / flat first pass (all rows)", x -> new ArrayList<>())
          .add(t.get("advance, wave's groups") / t.get("flat first"));
      ratios
          .computeIfAbsent("advance, wave's groups / whole image", x -> new ArrayList<>())
          .add(t.get("advance, wave's groups") / t.get("advance, whole image"));
    }
    System.out.println(
        "== the batches' SELECT alone, 50 ranges of the staged fleet: as FleetSql sends it (joined"
            + " with terminal for the group) vs without the join (the SELECT before this issue)");
    for (int round = 1; round <= 3; round++) {
      for (boolean join : round % 2 == 1 ? new boolean[] {true, false} : new boolean[] {false, true}) {
        double ms = selectsAlone(stagedUrl, batch, join);
        times.computeIfAbsent(join ? "SELECTs, joined" : "SELECTs, no join", x -> new ArrayList<>()).add(ms);
        System.out.printf("round %d, %s: %.0f ms%n", round, join ? "joined" : "no join", ms);
      }
    }
    System.out.println("== summary (ms per round, in round order; median)");
    times.forEach(
        (k, v) ->
            System.out.printf(
                "%-28s %s  median %.0f%n",
                k, v.stream().map(x -> String.format("%.0f", x)).toList(), median(v)));
    ratios.forEach(
        (k, v) ->
            System.out.printf(
                "%-52s %s  median %.2f%n",
                k, v.stream().map(x -> String.format("%.2f", x)).toList(), median(v)));
  }

  /** Every range's SELECT, one after the other on one connection, every column read. */
  static double selectsAlone(String url, int batch, boolean join) {
    String sql =
        "SELECT a.id, a.terminal_id, a.image_id, a.reported_nodes, a.reported_layers, a.strategy,"
            + " a.reason, a.answer_hash, a.answer_revision, a.version"
            + (join ? ", t.group_name FROM assignment a JOIN terminal t ON t.id = a.terminal_id"
                : " FROM assignment a")
            + " WHERE a.reported_nodes IS NOT NULL AND a.id > ? AND a.id < ? ORDER BY a.id LIMIT ?";
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      List<Long> starts = FleetSql.rangeStarts(c, null, Affected.ALL, batch);
      c.commit();
      long start = System.nanoTime();
      long sink = 0;
      for (int i = 0; i < starts.size(); i++) {
        try (PreparedStatement p = c.prepareStatement(sql)) {
          p.setLong(1, i == 0 ? 0 : starts.get(i) - 1);
          p.setLong(2, i + 1 < starts.size() ? starts.get(i + 1) : Long.MAX_VALUE);
          p.setInt(3, batch + batch / 2);
          try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
              sink += rs.getBytes(4) == null ? 0 : 1;
              rs.getString(8);
              if (join) {
                rs.getString(11);
              }
            }
          }
        }
        c.commit();
      }
      if (sink < 0) {
        throw new IllegalStateException();
      }
      return (System.nanoTime() - start) / 1e6;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  record Result(double ms, FleetRun run) {}

  /** An audit's whole-fleet pass: every reported row of every image, then counts and stale. */
  static Result audit(String url, ChainSnapshot image, int batch, int workers, String label) {
    return pass(url, image, "audit 1", null, Affected.ALL, batch, workers, label, true);
  }

  /** A change of one image: the rows of {@code affected}, as {@code Redecider} runs them. */
  static Result advance(
      String url,
      ChainSnapshot image,
      long imageId,
      Affected affected,
      int batch,
      int workers,
      String label) {
    return pass(url, image, "advance", imageId, affected, batch, workers, label, false);
  }

  static Result pass(
      String url,
      ChainSnapshot image,
      String trigger,
      Long imageId,
      Affected affected,
      int batch,
      int workers,
      String label,
      boolean audit) {
    statements.set(0);
    batchedRows.set(0);
    nanosByVerb.clear();
    transactions.set(0);
    TargetChains.Judging judging = TargetChains.judging(Map.of(image.imageId(), image));
    List<Connection> opened = Collections.synchronizedList(new ArrayList<>());
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
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, workers - 1));
    try {
      Connection c = connections.get();
      long start = System.nanoTime();
      Map<Long, String> images = audit ? FleetSql.reportedImages(c) : Map.of();
      List<Long> starts = FleetSql.rangeStarts(c, imageId, affected, batch);
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
                          judging,
                          trigger,
                          imageId,
                          affected,
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
      String tail = "";
      if (audit) {
        var counts = FleetSql.counts(c, run.changed(), List.of());
        var stale = FleetSql.stale(c, Instant.now().minusSeconds(3600), 100);
        commit(c);
        tail =
            String.format(
                ", images %d, decisions counted %d %s, stale %d",
                images.size(), counts.decisions(), counts.byStrategy(), stale.total());
      }
      double ms = (System.nanoTime() - start) / 1e6;
      System.out.printf(
          "%d worker(s), %s: ranges %d, read %d, written %d, strategy/reason changed %d%s;"
              + " %.0f ms; %d statements (%d rows in JDBC batches), %d transactions;"
              + " in statements (ms, summed over workers): %s%n",
          workers,
          label,
          starts.size(),
          run.read(),
          run.written(),
          run.changed(),
          tail,
          ms,
          statements.get(),
          batchedRows.get(),
          transactions.get(),
          nanosByVerb.entrySet().stream()
              .map(e -> e.getKey() + " " + e.getValue().get() / 1_000_000)
              .sorted()
              .toList());
      return new Result(ms, run);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdown();
      for (Connection raw : opened) {
        try {
          raw.close();
        } catch (SQLException e) {
          // closing
        }
      }
    }
  }

  static void commit(Connection c) throws SQLException {
    c.commit();
    transactions.incrementAndGet();
  }

  /** Makes every stored answer stale again (an older revision, a wrong hash): the worst case. */
  static void resetAnswers(String url) {
    sql(
        url,
        "UPDATE assignment SET strategy = 'STOP', reason = 'UP_TO_DATE', answer_hash = 'old',"
            + " answer_revision = 1, version = 0",
        "TRUNCATE answer_change",
        "VACUUM ANALYZE assignment",
        "VACUUM ANALYZE answer_change");
  }

  /** Keeps a copy of every assignment row, as it is before a wave advance. */
  static void saveRows(String url) {
    sql(url, "DROP TABLE IF EXISTS bench_saved", "CREATE TABLE bench_saved AS SELECT * FROM assignment");
  }

  /** Puts back the rows an advance wrote and removes the history rows it added. */
  static void restoreRows(String url) {
    List<String> columns = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT column_name FROM information_schema.columns WHERE table_name ="
                        + " 'assignment' AND column_name <> 'id' ORDER BY ordinal_position")) {
      while (rs.next()) {
        columns.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    sql(
        url,
        "UPDATE assignment a SET ("
            + String.join(", ", columns)
            + ") = ("
            + String.join(", ", columns.stream().map(c -> "s." + c).toList())
            + ") FROM bench_saved s WHERE a.id = s.id AND a.version <> s.version",
        "DELETE FROM answer_change WHERE triggered_by = 'advance'",
        "VACUUM ANALYZE assignment",
        "VACUUM ANALYZE answer_change");
  }

  static void sql(String url, String... statements) {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static long seed(
      Connection c, int terminals, List<Checksum> chain, Random random, IntFunction<String> group)
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
                "INSERT INTO terminal (id, name, token_hash, created_at, last_seen, group_name)"
                    + " VALUES (?, ?, ?, now() - interval '2 hours', ?, ?)");
        PreparedStatement a =
            c.prepareStatement(
                "INSERT INTO assignment (terminal_id, image_id, assigned_at, reported_nodes,"
                    + " reported_layers, reported_at, strategy, reason, policy, keep_layers,"
                    + " total_bytes, answer_hash, answer_revision, decided_at, version, group_name)"
                    + " VALUES (?, ?, now(), ?, ?, now(), 'STOP', 'UP_TO_DATE', 'catch-up', 0,"
                    + " 0, 'old', 1, now(), 0, ?)")) {
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
        t.setString(5, group.apply(i));
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
        a.setString(5, group.apply(i));
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
