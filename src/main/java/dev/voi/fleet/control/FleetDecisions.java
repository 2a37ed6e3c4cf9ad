package dev.voi.fleet.control;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an audit needs from the fleet (docs/design.md §7, steps 1 and 2): {@link Fleet} implements
 * it as one CDI bean; the audits component's {@code Auditor} finds it through {@code
 * Instance<FleetDecisions>} and, when there is none, records zero terminals.
 *
 * <p>Both methods must be set-based and batched — never one query or one transaction per terminal —
 * so that 100,000 terminals are re-decided in at most 2 s. They run outside any transaction of the
 * caller and manage their own (short, per batch).
 */
public interface FleetDecisions {

  /**
   * Re-decides every assignment (terminal × assigned image) that has a last reported checksum list,
   * against the image's current chain (PUBLISHED and QUARANTINED layers) and the image's policy, by
   * {@code StrategyDecider} (docs/design.md §6, including WAIT for quarantined downloads); stores
   * each answer that differs from the stored one; and counts every answer, changed or not.
   *
   * <p>It must never overwrite a newer answer with an older one: a terminal may report, or a
   * publish may re-decide an image, while this runs. Store each answer together with what it was
   * computed from (the image's {@code revision} and the report's version) and write it only where
   * those are still what this run read.
   *
   * @param trigger names the caller in logs, e.g. {@code audit 42}
   * @param changeLimit list at most this many changes in {@link Redecision#changes()}; {@link
   *     Redecision#changed()} counts all of them
   */
  Redecision redecideAll(String trigger, int changeLimit);

  /**
   * The terminals whose last call (any authenticated request) is older than {@code notSeenSince},
   * and those that never called and were registered before it, oldest first.
   *
   * @param limit list at most this many; {@link StaleTerminals#total()} counts all
   */
  StaleTerminals staleTerminals(Instant notSeenSince, int limit);

  /**
   * What a re-decision found.
   *
   * @param decisions how many answers it decided (assignments with a reported list)
   * @param byStrategy answers per strategy; absent keys count zero; the values sum to {@code
   *     decisions}
   * @param byReason answers per reason; the values sum to {@code decisions}
   * @param changed how many stored answers changed strategy or reason
   * @param changes the first {@code changeLimit} of them, in terminal id order
   */
  record Redecision(
      long decisions,
      Map<Strategy, Long> byStrategy,
      Map<Reason, Long> byReason,
      long changed,
      List<Change> changes) {

    public Redecision {
      byStrategy = Map.copyOf(byStrategy);
      byReason = Map.copyOf(byReason);
      changes = List.copyOf(changes);
    }

    /** Nothing to decide: no fleet component, or no terminal has reported. */
    public static Redecision none() {
      return new Redecision(0, Map.of(), Map.of(), 0, List.of());
    }
  }

  /**
   * One answer whose strategy or reason changed.
   *
   * @param oldStrategy null when the assignment had no stored answer before
   * @param oldReason null when the assignment had no stored answer before
   */
  record Change(
      long terminalId,
      String terminalName,
      String image,
      String group,
      int wave,
      Strategy oldStrategy,
      Reason oldReason,
      Strategy newStrategy,
      Reason newReason) {

    public Change {
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(newStrategy, "newStrategy");
      Objects.requireNonNull(newReason, "newReason");
    }
  }

  /** The terminals not seen since a moment: how many, and the first ones. */
  record StaleTerminals(long total, List<Stale> terminals) {
    public StaleTerminals {
      terminals = List.copyOf(terminals);
    }

    public static StaleTerminals none() {
      return new StaleTerminals(0, List.of());
    }
  }

  /**
   * @param lastSeen null when it never called
   */
  record Stale(long terminalId, String terminalName, String group, Instant lastSeen) {}
}
