package dev.voi.audits.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.audits.control.AuditLease;
import dev.voi.audits.entity.AuditChange;
import dev.voi.audits.entity.AuditRun;
import dev.voi.audits.entity.AuditTrigger;
import dev.voi.audits.entity.DecisionCount;
import dev.voi.audits.entity.Finding;
import dev.voi.audits.entity.FindingKind;
import dev.voi.audits.entity.StaleTerminal;
import dev.voi.platform.JsonConfig;
import dev.voi.platform.SchemaMigration;
import dev.voi.platform.VoiDataSource;
import dev.voi.testing.SameData;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.Marshaller;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run stored and read back through the real mapping (H2), then written as JSON (JSON-B, as the
 * API configures it) and as XML (MOXy, through the resolver the API registers): same data.
 */
class AuditViewsTest {

  static final Map<String, String> ITEMS = SameData.AUDIT_ITEMS;

  static VoiDataSource db;
  static Connection keeper;
  static EntityManagerFactory factory;

  @BeforeAll
  static void database() throws Exception {
    db = new VoiDataSource();
    db.setDataDir(Files.createTempDirectory(Path.of("target"), "audit-views-h2-").toString());
    keeper = db.getConnection();
    SchemaMigration.migrate(db);
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("jakarta.persistence.transactionType", "RESOURCE_LOCAL");
    overrides.put("jakarta.persistence.jtaDataSource", db);
    overrides.put(
        "hibernate.transaction.jta.platform",
        "org.hibernate.engine.transaction.jta.platform.internal.NoJtaPlatform");
    overrides.put("jakarta.persistence.validation.mode", "NONE");
    factory = Persistence.createEntityManagerFactory("voi", overrides);
  }

  @AfterAll
  static void close() throws Exception {
    factory.close();
    keeper.close();
  }

  @Test
  void xmlComesFromMoxy() {
    assertThat(new AuditXml().getContext(AuditView.class))
        .isInstanceOf(org.eclipse.persistence.jaxb.JAXBContext.class);
    assertThat(new AuditXml().getContext(String.class)).isNull();
  }

  @Test
  void aFinishedRunReadsBackAndItsJsonAndXmlCarryTheSameData() throws Exception {
    long id = startRun();
    inTransaction(
        em -> {
          AuditRun run = em.find(AuditRun.class, id);
          run.recordSweep(
              3,
              3_145_728,
              List.of(
                  new Finding(
                      FindingKind.SHA256_MISMATCH,
                      "lab",
                      1,
                      "ab".repeat(32),
                      "images/lab/lab-0001-abababab.qcow2",
                      "the file's SHA-256 is … <&> \"quoted\"",
                      true),
                  new Finding(
                      FindingKind.ORPHAN_FILE,
                      null,
                      null,
                      null,
                      "images/loose.txt",
                      "a file of 1 bytes that no layer row names",
                      false)));
          run.recordDecisions(
              5,
              List.of(
                  new DecisionCount(DecisionCount.Kind.STRATEGY, "STOP", 4),
                  new DecisionCount(DecisionCount.Kind.STRATEGY, "WAIT", 1),
                  new DecisionCount(DecisionCount.Kind.REASON, "UP_TO_DATE", 4),
                  new DecisionCount(DecisionCount.Kind.REASON, "LAYER_QUARANTINED", 1)),
              1,
              List.of(
                  new AuditChange(
                      7,
                      "room-101",
                      "lab",
                      "hall-b",
                      1,
                      "INCREMENTAL",
                      "ONE_BEHIND",
                      "WAIT",
                      "LAYER_QUARANTINED")));
          run.recordStale(
              2,
              List.of(
                  new StaleTerminal(8, "room-102", "hall-b", Instant.parse("2026-01-02T03:04:05Z")),
                  new StaleTerminal(9, null, null, null)));
          run.recordRollouts(List.of("advanced lab wave 1 (wave 0 complete: 9 of 10 up to date)"));
          run.finish(Instant.parse("2026-01-02T03:05:00Z"));
        });

    AuditView view = read(id, AuditView::of);
    assertThat(view.getState()).isEqualTo("FINISHED");
    assertThat(view.getTrigger()).isEqualTo("api");
    assertThat(view.getSweep().getFindings()).isEqualTo(2);
    assertThat(view.getSweep().getQuarantined()).isEqualTo(1);
    assertThat(view.getFindings())
        .extracting(AuditView.FindingView::getKind)
        .containsExactly("SHA256_MISMATCH", "ORPHAN_FILE");
    assertThat(view.getTerminals().getStrategies())
        .extracting(AuditSummaryView.Count::getName)
        .containsExactly("STOP", "WAIT");

    String json = new JsonConfig().getContext(AuditView.class).toJson(view);
    String xml = xml(view);
    assertThat(xml)
        .startsWith("<?xml")
        .contains("<audit>")
        .contains("<strategy name=\"STOP\" count=\"4\"/>");
    assertThat(json).contains("\"detail\":null").contains("\"lastSeen\":null");
    assertThat(view.getRollouts())
        .containsExactly("advanced lab wave 1 (wave 0 complete: 9 of 10 up to date)");
    assertThat(view.getChanges().get(0).getGroup()).isEqualTo("hall-b");
    assertThat(view.getChanges().get(0).getWave()).isEqualTo(1);
    assertThat(view.getStaleTerminals().get(0).getGroup()).isEqualTo("hall-b");
    int compared = SameData.assertSame(json, xml, ITEMS);
    assertThat(compared).isGreaterThan(40);
  }

  @Test
  void aPageOfRunsCarriesTheSameDataInBothFormats() throws Exception {
    long id = startRun();
    AuditPageView page =
        read(id, run -> new AuditPageView(List.of(AuditSummaryView.of(run)), "17"));

    String json = new JsonConfig().getContext(AuditPageView.class).toJson(page);
    String xml = xml(page);

    assertThat(json).startsWith("{\"items\":[{\"id\":" + id);
    assertThat(xml).contains("<audits><items><audit><id>" + id + "</id>");
    SameData.assertSame(json, xml, ITEMS);
  }

  private static long startRun() throws Exception {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      AuditLease.Start start =
          new AuditLease(Duration.ofMinutes(2)).begin(c, AuditTrigger.API, "test#1", null);
      new AuditLease(Duration.ofMinutes(2)).release(c, "test#1");
      c.commit();
      return ((AuditLease.Started) start).runId();
    }
  }

  private static String xml(Object view) throws Exception {
    JAXBContext context = new AuditXml().getContext(view.getClass());
    Marshaller marshaller = context.createMarshaller();
    StringWriter out = new StringWriter();
    marshaller.marshal(view, out);
    return out.toString();
  }

  private static void inTransaction(Consumer<EntityManager> work) {
    EntityManager em = factory.createEntityManager();
    try {
      em.getTransaction().begin();
      work.accept(em);
      em.getTransaction().commit();
    } finally {
      em.close();
    }
  }

  private static <T> T read(long id, java.util.function.Function<AuditRun, T> view) {
    EntityManager em = factory.createEntityManager();
    try {
      return view.apply(em.find(AuditRun.class, id));
    } finally {
      em.close();
    }
  }
}
