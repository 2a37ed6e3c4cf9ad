package dev.voi.chain.rollout;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * When a rollout may move: weekly windows in a time zone. With no windows it is always open.
 *
 * <p>A {@link Window} opens on each of its days at {@code from}, local time in {@link #zone()}, and
 * closes at {@code to}; the interval is half-open, [open, close). A window whose {@code from} is
 * after its {@code to} spans midnight and belongs to the day it starts on (Mon 22:00–06:00 is
 * Monday 22:00 to Tuesday 06:00); {@code from == to} is 24 hours of local time starting at {@code
 * from}. Windows may overlap; the schedule is open when any window is.
 *
 * <p>Daylight saving time follows java.time's rules for {@link ZonedDateTime#of(LocalDate,
 * LocalTime, ZoneId)}, applied to each end of a window separately: a local time in a spring-forward
 * gap moves later by the length of the gap (02:30 on a day that skips 02:00–03:00 is 03:30), and a
 * local time in a fall-back overlap takes the earlier offset (the first 02:30). So a window can be
 * shorter or longer on such a day, and one whose opening falls in the gap and whose closing falls
 * after it can even be empty that day (02:30–03:15 when 02:00–03:00 is skipped opens at 03:30,
 * after it closed). Windows that meet in local time may leave a hole on such a day.
 *
 * <p>Immutable and thread-safe. The answers for the days around the last instant asked about are
 * cached, so that repeated questions about "now" cost a binary search; the cache is invisible in
 * {@link #equals}, {@link #hashCode} and {@link #toString}.
 */
public final class MaintenanceWindows {

  /** The most windows a schedule may have. */
  public static final int MAX_WINDOWS = 32;

  /**
   * No windows: always open, in UTC by its IANA name ({@code ZoneOffset.UTC} would show as "Z"
   * where the API promises "UTC when absent").
   */
  public static final MaintenanceWindows ALWAYS_OPEN =
      new MaintenanceWindows(ZoneId.of("UTC"), List.of());

  /**
   * A weekly window.
   *
   * @param days the days it opens on; not empty
   * @param from when it opens, local time
   * @param to when it closes, local time: the same day when after {@code from}, the next day when
   *     before it, 24 hours later when equal to it
   */
  public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to) {

    /**
     * @throws IllegalArgumentException when {@code days} is empty or anything is missing
     */
    public Window {
      if (days == null || days.isEmpty()) {
        throw new IllegalArgumentException("days: must name at least one day");
      }
      for (DayOfWeek day : days) {
        if (day == null) {
          throw new IllegalArgumentException("days: must not hold null");
        }
      }
      days = Collections.unmodifiableSet(EnumSet.copyOf(days));
      if (from == null) {
        throw new IllegalArgumentException("from: missing");
      }
      if (to == null) {
        throw new IllegalArgumentException("to: missing");
      }
    }

    /** True when the window runs past midnight into the next day ({@code from >= to}). */
    public boolean spansMidnight() {
      return !from.isBefore(to);
    }
  }

  /**
   * A window as an operator writes it, for {@link #parse}.
   *
   * @param days day names, see {@link MaintenanceWindows#window}
   * @param from {@code HH:mm}
   * @param to {@code HH:mm}
   */
  public record WindowText(List<String> days, String from, String to) {}

  /** A window as it opens on one of its days; {@link #openings} lists them per day, by opening. */
  private record Opening(LocalTime from, LocalTime to, boolean spansMidnight) {}

  private static final long DAY_SECONDS = 86_400;

  /** How far {@code ZonedDateTime.of} may put an instant from its local date-time read as UTC. */
  private static final long MAX_OFFSET_SECONDS = 18 * 3600;

  /** Days of local dates generated after the date of the instant asked about, normally. */
  private static final int SHORT_DAYS_AHEAD = 9;

  /** Days generated when nothing changes within {@link #SHORT_DAYS_AHEAD}. */
  private static final int LONG_DAYS_AHEAD = 400;

  /**
   * How far ahead a search must have looked to conclude that nothing changes: longer than a year,
   * so that it has seen every daylight saving transition of the zone's current rules.
   */
  private static final long LOOKAHEAD_SECONDS = 380 * DAY_SECONDS;

  private final ZoneId zone;
  private final List<Window> windows;
  private final Opening[][] openings;
  private volatile Timeline cache;

  /**
   * @param zone the time zone the windows' times are in
   * @param windows at most {@value #MAX_WINDOWS}; none means always open
   * @throws IllegalArgumentException when there are too many windows or one is missing
   */
  public MaintenanceWindows(ZoneId zone, List<Window> windows) {
    this.zone = Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(windows, "windows");
    if (windows.size() > MAX_WINDOWS) {
      throw new IllegalArgumentException(
          "windows: at most " + MAX_WINDOWS + ", got " + windows.size());
    }
    for (int i = 0; i < windows.size(); i++) {
      if (windows.get(i) == null) {
        throw new IllegalArgumentException("windows[" + i + "]: missing");
      }
    }
    this.windows = List.copyOf(windows);
    this.openings = openingsByDay(this.windows);
  }

  /**
   * Parses a schedule as an operator writes it.
   *
   * @param zone a time zone ID, see {@link #zone(String)}
   * @param windows at most {@value #MAX_WINDOWS}; null or empty means always open
   * @throws IllegalArgumentException saying which part is wrong, e.g. {@code windows[1].from:
   *     "25:00" is not a time HH:mm}
   */
  public static MaintenanceWindows parse(String zone, List<WindowText> windows) {
    ZoneId zoneId = zone(zone);
    if (windows == null) {
      return new MaintenanceWindows(zoneId, List.of());
    }
    if (windows.size() > MAX_WINDOWS) {
      throw new IllegalArgumentException(
          "windows: at most " + MAX_WINDOWS + ", got " + windows.size());
    }
    List<Window> parsed = new ArrayList<>(windows.size());
    for (int i = 0; i < windows.size(); i++) {
      WindowText text = windows.get(i);
      String where = "windows[" + i + "]";
      if (text == null) {
        throw new IllegalArgumentException(where + ": missing");
      }
      parsed.add(window(text.days(), text.from(), text.to(), where));
    }
    return new MaintenanceWindows(zoneId, parsed);
  }

  /**
   * Parses one window.
   *
   * @param days day names, {@code MON} to {@code SUN} or {@code MONDAY} to {@code SUNDAY}, in any
   *     case; at least one; repeating a day is harmless
   * @param from {@code HH:mm}, 00:00 to 23:59
   * @param to {@code HH:mm}, 00:00 to 23:59
   * @param where what the window is, the prefix of the messages, e.g. {@code windows[0]}
   * @throws IllegalArgumentException saying which part is wrong, e.g. {@code windows[0].days[1]:
   *     "FUNDAY" is not a day MON..SUN}
   */
  public static Window window(List<String> days, String from, String to, String where) {
    if (days == null || days.isEmpty()) {
      throw new IllegalArgumentException(where + ".days: must name at least one day");
    }
    Set<DayOfWeek> parsedDays = EnumSet.noneOf(DayOfWeek.class);
    for (int i = 0; i < days.size(); i++) {
      parsedDays.add(day(days.get(i), where + ".days[" + i + "]"));
    }
    return new Window(parsedDays, time(from, where + ".from"), time(to, where + ".to"));
  }

  /**
   * Resolves a time zone ID such as {@code Europe/Berlin}, {@code UTC} or {@code +02:00}.
   *
   * @throws IllegalArgumentException when it is missing or not a zone java.time knows
   */
  public static ZoneId zone(String id) {
    if (id == null) {
      throw new IllegalArgumentException("zone: missing");
    }
    try {
      return ZoneId.of(id);
    } catch (RuntimeException e) {
      // DateTimeException for a malformed ID, ZoneRulesException (a subclass) for an unknown one.
      throw new IllegalArgumentException(
          "zone: " + Quoting.quoted(id) + " is not a known time zone, e.g. Europe/Berlin or UTC");
    }
  }

  private static DayOfWeek day(String name, String where) {
    if (name == null) {
      throw new IllegalArgumentException(where + ": missing");
    }
    String upper = name.toUpperCase(Locale.ROOT);
    for (DayOfWeek day : DayOfWeek.values()) {
      if (upper.equals(day.name()) || upper.equals(day.name().substring(0, 3))) {
        return day;
      }
    }
    throw new IllegalArgumentException(
        where + ": " + Quoting.quoted(name) + " is not a day MON..SUN");
  }

  private static LocalTime time(String text, String where) {
    if (text == null) {
      throw new IllegalArgumentException(where + ": missing");
    }
    if (text.length() == 5
        && isDigit(text.charAt(0))
        && isDigit(text.charAt(1))
        && text.charAt(2) == ':'
        && isDigit(text.charAt(3))
        && isDigit(text.charAt(4))) {
      int hour = (text.charAt(0) - '0') * 10 + (text.charAt(1) - '0');
      int minute = (text.charAt(3) - '0') * 10 + (text.charAt(4) - '0');
      if (hour < 24 && minute < 60) {
        return LocalTime.of(hour, minute);
      }
    }
    throw new IllegalArgumentException(
        where + ": " + Quoting.quoted(text) + " is not a time HH:mm");
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static Opening[][] openingsByDay(List<Window> windows) {
    Opening[][] byDay = new Opening[7][];
    for (DayOfWeek day : DayOfWeek.values()) {
      List<Opening> list = new ArrayList<>();
      for (Window window : windows) {
        if (window.days().contains(day)) {
          list.add(new Opening(window.from(), window.to(), window.spansMidnight()));
        }
      }
      list.sort((a, b) -> a.from().compareTo(b.from()));
      byDay[day.ordinal()] = list.toArray(new Opening[0]);
    }
    return byDay;
  }

  public ZoneId zone() {
    return zone;
  }

  public List<Window> windows() {
    return windows;
  }

  /** True when there are no windows, so the schedule is always open. */
  public boolean alwaysOpen() {
    return windows.isEmpty();
  }

  /** True when there are no windows or {@code now} is in one of them. */
  public boolean isOpen(Instant now) {
    Objects.requireNonNull(now, "now");
    if (windows.isEmpty()) {
      return true;
    }
    long second = now.getEpochSecond();
    return timelineCovering(second).isOpen(second);
  }

  /**
   * The earliest instant at or after {@code now} at which the schedule is open: {@code now} itself
   * when it is open now.
   *
   * <p>It searches a little over a year ahead; every window opens at least once a week, so only a
   * zone whose rules empty every occurrence of every window (none does) would make it give up, and
   * then it answers {@code now}.
   */
  public Instant nextOpening(Instant now) {
    Objects.requireNonNull(now, "now");
    if (windows.isEmpty()) {
      return now;
    }
    long second = now.getEpochSecond();
    Timeline timeline = timelineCovering(second);
    if (timeline.isOpen(second)) {
      return now;
    }
    long opening = timeline.nextChange(second);
    if (opening == Timeline.NONE && timeline.validTo - second < LOOKAHEAD_SECONDS) {
      timeline = longTimeline(second);
      opening = timeline.nextChange(second);
    }
    return opening == Timeline.NONE ? now : Instant.ofEpochSecond(opening);
  }

  /**
   * The earliest instant after {@code now} at which {@link #isOpen} answers differently than for
   * {@code now}: the end of the window {@code now} is in, or the start of the next one.
   *
   * @return empty when there are no windows or the windows cover all of the next year (e.g. every
   *     day 00:00–00:00); a change further ahead than about a year is not reported
   */
  public Optional<Instant> nextChange(Instant now) {
    Objects.requireNonNull(now, "now");
    if (windows.isEmpty()) {
      return Optional.empty();
    }
    long second = now.getEpochSecond();
    Timeline timeline = timelineCovering(second);
    long change = timeline.nextChange(second);
    if (change == Timeline.NONE && timeline.validTo - second < LOOKAHEAD_SECONDS) {
      timeline = longTimeline(second);
      change = timeline.nextChange(second);
    }
    return change == Timeline.NONE ? Optional.empty() : Optional.of(Instant.ofEpochSecond(change));
  }

  private Timeline timelineCovering(long second) {
    Timeline timeline = cache;
    if (timeline == null || !timeline.covers(second)) {
      timeline = build(second, SHORT_DAYS_AHEAD);
      cache = timeline;
    }
    return timeline;
  }

  private Timeline longTimeline(long second) {
    Timeline timeline = build(second, LONG_DAYS_AHEAD);
    cache = timeline;
    return timeline;
  }

  /**
   * The windows opening on the dates from 2 days before to {@code daysAhead} days after the UTC
   * date of {@code second}, merged.
   *
   * <p>{@code ZonedDateTime.of} puts an instant at most 18 hours (the largest offset) from its
   * local date-time read as UTC; a window opens on its date and closes before the end of the next
   * one. So a window opening on a date before the first date d0 has closed by d0 + 1 day + 18 h,
   * and one opening after the last date d1 opens at d1 + 1 day − 18 h or later: between these the
   * merged intervals are exact. With d0 = date − 2 and d1 = date + daysAhead that range starts 6
   * hours before the UTC date of {@code second} and ends 6 hours after the end of d1 − 1.
   */
  private Timeline build(long second, int daysAhead) {
    long epochDay = Math.floorDiv(second, DAY_SECONDS);
    long firstDay = epochDay - 2;
    long lastDay = epochDay + daysAhead;
    Intervals intervals = new Intervals();
    LocalDate date = LocalDate.ofEpochDay(firstDay);
    for (long day = firstDay; day <= lastDay; day++) {
      for (Opening opening : openings[date.getDayOfWeek().ordinal()]) {
        long start = ZonedDateTime.of(date, opening.from(), zone).toEpochSecond();
        LocalDate closingDate = opening.spansMidnight() ? date.plusDays(1) : date;
        long end = ZonedDateTime.of(closingDate, opening.to(), zone).toEpochSecond();
        intervals.add(start, end);
      }
      date = date.plusDays(1);
    }
    long validFrom = (firstDay + 1) * DAY_SECONDS + MAX_OFFSET_SECONDS;
    long validTo = (lastDay + 1) * DAY_SECONDS - MAX_OFFSET_SECONDS;
    return intervals.merged(validFrom, validTo);
  }

  /** Intervals [start, end) in epoch seconds as they are generated, nearly in order. */
  private static final class Intervals {
    private long[] starts = new long[16];
    private long[] ends = new long[16];
    private int size;

    void add(long start, long end) {
      if (end <= start) {
        return; // emptied by a daylight saving transition
      }
      if (size == starts.length) {
        starts = Arrays.copyOf(starts, size * 2);
        ends = Arrays.copyOf(ends, size * 2);
      }
      // Insertion sort by start: the input is sorted but for daylight saving shifts.
      int i = size++;
      while (i > 0 && starts[i - 1] > start) {
        starts[i] = starts[i - 1];
        ends[i] = ends[i - 1];
        i--;
      }
      starts[i] = start;
      ends[i] = end;
    }

    Timeline merged(long validFrom, long validTo) {
      long[] mergedStarts = new long[size];
      long[] mergedEnds = new long[size];
      int count = 0;
      for (int i = 0; i < size; i++) {
        if (count > 0 && starts[i] <= mergedEnds[count - 1]) {
          // Overlapping or touching: [a, b) and [b, c) are open throughout [a, c).
          mergedEnds[count - 1] = Math.max(mergedEnds[count - 1], ends[i]);
        } else {
          mergedStarts[count] = starts[i];
          mergedEnds[count] = ends[i];
          count++;
        }
      }
      return new Timeline(
          validFrom, validTo, Arrays.copyOf(mergedStarts, count), Arrays.copyOf(mergedEnds, count));
    }
  }

  /**
   * Disjoint, non-touching open intervals [start, end) in epoch seconds, sorted, exact for the
   * instants in [validFrom, validTo). Every end point is a whole second, so an instant is compared
   * by its epoch second alone.
   */
  private static final class Timeline {
    static final long NONE = Long.MIN_VALUE;

    final long validFrom;
    final long validTo;
    private final long[] starts;
    private final long[] ends;

    Timeline(long validFrom, long validTo, long[] starts, long[] ends) {
      this.validFrom = validFrom;
      this.validTo = validTo;
      this.starts = starts;
      this.ends = ends;
    }

    boolean covers(long second) {
      return second >= validFrom && second < validTo;
    }

    boolean isOpen(long second) {
      int i = firstEndingAfter(second);
      return i < ends.length && starts[i] <= second;
    }

    /** The first end point after {@code second}, or {@link #NONE} when not before validTo. */
    long nextChange(long second) {
      int i = firstEndingAfter(second);
      if (i == ends.length) {
        return NONE;
      }
      long change = starts[i] <= second ? ends[i] : starts[i];
      return change < validTo ? change : NONE;
    }

    /** The index of the first interval ending after {@code second}, or the number of intervals. */
    private int firstEndingAfter(long second) {
      int low = 0;
      int high = ends.length;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (ends[mid] <= second) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      return low;
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MaintenanceWindows that
        && zone.equals(that.zone)
        && windows.equals(that.windows);
  }

  @Override
  public int hashCode() {
    return 31 * zone.hashCode() + windows.hashCode();
  }

  @Override
  public String toString() {
    return "MaintenanceWindows[zone=" + zone + ", windows=" + windows + "]";
  }
}
