package dev.voi.audits.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.audits.control.IntegritySweep.StoredLayer;
import dev.voi.chain.LayerState;
import dev.voi.images.control.ChainChanged;
import dev.voi.images.control.Lineages;
import dev.voi.platform.SchemaMigration;
import dev.voi.platform.VoiDataSource;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer rows as the audit reads them, and the quarantine, through the real mapping on the
 * embedded database (outside the container: the test owns the transactions).
 */
class LayerInventoryTest {

  static VoiDataSource db;
  static Connection keeper;
  static EntityManagerFactory factory;

  @BeforeAll
  static void database() throws Exception {
    db = new VoiDataSource();
    db.setDataDir(Files.createTempDirectory(Path.of("target"), "layer-inventory-h2-").toString());
    keeper = db.getConnection();
    SchemaMigration.migrate(db);
    try (Statement sql = keeper.createStatement()) {
      sql.executeUpdate(
          "INSERT INTO image (name, policy, max_incremental_layers, created_at, revision)"
              + " VALUES ('lab', 'patent', 8, CURRENT_TIMESTAMP, 0)");
      sql.executeUpdate(layer(0, 0, "PUBLISHED", null));
      sql.executeUpdate(layer(1, null, "RETIRED", "a"));
      sql.executeUpdate(layer(1, 1, "PUBLISHED", "a"));
    }
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("jakarta.persistence.transactionType", "RESOURCE_LOCAL");
    overrides.put("jakarta.persistence.jtaDataSource", db);
    overrides.put(
        "hibernate.transaction.jta.platform",
        "org.hibernate.engine.transaction.jta.platform.internal.NoJtaPlatform");
    overrides.put("jakarta.persistence.validation.mode", "NONE");
    factory = Persistence.createEntityManagerFactory("voi", overrides);
  }

  private static String layer(int depth, Integer activeDepth, String state, String parent) {
    String checksum = String.valueOf((char) ('a' + depth + (activeDepth == null ? 2 : 0)));
    return "INSERT INTO layer (image_id, depth, active_depth, version, checksum, parent_checksum,"
        + " content_digest, sha256, size_bytes, virtual_size, file_name, state, published_at)"
        + " VALUES ((SELECT id FROM image WHERE name = 'lab'), "
        + depth
        + ", "
        + activeDepth
        + ", "
        + (10 + depth)
        + ", '"
        + checksum.repeat(64)
        + "', "
        + (parent == null ? "NULL" : "'" + parent.repeat(64) + "'")
        + ", '"
        + "d".repeat(64)
        + "', '"
        + "e".repeat(64)
        + "', 1000, 65536, 'lab-000"
        + depth
        + "-"
        + checksum.repeat(8)
        + ".qcow2', '"
        + state
        + "', CURRENT_TIMESTAMP)";
  }

  @AfterAll
  static void close() throws Exception {
    factory.close();
    keeper.close();
  }

  @Test
  void everyRowIsListedByImageAndDepthAndEveryFileIsReferenced() {
    List<StoredLayer> layers = withInventory((inventory, events) -> inventory.storedLayers());

    assertThat(layers)
        .extracting(StoredLayer::depth, StoredLayer::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, LayerState.PUBLISHED),
            org.assertj.core.groups.Tuple.tuple(1, LayerState.RETIRED),
            org.assertj.core.groups.Tuple.tuple(1, LayerState.PUBLISHED));
    assertThat(layers.get(0).fileName()).isEqualTo("lab-0000-aaaaaaaa.qcow2");
    assertThat(layers.get(0).version()).isEqualTo(10);
    assertThat(layers.get(0).sha256().hex()).isEqualTo("e".repeat(64));
    Set<Path> files = withInventory((inventory, events) -> inventory.referencedFiles());
    assertThat(files)
        .containsExactlyInAnyOrder(
            Path.of("lab", "lab-0000-aaaaaaaa.qcow2"),
            Path.of("lab", "lab-0001-dddddddd.qcow2"),
            Path.of("lab", "lab-0001-bbbbbbbb.qcow2"));
  }

  @Test
  void quarantiningAPublishedLayerRevisesTheImageAndAnnouncesTheChange() throws Exception {
    List<StoredLayer> layers = withInventory((inventory, events) -> inventory.storedLayers());
    StoredLayer tip = layers.get(2);
    StoredLayer retired = layers.get(1);
    long revision = revision();

    List<ChainChanged> fired = new ArrayList<>();
    boolean quarantined =
        withInventory(
            (inventory, events) -> {
              boolean done = inventory.quarantine(tip);
              fired.addAll(events);
              return done;
            });
    boolean again =
        withInventory((inventory, events) -> inventory.quarantine(tip) || !events.isEmpty());
    boolean retiredOne =
        withInventory((inventory, events) -> inventory.quarantine(retired) || !events.isEmpty());

    assertThat(quarantined).isTrue();
    assertThat(fired)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.image().value()).isEqualTo("lab");
              assertThat(e.cause()).isEqualTo("quarantine");
            });
    assertThat(again).as("a second quarantine does nothing").isFalse();
    assertThat(retiredOne).as("a retired layer is not quarantined").isFalse();
    List<StoredLayer> after = withInventory((inventory, events) -> inventory.storedLayers());
    assertThat(after)
        .extracting(StoredLayer::state)
        .containsExactly(LayerState.PUBLISHED, LayerState.RETIRED, LayerState.QUARANTINED);
    assertThat(revision()).isEqualTo(revision + 1);
  }

  private static long revision() throws Exception {
    try (Statement sql = keeper.createStatement();
        ResultSet row = sql.executeQuery("SELECT revision FROM image WHERE name = 'lab'")) {
      row.next();
      return row.getLong(1);
    }
  }

  interface Work<T> {
    T with(LayerInventory inventory, List<ChainChanged> events);
  }

  /** Runs the work in one transaction, as the container would around the bean's method. */
  private static <T> T withInventory(Work<T> work) {
    EntityManager em = factory.createEntityManager();
    try {
      LayerInventory inventory = new LayerInventory();
      List<ChainChanged> events = new ArrayList<>();
      inventory.em = em;
      inventory.lineage = Lineages.over(em, Clock.systemUTC(), new Lineages.Recorded<>(events));
      em.getTransaction().begin();
      T result = work.with(inventory, events);
      em.getTransaction().commit();
      return result;
    } finally {
      em.close();
    }
  }
}
