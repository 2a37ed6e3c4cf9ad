package dev.voi.chain.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.rollout.MaintenanceWindows.Window;
import dev.voi.chain.rollout.MaintenanceWindows.WindowText;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Examples of the schedule; 2026-03-02 is a Monday, 2026-03-29 and 2026-10-25 are Sundays. */
class MaintenanceWindowsTest {

  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  static MaintenanceWindows schedule(ZoneId zone, Window... windows) {
    return new MaintenanceWindows(zone, List.of(windows));
  }

  static Window window(String days, String from, String to) {
    return MaintenanceWindows.window(Arrays.asList(days.split(",")), from, to, "w");
  }

  static Instant at(String instant) {
    return Instant.parse(instant);
  }

  // Within a day, across midnight, all day.

  @Test
  void aWindowWithinADayIsOpenFromItsStartToJustBeforeItsEnd() {
    MaintenanceWindows monday = schedule(ZoneOffset.UTC, window("MON", "09:00", "17:00"));

    assertThat(monday.isOpen(at("2026-03-02T08:59:59.999Z"))).isFalse();
    assertThat(monday.isOpen(at("2026-03-02T09:00:00Z"))).isTrue();
    assertThat(monday.isOpen(at("2026-03-02T16:59:59.999999999Z"))).isTrue();
    assertThat(monday.isOpen(at("2026-03-02T17:00:00Z"))).isFalse();
    assertThat(monday.isOpen(at("2026-03-03T10:00:00Z"))).isFalse();

    assertThat(monday.nextChange(at("2026-03-02T10:00:00Z"))).contains(at("2026-03-02T17:00:00Z"));
    assertThat(monday.nextChange(at("2026-03-02T08:00:00.5Z")))
        .contains(at("2026-03-02T09:00:00Z"));
    assertThat(monday.nextOpening(at("2026-03-02T17:00:00Z")))
        .isEqualTo(at("2026-03-09T09:00:00Z"));
    assertThat(monday.nextOpening(at("2026-03-02T12:34:56.789Z")))
        .isEqualTo(at("2026-03-02T12:34:56.789Z"));
  }

  @Test
  void aWindowAcrossMidnightBelongsToTheDayItStarts() {
    MaintenanceWindows mondayNight = schedule(ZoneOffset.UTC, window("MON", "22:00", "06:00"));

    assertThat(mondayNight.isOpen(at("2026-03-02T03:00:00Z"))).as("Monday morning").isFalse();
    assertThat(mondayNight.isOpen(at("2026-03-02T21:59:59Z"))).isFalse();
    assertThat(mondayNight.isOpen(at("2026-03-02T23:00:00Z"))).as("Monday evening").isTrue();
    assertThat(mondayNight.isOpen(at("2026-03-03T03:00:00Z"))).as("Tuesday morning").isTrue();
    assertThat(mondayNight.isOpen(at("2026-03-03T06:00:00Z"))).isFalse();
    assertThat(mondayNight.isOpen(at("2026-03-03T22:30:00Z"))).as("Tuesday evening").isFalse();

    assertThat(mondayNight.nextChange(at("2026-03-02T23:00:00Z")))
        .contains(at("2026-03-03T06:00:00Z"));
    assertThat(mondayNight.nextOpening(at("2026-03-03T06:00:00Z")))
        .isEqualTo(at("2026-03-09T22:00:00Z"));
  }

  @Test
  void fromEqualToIsTwentyFourHours() {
    MaintenanceWindows wednesday = schedule(ZoneOffset.UTC, window("WED", "12:00", "12:00"));

    assertThat(wednesday.isOpen(at("2026-03-04T11:59:59Z"))).isFalse();
    assertThat(wednesday.isOpen(at("2026-03-04T12:00:00Z"))).isTrue();
    assertThat(wednesday.isOpen(at("2026-03-05T11:59:59Z"))).isTrue();
    assertThat(wednesday.nextChange(at("2026-03-04T13:00:00Z")))
        .contains(at("2026-03-05T12:00:00Z"));
  }

  @Test
  void everyDayAllDayNeverChanges() {
    MaintenanceWindows always =
        schedule(BERLIN, window("MON,TUE,WED,THU,FRI,SAT,SUN", "00:00", "00:00"));
    Instant now = at("2026-03-28T12:00:00Z"); // the DST change is the next night

    assertThat(always.alwaysOpen()).isFalse();
    assertThat(always.isOpen(now)).isTrue();
    assertThat(always.nextOpening(now)).isEqualTo(now);
    assertThat(always.nextChange(now)).isEmpty();
    assertThat(always.nextChange(at("2026-10-24T12:00:00Z"))).isEmpty();
  }

  @Test
  void noWindowsIsAlwaysOpen() {
    Instant now = at("2026-03-02T10:00:00Z");

    assertThat(MaintenanceWindows.ALWAYS_OPEN.alwaysOpen()).isTrue();
    assertThat(MaintenanceWindows.ALWAYS_OPEN.isOpen(now)).isTrue();
    assertThat(MaintenanceWindows.ALWAYS_OPEN.nextOpening(now)).isEqualTo(now);
    assertThat(MaintenanceWindows.ALWAYS_OPEN.nextChange(now)).isEmpty();
    assertThat(MaintenanceWindows.ALWAYS_OPEN.windows()).isEmpty();
  }

  // Several windows.

  @Test
  void overlappingAndTouchingWindowsAreOneInterval() {
    MaintenanceWindows overlapping =
        schedule(
            ZoneOffset.UTC,
            window("MON", "09:00", "12:00"),
            window("MON", "11:00", "14:00"),
            window("MON", "14:00", "15:00"),
            window("MON", "22:00", "00:00"),
            window("TUE", "00:00", "02:00"));

    assertThat(overlapping.nextChange(at("2026-03-02T10:00:00Z")))
        .contains(at("2026-03-02T15:00:00Z"));
    assertThat(overlapping.nextChange(at("2026-03-02T23:00:00Z")))
        .contains(at("2026-03-03T02:00:00Z"));
    assertThat(overlapping.nextOpening(at("2026-03-02T15:00:00Z")))
        .isEqualTo(at("2026-03-02T22:00:00Z"));
  }

  @Test
  void aWindowInsideAnotherChangesNothing() {
    MaintenanceWindows nested =
        schedule(
            ZoneOffset.UTC, window("SAT", "08:00", "20:00"), window("SAT,SUN", "10:00", "11:00"));

    assertThat(nested.nextChange(at("2026-03-07T10:30:00Z"))).contains(at("2026-03-07T20:00:00Z"));
    assertThat(nested.nextOpening(at("2026-03-07T20:00:00Z")))
        .isEqualTo(at("2026-03-08T10:00:00Z"));
  }

  // Zones.

  @Test
  void theTimesAreLocalToTheZone() {
    MaintenanceWindows shanghai = schedule(SHANGHAI, window("MON", "02:00", "04:00"));
    MaintenanceWindows berlin = schedule(BERLIN, window("MON", "02:00", "04:00"));

    // Monday 02:00 in Shanghai (UTC+8) is Sunday 18:00 UTC.
    assertThat(shanghai.nextOpening(at("2026-03-01T00:00:00Z")))
        .isEqualTo(at("2026-03-01T18:00:00Z"));
    assertThat(shanghai.isOpen(at("2026-03-01T19:59:59Z"))).isTrue();
    assertThat(shanghai.isOpen(at("2026-03-02T02:00:00Z"))).isFalse();
    // Berlin is UTC+1 in winter and UTC+2 in summer.
    assertThat(berlin.nextOpening(at("2026-03-01T00:00:00Z")))
        .isEqualTo(at("2026-03-02T01:00:00Z"));
    assertThat(berlin.nextOpening(at("2026-06-01T03:00:00Z")))
        .isEqualTo(at("2026-06-08T00:00:00Z"));
    assertThat(berlin.nextChange(at("2026-06-08T00:00:00Z"))).contains(at("2026-06-08T02:00:00Z"));
  }

  // Daylight saving time in Berlin: 2026-03-29 02:00 CET becomes 03:00 CEST (01:00 UTC);
  // 2026-10-25 03:00 CEST becomes 02:00 CET (01:00 UTC).

  @Test
  void aWindowOpeningInTheSpringGapOpensAsLateAsTheGapIsLong() {
    // 02:30 does not exist that day; java.time moves it by the gap's hour to 03:30 CEST.
    MaintenanceWindows sunday = schedule(BERLIN, window("SUN", "02:30", "04:00"));

    assertThat(sunday.nextOpening(at("2026-03-29T00:00:00Z")))
        .isEqualTo(at("2026-03-29T01:30:00Z"));
    assertThat(sunday.isOpen(at("2026-03-29T01:15:00Z"))).as("03:15 CEST").isFalse();
    assertThat(sunday.nextChange(at("2026-03-29T01:30:00Z"))).contains(at("2026-03-29T02:00:00Z"));
    // A week later it is 02:30-04:00 CEST again.
    assertThat(sunday.nextOpening(at("2026-03-29T02:00:00Z")))
        .isEqualTo(at("2026-04-05T00:30:00Z"));
  }

  @Test
  void windowsAcrossTheSpringGapLoseTheSkippedHour() {
    MaintenanceWindows across = schedule(BERLIN, window("SUN", "01:00", "05:00"));
    MaintenanceWindows endingInTheGap = schedule(BERLIN, window("SAT", "22:00", "02:30"));

    // 01:00 CET to 05:00 CEST: three hours.
    assertThat(across.nextOpening(at("2026-03-28T12:00:00Z")))
        .isEqualTo(at("2026-03-29T00:00:00Z"));
    assertThat(across.nextChange(at("2026-03-29T00:00:00Z"))).contains(at("2026-03-29T03:00:00Z"));
    // 22:00 CET to 02:30, which is 03:30 CEST.
    assertThat(endingInTheGap.nextOpening(at("2026-03-28T12:00:00Z")))
        .isEqualTo(at("2026-03-28T21:00:00Z"));
    assertThat(endingInTheGap.nextChange(at("2026-03-28T21:00:00Z")))
        .contains(at("2026-03-29T01:30:00Z"));
  }

  @Test
  void aWindowOpeningAndClosingInTheSpringGapKeepsItsLength() {
    MaintenanceWindows inTheGap = schedule(BERLIN, window("SUN", "02:00", "02:45"));

    // 02:00 and 02:45 both move an hour later: 03:00 to 03:45 CEST.
    assertThat(inTheGap.nextOpening(at("2026-03-29T00:00:00Z")))
        .isEqualTo(at("2026-03-29T01:00:00Z"));
    assertThat(inTheGap.nextChange(at("2026-03-29T01:00:00Z")))
        .contains(at("2026-03-29T01:45:00Z"));
  }

  @Test
  void aWindowOpeningInTheGapAndClosingAfterItCanBeEmptyThatDay() {
    // 02:30 becomes 03:30 CEST, after the close at 03:15 CEST: no window that Sunday.
    MaintenanceWindows emptied = schedule(BERLIN, window("SUN", "02:30", "03:15"));

    assertThat(emptied.nextOpening(at("2026-03-29T00:00:00Z")))
        .isEqualTo(at("2026-04-05T00:30:00Z"));
  }

  @Test
  void inTheAutumnOverlapBothEndsTakeTheEarlierOffset() {
    MaintenanceWindows across = schedule(BERLIN, window("SUN", "01:00", "05:00"));
    MaintenanceWindows inTheOverlap = schedule(BERLIN, window("SUN", "02:30", "03:30"));
    MaintenanceWindows endingInTheOverlap = schedule(BERLIN, window("SAT", "23:00", "02:30"));

    // 01:00 CEST to 05:00 CET: five hours.
    assertThat(across.nextOpening(at("2026-10-24T12:00:00Z")))
        .isEqualTo(at("2026-10-24T23:00:00Z"));
    assertThat(across.nextChange(at("2026-10-24T23:00:00Z"))).contains(at("2026-10-25T04:00:00Z"));
    // The first 02:30 (CEST) to 03:30 CET: two hours.
    assertThat(inTheOverlap.nextOpening(at("2026-10-24T12:00:00Z")))
        .isEqualTo(at("2026-10-25T00:30:00Z"));
    assertThat(inTheOverlap.nextChange(at("2026-10-25T00:30:00Z")))
        .contains(at("2026-10-25T02:30:00Z"));
    // Closes at the first 02:30, so the second 02:00-02:30 (01:00-01:30 UTC) is closed.
    assertThat(endingInTheOverlap.nextChange(at("2026-10-24T21:00:00Z")))
        .contains(at("2026-10-25T00:30:00Z"));
    assertThat(endingInTheOverlap.isOpen(at("2026-10-25T01:15:00Z"))).isFalse();
  }

  @Test
  void windowsThatMeetInLocalTimeCanLeaveAHoleOnTheSpringDay() {
    // 22:00-03:15 and 02:30-04:00 overlap in local time, but on 2026-03-29 the first closes at
    // 03:15 CEST and the second opens at 03:30 CEST.
    MaintenanceWindows meeting =
        schedule(BERLIN, window("SAT", "22:00", "03:15"), window("SUN", "02:30", "04:00"));

    assertThat(meeting.nextChange(at("2026-03-28T21:00:00Z"))).contains(at("2026-03-29T01:15:00Z"));
    assertThat(meeting.nextChange(at("2026-03-29T01:15:00Z"))).contains(at("2026-03-29T01:30:00Z"));
    assertThat(meeting.nextChange(at("2026-03-29T01:30:00Z"))).contains(at("2026-03-29T02:00:00Z"));
    // A week later they are one interval, 22:00 CEST Saturday to 04:00 CEST Sunday.
    assertThat(meeting.nextChange(at("2026-04-04T20:00:00Z"))).contains(at("2026-04-05T02:00:00Z"));
  }

  @Test
  void aDaylongHoleOnlyOnTheSpringDayIsStillFound() {
    // Every day is covered but for the quarter hour of the example above, once a year.
    List<Window> windows = new ArrayList<>();
    windows.add(window("MON,TUE,WED,THU,FRI,SAT,SUN", "04:00", "03:15"));
    windows.add(window("MON,TUE,WED,THU,FRI,SAT,SUN", "02:30", "04:00"));
    MaintenanceWindows allButAHole = new MaintenanceWindows(BERLIN, windows);

    assertThat(allButAHole.nextChange(at("2026-01-10T12:00:00Z")))
        .contains(at("2026-03-29T01:15:00Z"));
    assertThat(allButAHole.nextOpening(at("2026-03-29T01:20:00Z")))
        .isEqualTo(at("2026-03-29T01:30:00Z"));
  }

  // Parsing.

  @Test
  void parsesDaysInAnyCaseShortOrLong() {
    Window window =
        MaintenanceWindows.window(
            List.of("mon", "Tuesday", "WED", "sunday", "MON"), "22:00", "06:30", "windows[0]");

    assertThat(window.days())
        .containsExactlyInAnyOrder(
            DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.SUNDAY);
    assertThat(window.from()).isEqualTo(LocalTime.of(22, 0));
    assertThat(window.to()).isEqualTo(LocalTime.of(6, 30));
  }

  @Test
  void parsesASchedule() {
    MaintenanceWindows parsed =
        MaintenanceWindows.parse(
            "Europe/Berlin",
            List.of(
                new WindowText(List.of("SAT", "SUN"), "00:00", "00:00"),
                new WindowText(List.of("MON"), "23:59", "00:00")));

    assertThat(parsed)
        .isEqualTo(
            schedule(
                BERLIN,
                new Window(
                    Set.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY),
                    LocalTime.MIDNIGHT,
                    LocalTime.MIDNIGHT),
                new Window(Set.of(DayOfWeek.MONDAY), LocalTime.of(23, 59), LocalTime.MIDNIGHT)));
    assertThat(parsed.hashCode())
        .isEqualTo(
            MaintenanceWindows.parse(
                    "Europe/Berlin",
                    List.of(
                        new WindowText(List.of("sunday", "saturday"), "00:00", "00:00"),
                        new WindowText(List.of("MONDAY"), "23:59", "00:00")))
                .hashCode());
    assertThat(MaintenanceWindows.parse("UTC", null).alwaysOpen()).isTrue();
    assertThat(MaintenanceWindows.parse("Asia/Shanghai", List.of()).zone()).isEqualTo(SHANGHAI);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "25:00 | 06:00 | windows[3].from: \"25:00\" is not a time HH:mm",
        "22:00 | 6:00  | windows[3].to: \"6:00\" is not a time HH:mm",
        "24:00 | 06:00 | windows[3].from: \"24:00\" is not a time HH:mm",
        "22:60 | 06:00 | windows[3].from: \"22:60\" is not a time HH:mm",
        "22:00 | 06:00:00 | windows[3].to: \"06:00:00\" is not a time HH:mm",
        "22.00 | 06:00 | windows[3].from: \"22.00\" is not a time HH:mm",
        "'' | 06:00 | windows[3].from: \"\" is not a time HH:mm",
      })
  void refusesBadTimes(String from, String to, String message) {
    assertThatThrownBy(() -> MaintenanceWindows.window(List.of("MON"), from, to, "windows[3]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void refusesBadDays() {
    assertThatThrownBy(
            () ->
                MaintenanceWindows.window(List.of("MON", "FUNDAY"), "22:00", "06:00", "windows[0]"))
        .hasMessage("windows[0].days[1]: \"FUNDAY\" is not a day MON..SUN");
    assertThatThrownBy(() -> MaintenanceWindows.window(List.of("MO"), "22:00", "06:00", "w"))
        .hasMessage("w.days[0]: \"MO\" is not a day MON..SUN");
    assertThatThrownBy(() -> MaintenanceWindows.window(List.of(), "22:00", "06:00", "windows[2]"))
        .hasMessage("windows[2].days: must name at least one day");
    assertThatThrownBy(() -> MaintenanceWindows.window(null, "22:00", "06:00", "windows[2]"))
        .hasMessage("windows[2].days: must name at least one day");
    assertThatThrownBy(
            () -> MaintenanceWindows.window(Arrays.asList("MON", null), "22:00", "06:00", "w"))
        .hasMessage("w.days[1]: missing");
    assertThatThrownBy(() -> MaintenanceWindows.window(List.of("MON"), null, "06:00", "w"))
        .hasMessage("w.from: missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Mars/Olympus_Mons", "", "Europe/", "+25:00", "europe berlin"})
  void refusesUnknownZones(String zone) {
    assertThatThrownBy(() -> MaintenanceWindows.zone(zone))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("zone: \"" + zone + "\" is not a known time zone, e.g. Europe/Berlin or UTC");
    assertThatThrownBy(() -> MaintenanceWindows.parse(zone, List.of()))
        .hasMessageStartingWith("zone: ");
  }

  @Test
  void acceptsZoneIdsAndOffsets() {
    assertThat(MaintenanceWindows.zone("Australia/Lord_Howe"))
        .isEqualTo(ZoneId.of("Australia/Lord_Howe"));
    assertThat(MaintenanceWindows.zone("UTC")).isEqualTo(ZoneId.of("UTC"));
    assertThat(MaintenanceWindows.zone("+05:30")).isEqualTo(ZoneOffset.ofHoursMinutes(5, 30));
    assertThatThrownBy(() -> MaintenanceWindows.zone(null)).hasMessage("zone: missing");
  }

  @Test
  void parseSaysWhichWindowIsWrong() {
    assertThatThrownBy(
            () ->
                MaintenanceWindows.parse(
                    "UTC",
                    List.of(
                        new WindowText(List.of("MON"), "22:00", "06:00"),
                        new WindowText(List.of("TUE"), "25:00", "06:00"))))
        .hasMessage("windows[1].from: \"25:00\" is not a time HH:mm");
    assertThatThrownBy(
            () ->
                MaintenanceWindows.parse(
                    "UTC", Arrays.asList(new WindowText(List.of(), "22:00", "06:00"), null)))
        .hasMessage("windows[0].days: must name at least one day");
    assertThatThrownBy(() -> MaintenanceWindows.parse("UTC", Arrays.asList((WindowText) null)))
        .hasMessage("windows[0]: missing");
  }

  @Test
  void allowsAtMost32Windows() {
    List<WindowText> texts = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      texts.add(new WindowText(List.of("MON"), "10:00", "11:00"));
    }
    assertThat(MaintenanceWindows.parse("UTC", texts).windows()).hasSize(32);

    texts.add(new WindowText(List.of("MON"), "10:00", "11:00"));
    assertThatThrownBy(() -> MaintenanceWindows.parse("UTC", texts))
        .hasMessage("windows: at most 32, got 33");
    List<Window> windows = new ArrayList<>();
    for (WindowText text : texts) {
      windows.add(MaintenanceWindows.window(text.days(), text.from(), text.to(), "w"));
    }
    assertThatThrownBy(() -> new MaintenanceWindows(ZoneOffset.UTC, windows))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("windows: at most 32, got 33");
  }

  @Test
  void quotesOnlyTheStartOfALongInput() {
    String longDay = "X".repeat(100);
    assertThatThrownBy(() -> MaintenanceWindows.window(List.of(longDay), "10:00", "11:00", "w"))
        .hasMessage(
            "w.days[0]: \"" + "X".repeat(40) + "...\" (100 characters) is not a day MON..SUN");
  }

  // Values.

  @Test
  void isAValue() {
    Window window =
        new Window(new HashSet<>(List.of(DayOfWeek.FRIDAY)), LocalTime.NOON, LocalTime.NOON);

    assertThat(window).isEqualTo(window("FRI", "12:00", "12:00"));
    assertThat(window.days()).isUnmodifiable();
    assertThat(window.spansMidnight()).isTrue();
    assertThat(window("FRI", "11:00", "12:00").spansMidnight()).isFalse();
    assertThat(schedule(BERLIN, window))
        .isEqualTo(schedule(BERLIN, window("fri", "12:00", "12:00")));
    assertThat(schedule(BERLIN, window)).isNotEqualTo(schedule(SHANGHAI, window));
    assertThat(schedule(BERLIN, window))
        .hasToString(
            "MaintenanceWindows[zone=Europe/Berlin, windows=[Window[days=[FRIDAY], from=12:00,"
                + " to=12:00]]]");
    assertThat(schedule(BERLIN, window).windows()).isUnmodifiable();
    assertThatThrownBy(() -> new Window(Set.of(), LocalTime.NOON, LocalTime.NOON))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void answersDoNotDependOnWhatWasAskedBefore() {
    MaintenanceWindows asked = schedule(BERLIN, window("SUN", "02:30", "04:00"));
    MaintenanceWindows fresh = schedule(BERLIN, window("SUN", "02:30", "04:00"));
    Instant now = at("2026-03-29T00:00:00Z");

    asked.isOpen(at("2030-01-01T00:00:00Z"));
    asked.nextChange(at("2026-03-20T00:00:00Z"));

    assertThat(asked.nextOpening(now)).isEqualTo(fresh.nextOpening(now));
    assertThat(asked.nextChange(now))
        .isEqualTo(fresh.nextChange(now))
        .isEqualTo(Optional.of(at("2026-03-29T01:30:00Z")));
  }
}
