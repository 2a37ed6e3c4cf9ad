package dev.voi.images.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.ImageName;
import dev.voi.chain.LayerState;
import dev.voi.chain.Policy;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
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
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every change of a chain goes through one place: it revises the image once and announces it once,
 * and a refused change does neither. Through the real mapping on the embedded database.
 */
class LineageTest {

  static VoiDataSource db;
  static Connection keeper;
  static EntityManagerFactory factory;

  @BeforeAll
  static void database() throws Exception {
    db = new VoiDataSource();
    db.setDataDir(Files.createTempDirectory(Path.of("target"), "lineage-h2-").toString());
    keeper = db.getConnection();
    SchemaMigration.migrate(db);
    try (Statement sql = keeper.createStatement()) {
      for (String image : List.of("retire", "base", "policy", "quarantine")) {
        sql.executeUpdate(
            "INSERT INTO image (name, policy, max_incremental_layers, created_at, revision)"
                + " VALUES ('"
                + image
                + "', 'patent', 8, CURRENT_TIMESTAMP, 0)");
      }
      sql.executeUpdate(layer("retire", 0, 'a', null));
      sql.executeUpdate(layer("retire", 1, 'b', 'a'));
      sql.executeUpdate(layer("base", 0, 'c', null));
      sql.executeUpdate(layer("quarantine", 0, 'd', null));
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

  private static String layer(String image, int depth, char checksum, Character parent) {
    return "INSERT INTO layer (image_id, depth, active_depth, version, checksum, parent_checksum,"
        + " content_digest, sha256, size_bytes, virtual_size, file_name, state, published_at)"
        + " VALUES ((SELECT id FROM image WHERE name = '"
        + image
        + "'), "
        + depth
        + ", "
        + depth
        + ", "
        + (depth + 1)
        + ", '"
        + String.valueOf(checksum).repeat(64)
        + "', "
        + (parent == null ? "NULL" : "'" + String.valueOf(parent).repeat(64) + "'")
        + ", '"
        + "e".repeat(64)
        + "', '"
        + "f".repeat(64)
        + "', 1000, 65536, '"
        + image
        + "-000"
        + depth
        + "-"
        + String.valueOf(checksum).repeat(8)
        + ".qcow2', 'PUBLISHED', CURRENT_TIMESTAMP)";
  }

  @AfterAll
  static void close() throws Exception {
    factory.close();
    keeper.close();
  }

  @Test
  void retiringTheTipRevisesTheImageOnceAndAnnouncesIt() throws Exception {
    List<ChainChanged> events = new ArrayList<>();

    var retired = inTransaction(events, lineage -> lineage.retire(ImageName.of("retire"), 1));

    assertThat(retired.state()).isEqualTo(LayerState.RETIRED);
    assertThat(revision("retire")).isEqualTo(1);
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.image()).isEqualTo(ImageName.of("retire"));
              assertThat(e.cause()).isEqualTo("retire");
            });
  }

  @Test
  void aRefusedChangeNeitherRevisesNorAnnounces() throws Exception {
    List<ChainChanged> events = new ArrayList<>();

    assertThatThrownBy(
            () -> inTransaction(events, lineage -> lineage.retire(ImageName.of("base"), 0)))
        .isInstanceOfSatisfying(
            Refused.class, r -> assertThat(r.type()).isEqualTo(ProblemType.BASE_NOT_RETIRABLE));

    assertThat(events).isEmpty();
    assertThat(revision("base")).isZero();
  }

  @Test
  void aPolicyChangeRevisesTheImageOnce() throws Exception {
    List<ChainChanged> events = new ArrayList<>();

    var image =
        inTransaction(
            events, lineage -> lineage.changePolicy(ImageName.of("policy"), Policy.CATCH_UP, 3));

    assertThat(image.policy()).isEqualTo(Policy.CATCH_UP);
    assertThat(revision("policy")).isEqualTo(1);
    assertThat(events).extracting(ChainChanged::cause).containsExactly("policy");
  }

  @Test
  void aQuarantineChangesTheChainOnceAndThenNothing() throws Exception {
    List<ChainChanged> events = new ArrayList<>();
    long id = layerId("quarantine");

    boolean first = inTransaction(events, lineage -> lineage.quarantine(id));
    boolean second = inTransaction(events, lineage -> lineage.quarantine(id));
    boolean missing = inTransaction(events, lineage -> lineage.quarantine(-1));

    assertThat(first).isTrue();
    assertThat(second).isFalse();
    assertThat(missing).isFalse();
    assertThat(revision("quarantine")).isEqualTo(1);
    assertThat(events).extracting(ChainChanged::cause).containsExactly("quarantine");
  }

  private static long revision(String image) throws Exception {
    try (Statement sql = keeper.createStatement();
        ResultSet row =
            sql.executeQuery("SELECT revision FROM image WHERE name = '" + image + "'")) {
      row.next();
      return row.getLong(1);
    }
  }

  private static long layerId(String image) throws Exception {
    try (Statement sql = keeper.createStatement();
        ResultSet row =
            sql.executeQuery(
                "SELECT l.id FROM layer l JOIN image i ON i.id = l.image_id WHERE i.name = '"
                    + image
                    + "'")) {
      row.next();
      return row.getLong(1);
    }
  }

  /**
   * Runs the work in one transaction, as the container would; rolls back what throws. Events stay
   * recorded either way: a refusal must come before anything is announced.
   */
  private static <T> T inTransaction(List<ChainChanged> events, Function<Lineage, T> work) {
    EntityManager em = factory.createEntityManager();
    try {
      Lineage lineage = Lineages.over(em, Clock.systemUTC(), new Lineages.Recorded<>(events));
      em.getTransaction().begin();
      try {
        T result = work.apply(lineage);
        em.getTransaction().commit();
        return result;
      } catch (RuntimeException e) {
        em.getTransaction().rollback();
        throw e;
      }
    } finally {
      em.close();
    }
  }
}
