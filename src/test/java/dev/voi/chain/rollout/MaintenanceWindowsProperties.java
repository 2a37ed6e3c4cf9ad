package dev.voi.chain.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.rollout.MaintenanceWindows.Window;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The schedule's answers as properties over generated zones, windows and instants in 2026–2027.
 * Half of the instants lie within days of a daylight saving transition of their zone, and window
 * times cluster around the hours those transitions move, so that the odd cases are common.
 *
 * <p>The answers are checked against a reference that builds each window's interval with {@code
 * ZonedDateTime.of} as the contract says. Because the schedule only changes at a window's start or
 * end, checking {@code isOpen} at every such point in a span proves it constant there.
 */
@PropertyDefaults(edgeCases = EdgeCasesMode.NONE, tries = 300)
class MaintenanceWindowsProperties {

  /** UTC, zones with DST (Lord Howe's is 30 minutes, Troll's 2 hours), and zones without. */
  static final List<ZoneId> ZONES =
      List.of(
              "UTC",
              "Europe/Berlin",
              "America/New_York",
              "Asia/Shanghai",
              "Australia/Lord_Howe",
              "Pacific/Chatham",
              "America/St_Johns",
              "America/Santiago",
              "Africa/Casablanca",
              "Antarctica/Troll",
              "Asia/Kolkata",
              "Pacific/Kiritimati")
          .stream()
          .map(ZoneId::of)
          .toList();

  static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant TO = Instant.parse("2028-01-01T00:00:00Z");

  /** Times of day around which transitions happen, and the day's ends. */
  static final List<LocalTime> SPECIAL_TIMES =
      List.of("00:00", "00:30", "01:00", "01:30", "02:00", "02:15", "02:30", "02:45", "03:00")
          .stream()
          .map(LocalTime::parse)
          .toList();

  static final ConcurrentHashMap<ZoneId, List<Instant>> TRANSITIONS = new ConcurrentHashMap<>();

  record Scenario(ZoneId zone, List<Window> windows, Instant instant) {
    MaintenanceWindows schedule() {
      return new MaintenanceWindows(zone, windows);
    }
  }

  // (a) nextOpening.

  @Property
  void theNextOpeningIsOpenAndNothingBeforeItIs(@ForAll("scenarios") Scenario scenario) {
    MaintenanceWindows schedule = scenario.schedule();
    Instant t = scenario.instant();

    Instant opening = schedule.nextOpening(t);

    assertThat(opening).isAfterOrEqualTo(t);
    assertThat(schedule.isOpen(opening)).isTrue();
    assertThat(reference(scenario, opening)).isTrue();
    if (opening.isAfter(t)) {
      assertThat(schedule.isOpen(t)).isFalse();
      assertThat(schedule.isOpen(opening.minusMillis(1))).isFalse();
      assertThat(schedule.isOpen(opening.minusNanos(1))).isFalse();
      for (Instant point : endPoints(scenario, t, opening)) {
        assertThat(schedule.isOpen(point)).as("at %s", point).isFalse();
        assertThat(reference(scenario, point)).as("reference at %s", point).isFalse();
      }
    }
    Statistics.label("open now").collect(opening.equals(t));
  }

  // (b) nextChange.

  @Property
  void theNextChangeIsTheFirstInstantAnsweringDifferently(@ForAll("scenarios") Scenario scenario) {
    MaintenanceWindows schedule = scenario.schedule();
    Instant t = scenario.instant();
    boolean now = schedule.isOpen(t);

    Optional<Instant> change = schedule.nextChange(t);

    if (change.isPresent()) {
      Instant c = change.get();
      assertThat(c).isAfter(t);
      assertThat(schedule.isOpen(c)).isNotEqualTo(now);
      assertThat(schedule.isOpen(c.minusMillis(1))).isEqualTo(now);
      for (Instant point : endPoints(scenario, t, c)) {
        assertThat(schedule.isOpen(point)).as("at %s", point).isEqualTo(now);
      }
    } else {
      // Nothing changes for more than a year.
      for (Instant point : endPoints(scenario, t, t.plus(Duration.ofDays(370)))) {
        assertThat(schedule.isOpen(point)).as("at %s", point).isEqualTo(now);
      }
    }
    Statistics.label("change").collect(change.isPresent());
  }

  @Property
  void isOpenIsTheReferenceWhateverWasAskedBefore(
      @ForAll("scenarios") Scenario scenario,
      @ForAll @IntRange(min = -20 * 24, max = 20 * 24) int hoursAway,
      @ForAll @IntRange(min = 0, max = 3599) int secondsAway) {
    MaintenanceWindows warmed = scenario.schedule();
    Instant t = scenario.instant();
    warmed.nextChange(t.plus(Duration.ofHours(hoursAway)));
    MaintenanceWindows fresh = scenario.schedule();

    for (Instant point :
        List.of(t, t.plusSeconds(secondsAway), t.minusSeconds(secondsAway), t.plusSeconds(3600))) {
      boolean expected = reference(scenario, point);
      assertThat(warmed.isOpen(point)).as("at %s", point).isEqualTo(expected);
      assertThat(fresh.isOpen(point)).as("at %s", point).isEqualTo(expected);
    }
    assertThat(warmed.nextChange(t)).isEqualTo(fresh.nextChange(t));
    assertThat(warmed.nextOpening(t)).isEqualTo(fresh.nextOpening(t));
  }

  // (c) Across midnight.

  @Property
  void aWindowAcrossMidnightBelongsToTheDayItStarts(
      @ForAll("zones") ZoneId zone,
      @ForAll @IntRange(min = 0, max = 729) int dayOf2026,
      @ForAll @IntRange(min = 1, max = 1439) int fromMinute,
      @ForAll @IntRange(min = 1, max = 1438) int toMinute,
      @ForAll Set<DayOfWeek> otherDays,
      @ForAll @IntRange(min = 0, max = 1439) int pick) {
    Assume.that(toMinute < fromMinute);
    LocalDate day = LocalDate.of(2026, 1, 1).plusDays(dayOf2026);
    Assume.that(noTransitionAround(zone, day));
    Set<DayOfWeek> days = EnumSet.of(day.getDayOfWeek());
    days.addAll(otherDays);
    LocalTime from = minute(fromMinute);
    LocalTime to = minute(toMinute);
    MaintenanceWindows schedule = new MaintenanceWindows(zone, List.of(new Window(days, from, to)));
    LocalDate next = day.plusDays(1);
    LocalDate previous = day.minusDays(1);

    // The starting day's evening and the next morning.
    assertThat(schedule.isOpen(at(day, between(fromMinute, 1440, pick), zone))).isTrue();
    assertThat(schedule.isOpen(at(next, between(0, toMinute, pick), zone))).isTrue();
    // The next day after the close: open again from `from` only when that day is listed.
    boolean nextListed = days.contains(next.getDayOfWeek());
    assertThat(schedule.isOpen(at(next, between(toMinute, fromMinute, pick), zone))).isFalse();
    assertThat(schedule.isOpen(at(next, between(fromMinute, 1440, pick), zone)))
        .isEqualTo(nextListed);
    // The starting day's morning is the previous day's window.
    boolean previousListed = days.contains(previous.getDayOfWeek());
    assertThat(schedule.isOpen(at(day, between(0, toMinute, pick), zone)))
        .isEqualTo(previousListed);
    Statistics.label("next day listed").collect(nextListed);
  }

  // Generators.

  @Provide
  Arbitrary<ZoneId> zones() {
    return Arbitraries.of(ZONES);
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    return zones()
        .flatMap(
            zone ->
                Combinators.combine(windows(), instants(zone))
                    .as((windows, instant) -> new Scenario(zone, windows, instant)));
  }

  static Arbitrary<List<Window>> windows() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.just(List.<Window>of())),
        Tuple.of(9, window().list().ofMinSize(1).ofMaxSize(4)));
  }

  static Arbitrary<Window> window() {
    Arbitrary<Set<DayOfWeek>> days =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.of(DayOfWeek.class).set().ofMinSize(1)),
            Tuple.of(1, Arbitraries.just(EnumSet.allOf(DayOfWeek.class))));
    Arbitrary<LocalTime> time =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.integers().between(0, 1439).map(m -> minute(m))),
            Tuple.of(2, Arbitraries.of(SPECIAL_TIMES)));
    return Combinators.combine(days, time, time, Arbitraries.integers().between(0, 4))
        .as((d, from, to, same) -> new Window(d, from, same == 0 ? from : to));
  }

  /** Millisecond instants in 2026–2027, half of them within 3 days of a transition. */
  static Arbitrary<Instant> instants(ZoneId zone) {
    long span = Duration.between(FROM, TO).toMillis();
    Arbitrary<Instant> anywhere =
        Arbitraries.longs().between(0, span - 1).map(ms -> FROM.plusMillis(ms));
    List<Instant> transitions = transitions(zone);
    if (transitions.isEmpty()) {
      return anywhere;
    }
    long threeDays = Duration.ofDays(3).toMillis();
    Arbitrary<Instant> nearTransition =
        Combinators.combine(
                Arbitraries.of(transitions), Arbitraries.longs().between(-threeDays, threeDays))
            .as((transition, ms) -> transition.plusMillis(ms));
    return Arbitraries.oneOf(anywhere, nearTransition);
  }

  static List<Instant> transitions(ZoneId zone) {
    return TRANSITIONS.computeIfAbsent(
        zone,
        z -> {
          List<Instant> found = new ArrayList<>();
          ZoneOffsetTransition next = z.getRules().nextTransition(FROM);
          while (next != null && next.getInstant().isBefore(TO)) {
            found.add(next.getInstant());
            next = z.getRules().nextTransition(next.getInstant());
          }
          return found;
        });
  }

  // The reference.

  /** Open at {@code instant} when some window's interval, built as the contract says, holds it. */
  static boolean reference(Scenario scenario, Instant instant) {
    if (scenario.windows().isEmpty()) {
      return true;
    }
    LocalDate local = instant.atZone(scenario.zone()).toLocalDate();
    for (LocalDate date = local.minusDays(3);
        !date.isAfter(local.plusDays(2));
        date = date.plusDays(1)) {
      for (Window window : scenario.windows()) {
        if (window.days().contains(date.getDayOfWeek())) {
          Instant start = ZonedDateTime.of(date, window.from(), scenario.zone()).toInstant();
          Instant end = closing(window, date, scenario.zone());
          if (!instant.isBefore(start) && instant.isBefore(end)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Every window's start and end in [from, to). */
  static List<Instant> endPoints(Scenario scenario, Instant from, Instant to) {
    ZoneId zone = scenario.zone();
    List<Instant> points = new ArrayList<>();
    LocalDate last = to.atZone(zone).toLocalDate().plusDays(2);
    for (LocalDate date = from.atZone(zone).toLocalDate().minusDays(3);
        !date.isAfter(last);
        date = date.plusDays(1)) {
      for (Window window : scenario.windows()) {
        if (window.days().contains(date.getDayOfWeek())) {
          for (Instant point :
              List.of(
                  ZonedDateTime.of(date, window.from(), zone).toInstant(),
                  closing(window, date, zone))) {
            if (!point.isBefore(from) && point.isBefore(to)) {
              points.add(point);
            }
          }
        }
      }
    }
    return points;
  }

  static Instant closing(Window window, LocalDate date, ZoneId zone) {
    LocalDate closingDate = window.from().isBefore(window.to()) ? date : date.plusDays(1);
    return ZonedDateTime.of(closingDate, window.to(), zone).toInstant();
  }

  static boolean noTransitionAround(ZoneId zone, LocalDate day) {
    Instant start = day.minusDays(2).atStartOfDay(zone).toInstant();
    ZoneOffsetTransition next = zone.getRules().nextTransition(start);
    return next == null
        || next.getInstant().isAfter(day.plusDays(3).atStartOfDay(zone).toInstant());
  }

  static LocalTime minute(int minuteOfDay) {
    return LocalTime.of(minuteOfDay / 60, minuteOfDay % 60);
  }

  /** A minute in [from, to) picked by {@code pick}. */
  static LocalTime between(int from, int to, int pick) {
    return minute(from + pick % (to - from));
  }

  static Instant at(LocalDate date, LocalTime time, ZoneId zone) {
    return ZonedDateTime.of(date, time, zone).toInstant();
  }
}
