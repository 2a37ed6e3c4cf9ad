package dev.voi.groups.control;

import dev.voi.chain.ImageName;
import dev.voi.chain.rollout.GroupName;
import dev.voi.chain.rollout.MaintenanceWindows;
import dev.voi.groups.entity.TerminalGroup;
import dev.voi.images.control.Affected;
import dev.voi.images.control.Lineage;
import dev.voi.images.entity.Image;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Groups and their maintenance windows (docs/design.md §11). The windows are part of what every
 * image's terminals are judged against, so a change of them revises every image through {@link
 * Lineage#revise}, naming the one group whose terminals it may affect: caches, other instances and
 * the set-based re-decision follow it as they follow a publish.
 */
@ApplicationScoped
@Transactional
public class Groups {

  /** A group in use or configured: its terminal count and its windows (none: always open). */
  public record Group(String name, long terminals, MaintenanceWindows windows) {}

  private static final Map<String, DayOfWeek> SHORT_DAYS =
      java.util.Arrays.stream(DayOfWeek.values())
          .collect(Collectors.toMap(Groups::dayName, day -> day));

  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

  @PersistenceContext EntityManager em;
  @Inject Lineage lineage;
  @Inject Clock clock;

  /** The windows of every configured group that has some, by group name. */
  public Map<String, MaintenanceWindows> windows() {
    Map<String, MaintenanceWindows> windows = new TreeMap<>();
    for (TerminalGroup group :
        em.createQuery("SELECT g FROM TerminalGroup g", TerminalGroup.class).getResultList()) {
      MaintenanceWindows parsed = parse(group);
      if (!parsed.alwaysOpen()) {
        windows.put(group.name(), parsed);
      }
    }
    return windows;
  }

  /** Every group in use (by a terminal) or configured, in name order. */
  public List<Group> list() {
    Map<String, Long> counts = new TreeMap<>();
    em.createQuery("SELECT t.group, COUNT(t) FROM Terminal t GROUP BY t.group", Object[].class)
        .getResultStream()
        .forEach(row -> counts.put((String) row[0], (Long) row[1]));
    Map<String, MaintenanceWindows> configured = new TreeMap<>();
    for (TerminalGroup group :
        em.createQuery("SELECT g FROM TerminalGroup g", TerminalGroup.class).getResultList()) {
      configured.put(group.name(), parse(group));
    }
    TreeMap<String, Group> groups = new TreeMap<>();
    counts.forEach(
        (name, n) ->
            groups.put(
                name,
                new Group(name, n, configured.getOrDefault(name, MaintenanceWindows.ALWAYS_OPEN))));
    configured.forEach((name, windows) -> groups.putIfAbsent(name, new Group(name, 0, windows)));
    return List.copyOf(groups.values());
  }

  /** One group, configured or in use; empty when neither. */
  public Optional<Group> get(String name) {
    return list().stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /**
   * Sets a group's zone and windows (an empty list: always open) and revises every image, so that
   * the group's terminals are decided again.
   */
  public Group configure(String name, MaintenanceWindows windows) {
    GroupName.require(name, "group");
    TerminalGroup group = em.find(TerminalGroup.class, name);
    boolean created = group == null;
    if (created) {
      group = new TerminalGroup(name);
    }
    group.configure(windows.zone().getId(), stored(windows), clock.instant());
    if (created) {
      em.persist(group); // configured first: the insert takes the state it has now
    }
    em.flush();
    for (Image image :
        em.createQuery("SELECT i FROM Image i ORDER BY i.id", Image.class).getResultList()) {
      lineage.revise(
          ImageName.of(image.name().value()),
          "windows",
          locked -> Optional.of(name),
          changed -> Affected.only(Set.of(changed)));
    }
    return get(name).orElseThrow();
  }

  static MaintenanceWindows parse(TerminalGroup group) {
    List<MaintenanceWindows.Window> windows = new ArrayList<>();
    for (TerminalGroup.StoredWindow stored : group.windows()) {
      Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
      for (String day : stored.days().split(",")) {
        days.add(SHORT_DAYS.get(day));
      }
      windows.add(
          new MaintenanceWindows.Window(
              days, LocalTime.parse(stored.from()), LocalTime.parse(stored.to())));
    }
    return new MaintenanceWindows(java.time.ZoneId.of(group.zone()), windows);
  }

  private static List<TerminalGroup.StoredWindow> stored(MaintenanceWindows windows) {
    return windows.windows().stream()
        .map(
            w ->
                new TerminalGroup.StoredWindow(
                    w.days().stream()
                        .sorted()
                        .map(Groups::dayName)
                        .collect(Collectors.joining(",")),
                    HH_MM.format(w.from()),
                    HH_MM.format(w.to())))
        .toList();
  }

  /** "MON" for a day, as the API writes it. */
  public static String dayName(DayOfWeek day) {
    return day.getDisplayName(TextStyle.SHORT, Locale.ROOT).toUpperCase(Locale.ROOT);
  }
}
