package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.qcow2.Qemu;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console (docs/design.md §13) in a real Chromium, headless, against the deployed WAR on
 * PostgreSQL, with lineages made by the real qemu-img; and the read-only {@code /api/v1/fleet}
 * endpoints it uses. Every test makes its own images, groups and terminals. After every test the
 * browser's console must hold no error and no Content-Security-Policy violation.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs them).
 * Without them the class is skipped, or fails when {@code CI=true}.
 *
 * <p>The {@code firefox…} tests do the main things again in Debian's {@code firefox-esr}, driven
 * over WebDriver BiDi without geckodriver ({@link Firefox}), in this same deployment. Without
 * {@code firefox-esr} they are skipped, or fail when {@code CI=true}; a Firefox that is there but
 * does not start fails them.
 */
@ExtendWith({ArquillianExtension.class, OpenApiValidation.class})
class ConsoleIT extends TerminalsItSupport {

  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final String TOKEN = "it-admin-token";
  static final Path DATA = Path.of(System.getProperty("voi.test.data.dir", "target/it-data"));
  static final Path SHOTS = Path.of("target/console-screenshots");

  /** The sizes every page is looked at and photographed in: a laptop's and a phone's. */
  static final List<Dimension> SIZES = List.of(new Dimension(1280, 800), new Dimension(390, 844));

  static ChromeDriver driver;
  static ChromeDriverService service;

  /**
   * Firefox, started in the background when the class starts (it takes several seconds to be ready,
   * which the Chromium tests use); null without {@code firefox-esr}.
   */
  static FutureTask<Firefox> firefoxStarting;

  /** The Firefox the current test used, if it did: its console is checked after the test. */
  static Firefox usedFirefox;

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  @BeforeAll
  static void browser() throws IOException {
    boolean present =
        Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
    if (!present) {
      String message =
          "ConsoleIT needs "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + " (apt-get install chromium"
              + " chromium-driver; .ci/run does it)";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + profile.toAbsolutePath(),
        "--window-size=1280,800");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    Files.createDirectories(SHOTS);
    if (Files.isExecutable(Firefox.BINARY)) {
      firefoxStarting = Firefox.startInBackground(Path.of("target"));
    }
  }

  /** Closes Chromium, its driver and Firefox, each of them whatever closing the others did. */
  @AfterAll
  static void close() throws Exception {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      try {
        if (service != null) {
          service.stop();
        }
      } finally {
        if (firefoxStarting != null) {
          Firefox firefox = started(firefoxStarting);
          firefoxStarting = null;
          if (firefox != null) {
            firefox.close();
          }
        }
      }
    }
  }

  /**
   * The Firefox the task started, or null when it failed to (the tests have said why) or did not in
   * two minutes: then the task is cancelled, which ends a Firefox still starting, and closes one
   * that comes up later (see {@link Firefox#startInBackground}).
   */
  static Firefox started(FutureTask<Firefox> starting) throws InterruptedException {
    try {
      return starting.get(2, TimeUnit.MINUTES);
    } catch (ExecutionException | CancellationException failed) {
      return null;
    } catch (java.util.concurrent.TimeoutException late) {
      starting.cancel(true);
      return null;
    } catch (InterruptedException interrupted) {
      starting.cancel(true);
      throw interrupted;
    }
  }

  /**
   * The deployment's URL as the browser opens it: on {@code localhost}, which the browser treats as
   * a secure origin, as it would treat the HTTPS an operator's console is served over (Chromium
   * warns about a download from a plain-HTTP address elsewhere).
   */
  String site() {
    URL deployed = Deployed.application(base);
    return "http://localhost:" + deployed.getPort() + deployed.getPath();
  }

  @BeforeEach
  void window() {
    viewport(new Dimension(1280, 800));
    unthrottled();
  }

  /** After every test: nothing in the browser's console is an error or a CSP violation. */
  @AfterEach
  void noConsoleErrors() throws InterruptedException {
    if (driver == null) {
      return;
    }
    assertThat(problemsInConsole()).as("errors in the browser console").isEmpty();
    if (usedFirefox != null) {
      Firefox firefox = usedFirefox;
      usedFirefox = null;
      assertThat(firefox.problems()).as("errors in the console of " + firefox.version).isEmpty();
    }
  }

  // ---------------------------------------------------------------- sign-in and the overview

  @Test
  void signInKeepsTheTokenInTheTabOnlyAndSignOutForgetsIt() {
    driver.get(site());
    script("sessionStorage.clear()");
    driver.navigate().refresh();
    WebElement token = visible(By.id("token"));
    token.sendKeys("not-the-token");
    token.submit();
    assertThat(visible(By.id("sign-in-error")).getText()).contains("not the admin token");
    assertThat(driver.findElement(By.id("nav")).isDisplayed()).isFalse();
    problemsInConsole(); // the refused token's 401 is the one expected error

    token = visible(By.id("token"));
    token.clear();
    token.sendKeys(TOKEN);
    token.submit();
    visible(By.cssSelector("[data-page='overview'] h1"));
    assertThat(script("return sessionStorage.getItem('voi.console.token')")).isEqualTo(TOKEN);
    assertThat(driver.getCurrentUrl()).doesNotContain(TOKEN);
    assertThat(script("return document.cookie")).isEqualTo("");

    click(By.id("sign-out"));
    visible(By.id("token"));
    assertThat(script("return sessionStorage.getItem('voi.console.token')")).isNull();
    signIn();
  }

  @Test
  void theOverviewCountsEachImagesTerminalsByAnswerAndTheBytesToMove() throws Exception {
    OverviewFleet fleet = overviewFleet();
    signIn();
    driver.get(site() + "#/overview");
    WebElement tr =
        visible(By.cssSelector("#fleet-table tr[data-image='" + fleet.lineage().name + "']"));
    fleet
        .counts()
        .forEach(
            (field, count) -> assertThat(cell(tr, field).getText()).as(field).isEqualTo(count));
    assertThat(cell(tr, "bytesToMove").getAttribute("data-bytes"))
        .isEqualTo(String.valueOf(fleet.bytes()));
  }

  // ---------------------------------------------------------------- images

  @Test
  void aLineageWithARetiredAndAQuarantinedLayerIsDrawnBoxByBoxWithTheWavesReleasedTips()
      throws Exception {
    RetiredAndQuarantined drawn = lineageWithARetiredAndAQuarantinedLayer();
    Lineage lineage = drawn.lineage();
    String retiredChecksum = drawn.retiredChecksum();
    signIn();
    driver.get(site() + "#/images/" + lineage.name);
    visible(By.cssSelector("svg.lineage[data-image='" + lineage.name + "']"));
    List<WebElement> boxes = driver.findElements(By.cssSelector("svg.lineage g.layer"));
    assertThat(boxes).hasSize(4);
    assertThat(boxes.stream().map(b -> b.getAttribute("data-state")))
        .containsExactly("PUBLISHED", "PUBLISHED", "QUARANTINED", "RETIRED");
    assertThat(boxes.stream().map(b -> b.getAttribute("data-depth")))
        .containsExactly("0", "1", "2", "3");
    assertThat(boxes.get(3).getAttribute("data-checksum")).isEqualTo(retiredChecksum);
    for (int k = 0; k < 4; k++) {
      String text = boxes.get(k).getText();
      Layer layer = k < 3 ? lineage.layers.get(k) : null;
      assertThat(text).contains("depth " + k);
      if (layer != null) {
        assertThat(text)
            .contains("v" + layer.version())
            .contains(layer.checksum().substring(0, 12));
      }
    }
    assertThat(boxes.get(2).findElements(By.cssSelector("rect.hatch"))).hasSize(1);
    assertThat(boxes.get(2).getAttribute("class")).contains("tip");
    String publishedFill = style(boxes.get(0), "rect.box", "fill");
    assertThat(style(boxes.get(2), "rect.box", "fill")).isNotEqualTo(publishedFill);
    assertThat(style(boxes.get(3), "rect.box", "fill")).isNotEqualTo(publishedFill);
    assertThat(style(boxes.get(3), "rect.box", "stroke-dasharray")).isNotEqualTo("none");
    assertThat(style(boxes.get(0), "rect.box", "stroke-dasharray")).isEqualTo("none");
    // Both waves (the canary and the implicit rest) hold the tip: the mark sits beside it.
    List<WebElement> released = driver.findElements(By.cssSelector("svg.lineage g.released"));
    assertThat(released).hasSize(1);
    assertThat(released.get(0).getAttribute("data-waves")).isEqualTo("0,1");
    assertThat(driver.findElement(By.id("rollout-state")).getText()).isEqualTo("IDLE");
    Files.write(SHOTS.resolve("lineage-1280x800.png"), driver.getScreenshotAs(OutputType.BYTES));
  }

  @Test
  void aDiffOnTheTipUploadsWithProgressAndIsPublished() throws Exception {
    Lineage lineage = publish(1);
    Path diff = diffOn(lineage, lineage.layers.get(1).fileName(), "4M");
    signIn();
    driver.get(site() + "#/images/" + lineage.name);
    visible(By.id("upload-file")).sendKeys(diff.toString());
    throttleUploads(2_000_000);
    click(By.id("upload-send"));
    WebElement progress = driver.findElement(By.id("upload-progress"));
    double partway =
        new WebDriverWait(driver, Duration.ofSeconds(20))
            .until(
                d -> {
                  double value = Double.parseDouble(progress.getAttribute("value"));
                  double max = Double.parseDouble(progress.getAttribute("max"));
                  return value > 0 && value < max ? value / max : null;
                });
    assertThat(partway).isBetween(0.0, 1.0);
    unthrottled();
    await(() -> "published".equals(attribute(By.id("upload-status"), "data-result")) ? true : null);
    JsonPath image = adminJson("/images/" + lineage.name);
    assertThat(image.getList("layers")).hasSize(3);
    assertThat(image.getString("layers[2].state")).isEqualTo("PUBLISHED");
    assertThat(image.getLong("layers[2].size")).isGreaterThan(4_000_000L);
    // the page shows the new tip
    await(
        () -> driver.findElements(By.cssSelector("svg.lineage g.layer")).size() == 3 ? true : null);
  }

  @Test
  void aDiffOnAnotherBackingFileIsRefusedInTheBrowserWithoutARequest() throws Exception {
    Lineage lineage = publish(1);
    Path wrong = diffOn(lineage, lineage.layers.get(0).fileName(), "64k");
    signIn();
    driver.get(site() + "#/images/" + lineage.name);
    visible(By.id("upload-file")).sendKeys(wrong.toString());
    long requestsBefore = uploadRequestsSeen();
    String filesBefore = dataFiles();
    click(By.id("upload-send"));
    WebElement refusal = visible(By.id("backing-refused"));
    assertThat(refusal.findElement(By.cssSelector("[data-field='backing']")).getText())
        .isEqualTo(lineage.layers.get(0).fileName());
    assertThat(refusal.findElement(By.cssSelector("[data-field='tip']")).getText())
        .isEqualTo(lineage.layers.get(1).fileName());
    Thread.sleep(500);
    assertThat(uploadRequestsSeen())
        .as("upload requests the browser made")
        .isEqualTo(requestsBefore);
    assertThat(adminJson("/images/" + lineage.name).getList("layers")).hasSize(2);
    assertThat(dataFiles()).isEqualTo(filesBefore);
  }

  @Test
  void aCancelledUploadLeavesNothingOnTheServer() throws Exception {
    Lineage lineage = publish(0);
    Path big = diffOn(lineage, lineage.layers.get(0).fileName(), "40M");
    String filesBefore = dataFiles();
    signIn();
    driver.get(site() + "#/images/" + lineage.name);
    visible(By.id("upload-file")).sendKeys(big.toString());
    throttleUploads(1_000_000);
    click(By.id("upload-send"));
    WebElement progress = driver.findElement(By.id("upload-progress"));
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(d -> Double.parseDouble(progress.getAttribute("value")) > 0);
    click(By.id("upload-cancel"));
    await(() -> "cancelled".equals(attribute(By.id("upload-status"), "data-result")) ? true : null);
    assertThat(driver.findElement(By.id("upload-status")).getText()).contains("Upload cancelled");
    unthrottled();
    assertThat(adminJson("/images/" + lineage.name).getList("layers")).hasSize(1);
    await(() -> dataFiles().equals(filesBefore) ? true : null);
    problemsInConsole(); // an aborted request may be logged as a failed load: that is the cancel
  }

  @Test
  void aRolloutPlanIsSetHaltedAdvancedEditedAndRemovedFromTheImagesPage() throws Exception {
    Lineage lineage = publish(1);
    String canary = uniqueGroup("canary");
    String lab = uniqueGroup("lab");
    List<Term> fleet =
        List.of(
            registerIn(canary, canary + "-a"),
            registerIn(canary, canary + "-b"),
            registerIn(lab, lab + "-a"));
    for (Term terminal : fleet) {
      assign(terminal, lineage);
      report(terminal, lineage, lineage.checksums()).then().statusCode(200);
    }
    String rolloutPath = "/images/" + lineage.name + "/rollout";
    given().header("Authorization", ADMIN).get(api + rolloutPath).then().statusCode(404);

    signIn();
    driver.get(site() + "#/images/" + lineage.name);
    visible(By.cssSelector("#rollout p.empty"));
    visible(By.id("rollout-waves")).sendKeys(canary + "\n" + lab);
    WebElement success = driver.findElement(By.id("rollout-success"));
    success.clear();
    success.sendKeys("0.8");
    click(By.id("rollout-auto")); // advanced by hand: nothing moves unless the page moves it
    click(By.cssSelector("#rollout-form button[type='submit']"));
    awaitText(By.id("rollout-state"), "IDLE");

    JsonPath plan = adminJson(rolloutPath);
    assertThat(plan.getString("state")).isEqualTo("IDLE");
    assertThat(plan.getDouble("successThreshold")).isEqualTo(0.8);
    assertThat(plan.getBoolean("autoAdvance")).isFalse();
    assertThat(plan.getList("waves[0].groups")).containsExactly(canary);
    assertThat(plan.getList("waves[1].groups")).containsExactly(lab);
    assertThat(plan.getBoolean("waves[0].implicit")).isFalse();
    assertThat(plan.getBoolean("waves[1].implicit")).isFalse();
    // every wave starts with the current tip, and its counts are the API's
    String oldTip = lineage.layers.get(1).checksum();
    assertThat(plan.getString("waves[0].releasedTip.checksum")).isEqualTo(oldTip);
    assertThat(plan.getString("waves[1].releasedTip.checksum")).isEqualTo(oldTip);
    assertThat(plan.getLong("waves[0].terminals")).isEqualTo(2);
    assertThat(plan.getLong("waves[0].upToDate")).isEqualTo(2);
    assertThat(plan.getLong("waves[1].terminals")).isEqualTo(1);
    assertThat(plan.getLong("waves[1].upToDate")).isEqualTo(1);
    assertWavesShownAsTheApiHasThem(plan);

    // a diff published after the plan goes to the first wave only
    lineage.publishDiff();
    String newTip = lineage.layers.get(2).checksum();
    driver.navigate().refresh();
    awaitText(By.id("rollout-state"), "ROLLING");
    plan = adminJson(rolloutPath);
    assertThat(plan.getString("state")).isEqualTo("ROLLING");
    assertThat(plan.getString("waves[0].releasedTip.checksum")).isEqualTo(newTip);
    assertThat(plan.getString("waves[1].releasedTip.checksum")).isEqualTo(oldTip);
    assertThat(plan.getLong("waves[0].upToDate")).isZero();
    assertThat(waveField(0, "releasedTip")).startsWith("depth 2 ");
    assertThat(waveField(1, "releasedTip")).startsWith("depth 1 ");
    assertWavesShownAsTheApiHasThem(plan);

    click(By.id("rollout-halt"));
    awaitText(By.id("rollout-state"), "HALTED");
    assertThat(adminJson(rolloutPath).getString("state")).isEqualTo("HALTED");

    click(By.id("rollout-advance"));
    await(
        () ->
            newTip.equals(
                    attribute(
                        By.cssSelector("#waves tr[data-wave='1'] [data-field='releasedTip']"),
                        "data-checksum"))
                ? true
                : null);
    plan = adminJson(rolloutPath);
    assertThat(plan.getString("waves[1].releasedTip.checksum")).isEqualTo(newTip);
    assertThat(plan.getString("state")).isNotEqualTo("HALTED");
    assertThat(textOf(By.id("rollout-state"))).isEqualTo(plan.getString("state"));
    assertThat(waveField(1, "releasedTip")).startsWith("depth 2 ");
    assertWavesShownAsTheApiHasThem(plan);

    // "*" before the last wave: the server's refusal shows with its title and detail
    click(By.cssSelector("#rollout details summary"));
    WebElement waves = visible(By.id("rollout-waves"));
    assertThat(waves.getAttribute("value")).isEqualTo(canary + "\n" + lab);
    waves.clear();
    waves.sendKeys("*\n" + lab);
    click(By.cssSelector("#rollout-form button[type='submit']"));
    assertThat(text(By.cssSelector("#rollout .problem-title")))
        .isNotBlank()
        .doesNotStartWith("HTTP ");
    assertThat(text(By.cssSelector("#rollout .problem-detail")))
        .contains("\"*\"")
        .contains("last wave");
    problemsInConsole(); // the refused plan's 400 is logged as a failed load: it is the point
    assertThat(adminJson(rolloutPath).getList("waves[0].groups")).containsExactly(canary);

    // a valid edit keeps each wave's released tip by position; "*" takes every other group
    waves = visible(By.id("rollout-waves"));
    waves.clear();
    waves.sendKeys(canary + "\n" + lab + "\n*");
    click(By.cssSelector("#rollout-form button[type='submit']"));
    awaitText(By.cssSelector("#waves tr[data-wave='2'] [data-field='groups']"), "*");
    plan = adminJson(rolloutPath);
    assertThat(plan.getList("waves")).hasSize(3);
    assertThat(plan.getList("waves[2].groups")).containsExactly("*");
    assertThat(plan.getString("waves[1].releasedTip.checksum")).isEqualTo(newTip);
    assertThat(plan.getDouble("successThreshold")).isEqualTo(0.8);
    assertThat(plan.getBoolean("autoAdvance")).isFalse();
    assertThat(plan.getBoolean("waves[2].implicit")).isFalse();
    assertWavesShownAsTheApiHasThem(plan);

    // one wave of every group: it reads back as itself (an empty plan would be refused)
    click(By.cssSelector("#rollout details summary"));
    waves = visible(By.id("rollout-waves"));
    assertThat(waves.getAttribute("value")).isEqualTo(canary + "\n" + lab + "\n*");
    waves.clear();
    waves.sendKeys("*");
    click(By.cssSelector("#rollout-form button[type='submit']"));
    await(() -> driver.findElements(By.cssSelector("#waves tbody tr")).size() == 1 ? true : null);
    plan = adminJson(rolloutPath);
    assertThat(plan.getList("waves")).hasSize(1);
    assertThat(plan.getList("waves[0].groups")).containsExactly("*");
    assertThat(plan.getBoolean("waves[0].implicit")).isFalse();
    assertWavesShownAsTheApiHasThem(plan);

    // nothing left to advance: the server's 409 shows, the plan stays as it is
    click(By.id("rollout-advance"));
    assertThat(text(By.cssSelector("#rollout .problem-title")))
        .isNotBlank()
        .doesNotStartWith("HTTP ");
    problemsInConsole(); // the refused advance's 409 is logged as a failed load: it is the point
    assertThat(adminJson(rolloutPath).getString("state")).isEqualTo(plan.getString("state"));

    click(By.id("rollout-remove"));
    click(By.cssSelector("dialog.confirm [data-confirm='no']"));
    assertThat(driver.findElements(By.id("rollout-state"))).hasSize(1);
    given().header("Authorization", ADMIN).get(api + rolloutPath).then().statusCode(200);
    click(By.id("rollout-remove"));
    click(By.cssSelector("dialog.confirm [data-confirm='yes']"));
    visible(By.cssSelector("#rollout p.empty"));
    assertThat(driver.findElements(By.id("rollout-state"))).isEmpty();
    given()
        .header("Authorization", ADMIN)
        .get(api + rolloutPath)
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  // ---------------------------------------------------------------- terminals

  @Test
  void theTerminalTableFiltersAndPagesOnTheServerAndChartsTheFilter() throws Exception {
    PagedFleet fleet = pagedFleet();
    Lineage lineage = fleet.lineage();
    String group = fleet.group();
    List<Term> terminals = fleet.terminals();
    int upToDate = fleet.upToDate();

    signIn();
    driver.get(site() + "#/terminals");
    select("filter-group", group);
    await(() -> rows().size() == 20 ? true : null);
    assertThat(text(By.id("page-number"))).isEqualTo("Page 1");
    click(By.id("page-next"));
    await(() -> rows().size() == 5 ? true : null);
    assertThat(driver.findElement(By.id("page-next")).isEnabled()).isFalse();
    click(By.id("page-prev"));
    await(() -> rows().size() == 20 ? true : null);
    WebElement withFeedback =
        visible(By.cssSelector("#terminal-table tr[data-id='" + terminals.get(1).id() + "']"));
    assertThat(withFeedback.findElement(By.cssSelector("progress")).getAttribute("value"))
        .isEqualTo("37");
    assertThat(chart())
        .containsEntry("STOP · UP_TO_DATE", String.valueOf(upToDate))
        .containsEntry("INCREMENTAL · ONE_BEHIND", String.valueOf(25 - upToDate));

    select("filter-strategy", "STOP");
    int stops = upToDate;
    await(() -> rows().size() == stops ? true : null);
    assertThat(rows()).allSatisfy(row -> assertThat(row.getText()).contains("STOP · UP_TO_DATE"));
    assertThat(chart()).containsOnly(Map.entry("STOP · UP_TO_DATE", String.valueOf(upToDate)));

    // the endpoints behind it
    JsonPath counts =
        given()
            .header("Authorization", ADMIN)
            .queryParam("group", group)
            .get(api + "/fleet/decisions")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(counts.getLong("items.find { it.strategy == 'STOP' }.assignments"))
        .isEqualTo(upToDate);
    JsonPath latest =
        given()
            .header("Authorization", ADMIN)
            .queryParam("terminals", terminals.get(0).id() + "," + terminals.get(1).id())
            .get(api + "/fleet/feedback")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(latest.getList("items.terminal", Long.class)).containsExactly(terminals.get(1).id());
    assertThat(latest.getInt("items[0].progress")).isEqualTo(37);
    given()
        .header("Authorization", ADMIN)
        .queryParam("terminals", "1,x")
        .get(api + "/fleet/feedback")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    given()
        .header("Authorization", ADMIN)
        .queryParam("strategy", "SOMETIMES")
        .get(api + "/fleet/decisions")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    given().get(api + "/fleet").then().statusCode(401);
  }

  @Test
  void aTerminalsPageShowsItsAnswersHistoryAndFeedback() throws Exception {
    Lineage lineage = publish(1);
    Term terminal = registerIn(uniqueGroup("hist"), "hist-" + UNIQUE.incrementAndGet());
    assign(terminal, lineage);
    report(terminal, lineage, lineage.checksums().subList(0, 1)).then().statusCode(200);
    feedback(terminal, lineage, "{\"state\":\"FAILED\",\"progress\":80,\"detail\":\"disk full\"}");
    report(terminal, lineage, lineage.checksums()).then().statusCode(200);

    signIn();
    driver.get(site() + "#/terminals/" + terminal.id());
    visible(By.id("history"));
    List<WebElement> history = driver.findElements(By.cssSelector("#history tbody tr"));
    assertThat(history).hasSize(2);
    assertThat(history.get(0).findElement(By.cssSelector("[data-field='strategy']")).getText())
        .isEqualTo("STOP");
    assertThat(history.get(1).findElement(By.cssSelector("[data-field='strategy']")).getText())
        .isEqualTo("INCREMENTAL");
    assertThat(history.get(1).findElement(By.cssSelector("[data-field='triggeredBy']")).getText())
        .isEqualTo("report");
    WebElement answer =
        driver.findElement(By.cssSelector("#answers tr[data-image='" + lineage.name + "']"));
    assertThat(answer.findElement(By.cssSelector("[data-field='reason']")).getText())
        .isEqualTo("UP_TO_DATE");
    assertThat(text(By.cssSelector("#feedback [data-field='detail']"))).isEqualTo("disk full");
    assertThat(text(By.cssSelector("#feedback [data-field='state']"))).isEqualTo("FAILED");
  }

  @Test
  void aTerminalNamedLikeMarkupShowsAsText() throws Exception {
    String name = "<img src=x onerror=alert(1)>";
    String group = uniqueGroup("xss");
    Term terminal = registerIn(group, name);
    signIn();
    driver.get(site() + "#/terminals");
    select("filter-group", group);
    await(() -> rows().size() == 1 ? true : null);
    WebElement cell = rows().get(0).findElement(By.cssSelector("[data-field='name']"));
    assertThat(cell.getText()).isEqualTo(name);
    assertThat(cell.findElements(By.tagName("img"))).isEmpty();
    driver.get(site() + "#/terminals/" + terminal.id());
    assertThat(visible(By.id("terminal-name")).getText()).isEqualTo(name);
    assertThat(driver.findElements(By.cssSelector("main img"))).isEmpty();
    assertNoAlert();
  }

  @Test
  void registerShowsTheTokenOnceAndRotateAssignRetireAndDeleteAskFirst() throws Exception {
    Lineage lineage = publish(1);
    String group = uniqueGroup("reg");
    signIn();
    driver.get(site() + "#/terminals");
    visible(By.id("register-name")).sendKeys(group + "-pc");
    driver.findElement(By.id("register-group")).sendKeys(group);
    driver.findElement(By.cssSelector("#register-form button[type='submit']")).click();
    String token = visible(By.id("new-token")).getAttribute("value");
    assertThat(token).isNotBlank();
    long id = list(Map.of("group", group)).getLong("items[0].id");
    given()
        .header("Authorization", "Bearer " + token)
        .get(api + "/terminals/" + id)
        .then()
        .statusCode(200);

    driver.get(site() + "#/terminals/" + id);
    select("assign-image", lineage.name);
    driver.findElement(By.cssSelector("#assign-form button")).click();
    visible(By.cssSelector("#answers tr[data-image='" + lineage.name + "']"));
    click(By.id("rotate-token"));
    click(By.cssSelector("dialog.confirm [data-confirm='yes']"));
    String rotated = visible(By.id("new-token")).getAttribute("value");
    assertThat(rotated).isNotEqualTo(token);
    given()
        .header("Authorization", "Bearer " + token)
        .get(api + "/terminals/" + id)
        .then()
        .statusCode(401);

    driver.get(site() + "#/images/" + lineage.name);
    click(By.id("retire-tip"));
    click(By.cssSelector("dialog.confirm [data-confirm='no']"));
    assertThat(adminJson("/images/" + lineage.name).getString("layers[1].state"))
        .isEqualTo("PUBLISHED");
    click(By.id("retire-tip"));
    click(By.cssSelector("dialog.confirm [data-confirm='yes']"));
    await(
        () ->
            "RETIRED".equals(adminJson("/images/" + lineage.name).getString("layers[1].state"))
                ? true
                : null);
    await(
        () ->
            "RETIRED"
                    .equals(
                        attribute(
                            By.cssSelector("svg.lineage g.layer[data-depth='1']"), "data-state"))
                ? true
                : null);

    driver.get(site() + "#/terminals/" + id);
    click(By.id("delete-terminal"));
    click(By.cssSelector("dialog.confirm [data-confirm='yes']"));
    await(() -> driver.getCurrentUrl().endsWith("#/terminals") ? true : null);
    given().header("Authorization", ADMIN).get(api + "/terminals/" + id).then().statusCode(404);
  }

  @Test
  void aTerminalIsMovedToAnotherGroupAndUnassignedFromItsPage() throws Exception {
    Lineage first = publish(0);
    Lineage second = publish(0);
    String from = uniqueGroup("from");
    String to = uniqueGroup("to");
    Term terminal = registerIn(from, from + "-pc");
    assign(terminal, first);
    assign(terminal, second);
    String path = "/terminals/" + terminal.id();

    signIn();
    driver.get(site() + "#/terminals/" + terminal.id());
    assertThat(text(By.cssSelector("dd[data-field='group']"))).isEqualTo(from);
    WebElement group = visible(By.id("group-name"));
    group.clear();
    group.sendKeys(to);
    click(By.cssSelector("#group-form button[type='submit']"));
    await(() -> to.equals(textOf(By.cssSelector("dd[data-field='group']"))) ? true : null);
    assertThat(adminJson(path).getString("group")).isEqualTo(to);
    assertThat(visible(By.id("group-name")).getAttribute("value")).isEqualTo(to);

    // a name the server refuses: its problem shows, the terminal stays where it is
    group = visible(By.id("group-name"));
    group.clear();
    group.sendKeys("no spaces allowed");
    click(By.cssSelector("#group-form button[type='submit']"));
    assertThat(text(By.cssSelector("#terminal-status .problem-title")))
        .isNotBlank()
        .doesNotStartWith("HTTP ");
    assertThat(text(By.cssSelector("#terminal-status .problem-detail"))).isNotBlank();
    problemsInConsole(); // the refused name's 400 is logged as a failed load: it is the point
    assertThat(adminJson(path).getString("group")).isEqualTo(to);

    click(By.cssSelector("#answers tr[data-image='" + first.name + "'] button"));
    await(
        () ->
            driver
                    .findElements(By.cssSelector("#answers tr[data-image='" + first.name + "']"))
                    .isEmpty()
                ? true
                : null);
    assertThat(adminJson(path).getList("images.image")).containsExactly(second.name);
    // the page draws the answers again after the unassign: wait for the one row left
    await(() -> driver.findElements(By.cssSelector("#answers tbody tr")).size() == 1 ? true : null);
    // the unassigned image can be chosen again
    select("assign-image", first.name);

    click(By.cssSelector("#answers tr[data-image='" + second.name + "'] button"));
    await(() -> driver.findElements(By.id("answers")).isEmpty() ? true : null);
    assertThat(adminJson(path).getList("images")).isEmpty();
    assertThat(list(Map.of("group", to)).getList("items.id", Long.class))
        .containsExactly(terminal.id());
    assertThat(list(Map.of("group", from)).getList("items")).isEmpty();
  }

  // ---------------------------------------------------------------- groups

  @Test
  void aGroupsWindowsAreSetInATimeZoneFromThePageAndARefusedZoneShowsWhy() throws Exception {
    String group = uniqueGroup("win");
    registerIn(group, group + "-pc");
    signIn();
    driver.get(site() + "#/groups");
    String row = "#groups tr[data-group='" + group + "'] ";
    assertThat(text(By.cssSelector(row + "[data-field='windows']"))).isEqualTo("always open");
    assertThat(text(By.cssSelector(row + "[data-field='zone']"))).isEqualTo("UTC");

    visible(By.id("window-group")).sendKeys(group);
    WebElement newZone = driver.findElement(By.id("window-zone"));
    newZone.click(); // leaving the group's field fills the form with what the group has
    await(() -> "UTC".equals(newZone.getAttribute("value")) ? true : null);
    newZone.clear();
    newZone.sendKeys("America/New_York");
    driver.findElement(By.id("window-lines")).sendKeys("tue,mon 22:00-06:00\nSAT 09:30-12:00");
    click(By.cssSelector("#window-form button[type='submit']"));
    awaitText(By.cssSelector(row + "[data-field='zone']"), "America/New_York");

    String found = "items.find { it.name == '" + group + "' }.";
    JsonPath groups = adminJson("/groups");
    assertThat(groups.getString(found + "zone")).isEqualTo("America/New_York");
    assertThat(groups.getList(found + "windows.days"))
        .containsExactly(List.of("MON", "TUE"), List.of("SAT"));
    assertThat(groups.getList(found + "windows.from")).containsExactly("22:00", "09:30");
    assertThat(groups.getList(found + "windows.to")).containsExactly("06:00", "12:00");
    assertThat(groups.getLong(found + "terminals")).isEqualTo(1);
    assertThat(textOf(By.cssSelector(row + "[data-field='windows']")))
        .contains("MON,TUE 22:00-06:00")
        .contains("SAT 09:30-12:00");
    assertThat(textOf(By.cssSelector(row + "[data-field='openNow']")))
        .isEqualTo(groups.getBoolean(found + "openNow") ? "yes" : "no");
    assertThat(attribute(By.cssSelector(row + "[data-field='nextChange'] time"), "datetime"))
        .isEqualTo(groups.getString(found + "nextChange"));

    // choosing the group again fills the form with what is stored; an unknown zone is refused
    visible(By.id("window-group")).sendKeys(group);
    WebElement zone = driver.findElement(By.id("window-zone"));
    zone.click();
    await(() -> "America/New_York".equals(zone.getAttribute("value")) ? true : null);
    assertThat(driver.findElement(By.id("window-lines")).getAttribute("value"))
        .isEqualTo("MON,TUE 22:00-06:00\nSAT 09:30-12:00");
    zone.clear();
    zone.sendKeys("Mars/Olympus_Mons");
    click(By.cssSelector("#window-form button[type='submit']"));
    assertThat(text(By.cssSelector("#window-form .problem-title")))
        .isNotBlank()
        .doesNotStartWith("HTTP ");
    assertThat(text(By.cssSelector("#window-form .problem-detail")))
        .contains("Mars/Olympus_Mons")
        .contains("not a known time zone");
    problemsInConsole(); // the refused zone's 400 is logged as a failed load: it is the point
    assertThat(adminJson("/groups").getString(found + "zone")).isEqualTo("America/New_York");

    // a line the page cannot read is refused before any request
    zone.clear();
    zone.sendKeys("UTC");
    WebElement lines = driver.findElement(By.id("window-lines"));
    lines.clear();
    lines.sendKeys("every day at noon");
    long before = fetchesSeen();
    click(By.cssSelector("#window-form button[type='submit']"));
    assertThat(text(By.cssSelector("#window-form .problem-detail"))).contains("every day at noon");
    assertThat(fetchesSeen()).isEqualTo(before);

    // no lines: always open again, in the zone given
    lines.clear();
    click(By.cssSelector("#window-form button[type='submit']"));
    await(
        () ->
            "always open".equals(textOf(By.cssSelector(row + "[data-field='windows']")))
                ? true
                : null);
    groups = adminJson("/groups");
    assertThat(groups.getList(found + "windows")).isEmpty();
    assertThat(groups.getString(found + "zone")).isEqualTo("UTC");
    assertThat(groups.getBoolean(found + "openNow")).isTrue();
  }

  @Test
  void aRefusalOfTheServerShowsItsTitleAndDetail() throws Exception {
    signIn();
    driver.get(site() + "#/images");
    Files.createDirectories(WORK);
    Path notQcow2 =
        Files.writeString(WORK.resolve("not-qcow2-" + UNIQUE.incrementAndGet()), "x".repeat(4096));
    visible(By.id("upload-name")).sendKeys("refused-" + UNIQUE.incrementAndGet());
    driver.findElement(By.id("upload-version")).sendKeys("1");
    driver.findElement(By.id("upload-file")).sendKeys(notQcow2.toAbsolutePath().toString());
    click(By.id("upload-send"));
    await(() -> "refused".equals(attribute(By.id("upload-status"), "data-result")) ? true : null);
    String title = text(By.cssSelector("#upload-status .problem-title"));
    String detail = text(By.cssSelector("#upload-status .problem-detail"));
    assertThat(title).isNotBlank().doesNotStartWith("HTTP ");
    assertThat(detail).isNotBlank();
    problemsInConsole(); // the refused upload's 4xx is logged as a failed load: it is the point
  }

  // ---------------------------------------------------------------- audits

  @Test
  void anAuditStartedFromThePageFinishesAndItsFindingsShow() throws Exception {
    Lineage lineage = publish(1);
    Path damaged = layerFile(lineage.name, lineage.layers.get(1).fileName());
    flipByte(damaged, Files.size(damaged) - 1000);
    signIn();
    driver.get(site() + "#/audits");
    awaitNoAuditRunning();
    click(By.id("start-audit"));
    new WebDriverWait(driver, Duration.ofSeconds(60))
        .until(d -> "FINISHED".equals(attribute(By.id("audit-detail"), "data-state")));
    // the page may draw the finished run once more: read the findings until a drawing holds still
    List<List<String>> findings =
        await(
            () -> {
              try {
                List<List<String>> rows = new ArrayList<>();
                for (WebElement row : driver.findElements(By.cssSelector("#findings tbody tr"))) {
                  rows.add(
                      List.of(
                          row.findElement(By.cssSelector("[data-field='image']")).getText(),
                          row.findElement(By.cssSelector("[data-field='kind']")).getText()));
                }
                return rows.isEmpty() ? null : rows;
              } catch (StaleElementReferenceException redrawn) {
                return null;
              }
            });
    assertThat(findings).contains(List.of(lineage.name, "SHA256_MISMATCH"));
    String runId = driver.findElement(By.id("audit-detail")).getAttribute("data-id");
    assertThat(driver.findElements(By.cssSelector("#audit-runs tr[data-id='" + runId + "']")))
        .hasSize(1);
    // the reports download through fetch with the header; the page says so
    click(By.id("report-json"));
    await(() -> text(By.cssSelector("#audit-detail .status")).contains(".json") ? true : null);
    click(By.id("report-xml"));
    await(() -> text(By.cssSelector("#audit-detail .status")).contains(".xml") ? true : null);
  }

  // ---------------------------------------------------------------- every page

  @Test
  void everyPageRendersWithoutConsoleErrorsAtDesktopAndPhoneSize() throws Exception {
    Map<String, String> pages = everyPage();
    signIn();
    for (Dimension size : SIZES) {
      viewport(size);
      for (Map.Entry<String, String> page : pages.entrySet()) {
        driver.get(site() + page.getValue());
        visible(By.cssSelector("section.page h1, section.page h2"));
        new WebDriverWait(driver, Duration.ofSeconds(20))
            .until(d -> d.findElements(By.cssSelector("[aria-busy='true']")).isEmpty());
        Long overflow =
            (Long)
                script(
                    "return document.documentElement.scrollWidth"
                        + " - document.documentElement.clientWidth");
        assertThat(overflow)
            .as(page.getKey() + " scrolls sideways at " + size)
            .isLessThanOrEqualTo(0L);
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        Files.write(
            SHOTS.resolve(page.getKey() + "-" + size.width + "x" + size.height + ".png"), png);
        assertThat(problemsInConsole()).as("console of " + page.getKey()).isEmpty();
      }
    }
  }

  @Test
  void everyAnswerOfTheWarCarriesTheSecurityHeaders() {
    for (String path : List.of("", "index.html", "js/app.js", "css/console.css", "api/v1/server")) {
      Response response = given().header("Authorization", ADMIN).get(base + path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.header("Content-Security-Policy"))
          .as(path)
          .contains("default-src 'self'")
          .contains("frame-ancestors 'none'")
          .doesNotContain("unsafe-inline");
      assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
      assertThat(response.header("X-Frame-Options")).isEqualTo("DENY");
    }
    Response missing = given().get(base + "no-such-page");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.header("Content-Security-Policy")).contains("default-src 'self'");
  }

  // ---------------------------------------------------------------- the same in Firefox

  @Test
  void firefoxSignsInWithTheAdminTokenKeptInTheTabOnly() throws Exception {
    Firefox browser = firefox();
    browser.viewport(1280, 800);
    browser.open(site());
    browser.call("() => sessionStorage.clear()");
    browser.open(site());
    browser.type("#token", "not-the-token\n");
    browser.visible("#sign-in-error");
    assertThat(browser.text("#sign-in-error")).contains("not the admin token");
    assertThat(browser.call("() => document.getElementById('nav').checkVisibility()"))
        .isEqualTo(false);

    browser.clear("#token");
    browser.type("#token", TOKEN + "\n");
    browser.visible("[data-page='overview'] h1");
    assertThat(browser.call("() => sessionStorage.getItem('voi.console.token')")).isEqualTo(TOKEN);
    assertThat(browser.call("() => document.cookie")).isEqualTo("");
    assertThat(browser.requests(request -> request.contains(TOKEN)))
        .as("requests with the token in their URL")
        .isEmpty();
    assertThat(browser.requests(request -> request.contains("/api/v1/fleet"))).isNotEmpty();

    browser.click("#sign-out");
    browser.visible("#token");
    assertThat(browser.call("() => sessionStorage.getItem('voi.console.token')")).isNull();
  }

  @Test
  void firefoxShowsTheOverviewsCounts() throws Exception {
    OverviewFleet fleet = overviewFleet();
    Firefox browser = signedInFirefox();
    browser.open(site() + "#/overview");
    String row = "#fleet-table tr[data-image='" + fleet.lineage().name + "'] ";
    browser.visible(row);
    fleet
        .counts()
        .forEach(
            (field, count) ->
                assertThat(browser.text(row + "[data-field='" + field + "']"))
                    .as(field)
                    .isEqualTo(count));
    assertThat(browser.attribute(row + "[data-field='bytesToMove']", "data-bytes"))
        .isEqualTo(String.valueOf(fleet.bytes()));
  }

  @Test
  void firefoxDrawsALineageBoxByBoxWithItsStates() throws Exception {
    RetiredAndQuarantined drawn = lineageWithARetiredAndAQuarantinedLayer();
    Lineage lineage = drawn.lineage();
    Firefox browser = signedInFirefox();
    browser.open(site() + "#/images/" + lineage.name);
    browser.visible("svg.lineage[data-image='" + lineage.name + "']");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> boxes =
        (List<Map<String, Object>>)
            browser.call(
                "() => [...document.querySelectorAll('svg.lineage g.layer')].map(g => {"
                    + " const box = getComputedStyle(g.querySelector('rect.box'));"
                    + " const drawn = g.getBoundingClientRect();"
                    + " return {state: g.getAttribute('data-state'),"
                    + " depth: g.getAttribute('data-depth'),"
                    + " checksum: g.getAttribute('data-checksum'), text: g.textContent,"
                    + " tip: g.classList.contains('tip'),"
                    + " hatched: g.querySelectorAll('rect.hatch').length,"
                    + " fill: box.fill, dashes: box.strokeDasharray,"
                    + " drawn: drawn.width > 50 && drawn.height > 20}; })");
    assertThat(boxes)
        .extracting(b -> b.get("state"))
        .containsExactly("PUBLISHED", "PUBLISHED", "QUARANTINED", "RETIRED");
    assertThat(boxes).extracting(b -> b.get("depth")).containsExactly("0", "1", "2", "3");
    assertThat(boxes)
        .allSatisfy(b -> assertThat(b.get("drawn")).as("a box's size").isEqualTo(true));
    assertThat(boxes.get(3).get("checksum")).isEqualTo(drawn.retiredChecksum());
    for (int k = 0; k < 3; k++) {
      Layer layer = lineage.layers.get(k);
      assertThat((String) boxes.get(k).get("text"))
          .contains("depth " + k)
          .contains("v" + layer.version())
          .contains(layer.checksum().substring(0, 12));
    }
    assertThat(boxes.get(2).get("hatched")).isEqualTo(1L);
    assertThat(boxes.get(2).get("tip")).isEqualTo(true);
    Object publishedFill = boxes.get(0).get("fill");
    assertThat(boxes.get(2).get("fill")).isNotEqualTo(publishedFill);
    assertThat(boxes.get(3).get("fill")).isNotEqualTo(publishedFill);
    assertThat(boxes.get(3).get("dashes")).isNotEqualTo("none");
    assertThat(boxes.get(0).get("dashes")).isEqualTo("none");
    assertThat(browser.count("svg.lineage g.released")).isEqualTo(1);
    assertThat(browser.attribute("svg.lineage g.released", "data-waves")).isEqualTo("0,1");
    assertThat(browser.text("#rollout-state")).isEqualTo("IDLE");
  }

  @Test
  void firefoxRefusesADiffOnAnotherBackingFileWithoutSendingIt() throws Exception {
    Lineage lineage = publish(1);
    Path wrong = diffOn(lineage, lineage.layers.get(0).fileName(), "64k");
    Firefox browser = signedInFirefox();
    browser.open(site() + "#/images/" + lineage.name);
    Predicate<String> uploads =
        request ->
            request.startsWith("POST ") && request.contains("/images/" + lineage.name + "/layers");
    String filesBefore = dataFiles();
    browser.chooseFile("#upload-file", wrong);
    browser.click("#upload-send");
    browser.visible("#backing-refused");
    assertThat(browser.text("#backing-refused [data-field='backing']"))
        .isEqualTo(lineage.layers.get(0).fileName());
    assertThat(browser.text("#backing-refused [data-field='tip']"))
        .isEqualTo(lineage.layers.get(1).fileName());
    Thread.sleep(500);
    assertThat(browser.requests(uploads)).as("uploads Firefox sent").isEmpty();
    assertThat(adminJson("/images/" + lineage.name).getList("layers")).hasSize(2);
    assertThat(dataFiles()).isEqualTo(filesBefore);

    // the same watch on the network sees the upload of a diff that is built on the tip
    Path right = diffOn(lineage, lineage.layers.get(1).fileName(), "64k");
    browser.chooseFile("#upload-file", right);
    browser.click("#upload-send");
    browser.until(
        "the diff published",
        "() => document.getElementById('upload-status')?.dataset.result === 'published'");
    assertThat(browser.requests(uploads)).as("uploads Firefox sent").hasSize(1);
    assertThat(adminJson("/images/" + lineage.name).getList("layers")).hasSize(3);
  }

  @Test
  void firefoxFiltersAndPagesTheTerminalTable() throws Exception {
    PagedFleet fleet = pagedFleet();
    Firefox browser = signedInFirefox();
    browser.open(site() + "#/terminals");
    browser.select("#filter-group", fleet.group());
    awaitRows(browser, 20);
    assertThat(browser.text("#page-number")).isEqualTo("Page 1");
    browser.click("#page-next");
    awaitRows(browser, 5);
    assertThat(browser.call("() => document.getElementById('page-next').disabled")).isEqualTo(true);
    browser.click("#page-prev");
    awaitRows(browser, 20);
    String withFeedback = "#terminal-table tr[data-id='" + fleet.terminals().get(1).id() + "']";
    browser.visible(withFeedback);
    assertThat(browser.attribute(withFeedback + " progress", "value")).isEqualTo("37");
    int upToDate = fleet.upToDate();
    assertThat(firefoxChart(browser))
        .containsEntry("STOP · UP_TO_DATE", String.valueOf(upToDate))
        .containsEntry("INCREMENTAL · ONE_BEHIND", String.valueOf(25 - upToDate));

    browser.select("#filter-strategy", "STOP");
    awaitRows(browser, upToDate);
    @SuppressWarnings("unchecked")
    List<String> rows =
        (List<String>)
            browser.call(
                "() => [...document.querySelectorAll('#terminal-table tbody tr')]"
                    + ".map(r => r.innerText)");
    assertThat(rows).allSatisfy(row -> assertThat(row).contains("STOP · UP_TO_DATE"));
    assertThat(firefoxChart(browser))
        .containsOnly(Map.entry("STOP · UP_TO_DATE", String.valueOf(upToDate)));
  }

  @Test
  void firefoxShowsATerminalNamedLikeMarkupAsText() throws Exception {
    // names are unique, and the Chromium test has the bare one
    String name = "<img src=x onerror=alert(1)><b>in Firefox</b>";
    String group = uniqueGroup("xss");
    Term terminal = registerIn(group, name);
    Firefox browser = signedInFirefox();
    browser.open(site() + "#/terminals");
    browser.select("#filter-group", group);
    awaitRows(browser, 1);
    assertThat(browser.text("#terminal-table tbody tr [data-field='name']")).isEqualTo(name);
    assertThat(browser.count("main img, main b")).isZero();
    browser.open(site() + "#/terminals/" + terminal.id());
    browser.visible("#terminal-name");
    assertThat(browser.text("#terminal-name")).isEqualTo(name);
    assertThat(browser.count("main img, main b")).isZero();
    assertThat(browser.requests(request -> request.endsWith("/x")))
        .as("the markup's image fetched")
        .isEmpty();
    assertThat(browser.prompts()).as("dialogs the markup opened").isEmpty();
  }

  @Test
  void firefoxRendersEveryPageWithoutConsoleErrorsAtDesktopAndPhoneSize() throws Exception {
    Map<String, String> pages = everyPage();
    Firefox browser = signedInFirefox();
    Path shots = Files.createDirectories(SHOTS.resolve("firefox"));
    for (Dimension size : SIZES) {
      browser.viewport(size.width, size.height);
      for (Map.Entry<String, String> page : pages.entrySet()) {
        browser.open(site() + page.getValue());
        browser.visible("section.page h1, section.page h2");
        browser.until(
            page.getKey() + " loaded", "() => !document.querySelector(\"[aria-busy='true']\")");
        assertThat(
                browser.call(
                    "() => document.documentElement.scrollWidth"
                        + " - document.documentElement.clientWidth"))
            .as(page.getKey() + " scrolls sideways at " + size)
            .isEqualTo(0L);
        byte[] png = browser.screenshot();
        Files.write(
            shots.resolve(page.getKey() + "-" + size.width + "x" + size.height + ".png"), png);
        BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(shot.getWidth()).as(page.getKey() + " screenshot width").isEqualTo(size.width);
        assertThat(shot.getHeight())
            .as(page.getKey() + " screenshot height")
            .isEqualTo(size.height);
        assertThat(colours(shot)).as(page.getKey() + " drawn in colours").isGreaterThan(8);
        assertThat(browser.problems()).as("Firefox's console on " + page.getKey()).isEmpty();
      }
    }
  }

  /**
   * The console check of the Firefox tests is only worth something if it sees a violation: script
   * and a style attribute put into the page are refused by the policy, and reported.
   */
  @Test
  void firefoxReportsContentSecurityPolicyViolationsAsProblems() throws Exception {
    Firefox browser = signedInFirefox();
    browser.open(site() + "#/overview");
    browser.visible("[data-page='overview'] h1");
    browser.call(
        "() => { const s = document.createElement('script');"
            + " s.textContent = 'window.inlineRan = true'; document.body.append(s);"
            + " const p = document.createElement('p'); p.setAttribute('style', 'color: red');"
            + " document.body.append(p); }");
    List<String> problems = new ArrayList<>();
    await(
        () -> {
          problems.addAll(browser.problems());
          return problems.size() >= 2 ? true : null;
        });
    assertThat(problems)
        .anySatisfy(
            p -> assertThat(p).contains("Content-Security-Policy").contains("inline script"))
        .anySatisfy(
            p -> assertThat(p).contains("Content-Security-Policy").contains("inline style"));
    assertThat(browser.call("() => window.inlineRan === true")).isEqualTo(false);
  }

  /**
   * The one Firefox of this class, once it is ready. A missing {@code firefox-esr} skips the test,
   * or fails it when {@code CI=true}; one that is there but does not start fails it, and every
   * other Firefox test with the same cause.
   */
  static Firefox firefox() throws Exception {
    if (firefoxStarting == null) {
      String message =
          "the Firefox tests need "
              + Firefox.BINARY
              + " (apt-get install firefox-esr; .ci/run does it)";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    try {
      usedFirefox = firefoxStarting.get(2, TimeUnit.MINUTES);
      return usedFirefox;
    } catch (ExecutionException failed) {
      throw new AssertionError("Firefox did not start: " + failed.getCause(), failed.getCause());
    }
  }

  /** Firefox at 1280×800 on the console, signed in with the admin token. */
  Firefox signedInFirefox() throws Exception {
    Firefox browser = firefox();
    browser.viewport(1280, 800);
    browser.open(site());
    browser.until(
        "the sign-in form or the console",
        "() => document.getElementById('nav').checkVisibility()"
            + " || document.getElementById('token').checkVisibility()");
    if (Boolean.TRUE.equals(
        browser.call("() => document.getElementById('token').checkVisibility()"))) {
      browser.type("#token", TOKEN + "\n");
      browser.visible("#nav");
    }
    return browser;
  }

  static void awaitRows(Firefox browser, int rows) {
    browser.until(
        rows + " rows in the terminal table",
        "(n) => document.querySelectorAll('#terminal-table tbody tr').length === n",
        rows);
  }

  /** The decision chart's bars, label to value. */
  @SuppressWarnings("unchecked")
  static Map<String, String> firefoxChart(Firefox browser) {
    return (Map<String, String>)
        browser.call(
            "() => Object.fromEntries([...document.querySelectorAll('#decision-chart g.bar')]"
                + ".map(b => [b.getAttribute('data-label'), b.getAttribute('data-value')]))");
  }

  /** How many colours a sample of the picture's pixels has: a blank page has one or two. */
  static long colours(BufferedImage image) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 7) {
      for (int x = 0; x < image.getWidth(); x += 7) {
        seen.add(image.getRGB(x, y));
      }
    }
    return seen.size();
  }

  // ---------------------------------------------------------------- browser helpers

  void signIn() {
    driver.get(site());
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(
            d ->
                d.findElement(By.id("nav")).isDisplayed()
                    || d.findElement(By.id("token")).isDisplayed());
    if (driver.findElement(By.id("token")).isDisplayed()) {
      WebElement token = driver.findElement(By.id("token"));
      token.sendKeys(TOKEN);
      token.submit();
      visible(By.id("nav"));
    }
  }

  WebElement visible(By by) {
    return new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(
            d -> {
              List<WebElement> found = d.findElements(by);
              return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
            });
  }

  void click(By by) {
    visible(by).click();
  }

  String text(By by) {
    return visible(by).getText();
  }

  String attribute(By by, String name) {
    try {
      List<WebElement> found = driver.findElements(by);
      return found.isEmpty() ? null : found.get(0).getAttribute(name);
    } catch (StaleElementReferenceException redrawn) {
      return null; // the page redrew it between finding and reading: ask again
    }
  }

  void select(String id, String value) {
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(
            d ->
                !d.findElements(By.cssSelector("#" + id + " option[value='" + value + "']"))
                    .isEmpty());
    new Select(driver.findElement(By.id(id))).selectByValue(value);
  }

  List<WebElement> rows() {
    return driver.findElements(By.cssSelector("#terminal-table tbody tr"));
  }

  Map<String, String> chart() {
    return driver.findElements(By.cssSelector("#decision-chart g.bar")).stream()
        .collect(
            Collectors.toMap(
                bar -> bar.getAttribute("data-label"), bar -> bar.getAttribute("data-value")));
  }

  /** The page's wave table holds the API's waves, row by row, with the same counts and tips. */
  void assertWavesShownAsTheApiHasThem(JsonPath plan) {
    List<Map<String, Object>> waves = plan.getList("waves");
    assertThat(driver.findElements(By.cssSelector("#waves tbody tr"))).hasSize(waves.size());
    for (int w = 0; w < waves.size(); w++) {
      String at = "waves[" + w + "].";
      for (String field : List.of("terminals", "upToDate", "failed")) {
        assertThat(waveField(w, field))
            .as("wave " + w + " " + field)
            .isEqualTo(String.valueOf(plan.getLong(at + field)));
      }
      assertThat(waveField(w, "complete"))
          .isEqualTo(plan.getBoolean(at + "complete") ? "yes" : "no");
      assertThat(
              attribute(
                  By.cssSelector("#waves tr[data-wave='" + w + "'] [data-field='releasedTip']"),
                  "data-checksum"))
          .isEqualTo(plan.getString(at + "releasedTip.checksum"));
      String groups = String.join(", ", plan.getList(at + "groups", String.class));
      assertThat(waveField(w, "groups"))
          .isEqualTo(plan.getBoolean(at + "implicit") ? groups + " (implicit)" : groups);
    }
  }

  String waveField(int wave, String field) {
    return textOf(
        By.cssSelector("#waves tr[data-wave='" + wave + "'] [data-field='" + field + "']"));
  }

  /** The element's text, or null when it is not there (yet) or was redrawn while read. */
  static String textOf(By by) {
    try {
      List<WebElement> found = driver.findElements(by);
      return found.isEmpty() ? null : found.get(0).getText();
    } catch (StaleElementReferenceException redrawn) {
      return null;
    }
  }

  /** Waits for the element to show this text; says what the page showed when it never does. */
  static void awaitText(By by, String expected) {
    try {
      new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> expected.equals(textOf(by)));
    } catch (TimeoutException never) {
      throw new AssertionError(
          by + " never showed \"" + expected + "\"; the page shows:\n" + textOf(By.tagName("main")),
          never);
    }
  }

  /** Requests the page made through fetch, by the browser's own resource timing. */
  static long fetchesSeen() {
    return (Long)
        script(
            "return performance.getEntriesByType('resource')"
                + ".filter(e => e.initiatorType === 'fetch').length");
  }

  static WebElement cell(WebElement row, String field) {
    return row.findElement(By.cssSelector("[data-field='" + field + "']"));
  }

  static Object script(String code, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(code, args);
  }

  static String style(WebElement group, String child, String property) {
    return (String)
        script(
            "return getComputedStyle(arguments[0].querySelector(arguments[1]))"
                + ".getPropertyValue(arguments[2])",
            group,
            child,
            property);
  }

  /** Upload requests the page made, by the browser's own resource timing. */
  static long uploadRequestsSeen() {
    return (Long)
        script(
            "return performance.getEntriesByType('resource')"
                + ".filter(e => e.initiatorType === 'xmlhttprequest').length");
  }

  /**
   * The page's viewport at this size, a phone's too (a headless window is at least 500 pixels wide;
   * the device metrics are what a phone's browser reports).
   */
  static void viewport(Dimension size) {
    driver.manage().window().setSize(new Dimension(Math.max(size.width, 500), size.height));
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of(
            "width",
            size.width,
            "height",
            size.height,
            "deviceScaleFactor",
            1,
            "mobile",
            size.width < 600));
  }

  static void throttleUploads(long bytesPerSecond) {
    driver.executeCdpCommand("Network.enable", Map.of());
    driver.executeCdpCommand(
        "Network.emulateNetworkConditions",
        Map.of(
            "offline",
            false,
            "latency",
            0,
            "downloadThroughput",
            -1,
            "uploadThroughput",
            bytesPerSecond));
  }

  static void unthrottled() {
    if (driver != null) {
      driver.executeCdpCommand("Network.enable", Map.of());
      driver.executeCdpCommand(
          "Network.emulateNetworkConditions",
          Map.of("offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
    }
  }

  /** The console's errors and CSP reports since the last call (reading drains them). */
  static List<String> problemsInConsole() {
    List<String> problems = new ArrayList<>();
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      String message = entry.getMessage();
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue()
          || message.contains("Content Security Policy")
          || message.contains("Content-Security-Policy")) {
        problems.add(entry.getLevel() + " " + message);
      }
    }
    return problems;
  }

  static void assertNoAlert() {
    try {
      driver.switchTo().alert();
      throw new AssertionError("an alert opened: markup in a name ran as script");
    } catch (NoAlertPresentException expected) {
      // nothing ran
    }
  }

  // ---------------------------------------------------------------- fleet helpers

  /**
   * Every page of the console by name and address, with an image of three layers and a terminal one
   * behind on it, so that no page is only its empty state.
   */
  Map<String, String> everyPage() throws Exception {
    Lineage lineage = publish(2);
    Term terminal = registerIn(uniqueGroup("shots"), "shot-" + UNIQUE.incrementAndGet());
    assign(terminal, lineage);
    report(terminal, lineage, lineage.checksums().subList(0, 2)).then().statusCode(200);
    Map<String, String> pages = new java.util.LinkedHashMap<>();
    pages.put("overview", "#/overview");
    pages.put("images", "#/images/" + lineage.name);
    pages.put("terminals", "#/terminals");
    pages.put("terminal", "#/terminals/" + terminal.id());
    pages.put("groups", "#/groups");
    pages.put("audits", "#/audits");
    return pages;
  }

  /** An image whose depth 3 (checksum given) is retired and whose tip, depth 2, is quarantined. */
  record RetiredAndQuarantined(Lineage lineage, String retiredChecksum) {}

  /**
   * An image of four layers with a rollout plan: depth 3 retired, depth 2 (the tip) quarantined by
   * an audit that found its file damaged.
   */
  RetiredAndQuarantined lineageWithARetiredAndAQuarantinedLayer() throws Exception {
    Lineage lineage = publish(3);
    String retiredChecksum = lineage.layers.get(3).checksum();
    retire(lineage, 3);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body("{\"waves\":[[\"" + uniqueGroup("canary") + "\"]]}")
        .put(api + "/images/" + lineage.name + "/rollout")
        .then()
        .statusCode(200);
    Layer damaged = lineage.layers.get(2);
    Path damagedFile = layerFile(lineage.name, damaged.fileName());
    flipByte(damagedFile, Files.size(damagedFile) - 1000);
    auditToTheEnd();
    return new RetiredAndQuarantined(lineage, retiredChecksum);
  }

  /** A group of 25 terminals on one image: every third up to date, the rest one behind. */
  record PagedFleet(Lineage lineage, String group, List<Term> terminals, int upToDate) {}

  /** {@link PagedFleet}, the second terminal also reporting a download at 37 %. */
  PagedFleet pagedFleet() throws Exception {
    Lineage lineage = publish(1);
    String group = uniqueGroup("pg");
    List<Term> terminals = new ArrayList<>();
    int upToDate = 0;
    for (int i = 0; i < 25; i++) {
      Term terminal = registerIn(group, group + "-t" + String.format("%02d", i));
      assign(terminal, lineage);
      List<String> held = i % 3 == 0 ? lineage.checksums() : lineage.checksums().subList(0, 1);
      upToDate += i % 3 == 0 ? 1 : 0;
      report(terminal, lineage, held).then().statusCode(200);
      terminals.add(terminal);
    }
    feedback(terminals.get(1), lineage, "{\"state\":\"DOWNLOADING\",\"progress\":37}");
    return new PagedFleet(lineage, group, List.copyOf(terminals), upToDate);
  }

  /** A fleet of one image and what the overview must show for it, checked against the API. */
  record OverviewFleet(Lineage lineage, Map<String, String> counts, long bytes) {}

  /**
   * An image with nine terminals, one or two for each column of the overview: two up to date, one a
   * layer behind, one two behind, one diverged, one broken, one empty, one waiting for its group's
   * closed window and one not reported yet. The API's {@code /fleet} must count them so.
   */
  OverviewFleet overviewFleet() throws Exception {
    Lineage lineage = publish(2);
    List<String> chain = lineage.checksums();
    String group = uniqueGroup("ov");
    String closed = uniqueGroup("closed");
    windowClosedNow(closed);
    reportAs(lineage, group, body(nodes(chain)));
    reportAs(lineage, group, body(nodes(chain)));
    reportAs(lineage, group, body(nodes(chain.subList(0, 2))));
    reportAs(lineage, group, body(nodes(chain.subList(0, 1))));
    reportAs(lineage, group, body(nodes(List.of(chain.get(0), randomHex()))));
    reportAs(
        lineage,
        group,
        body("[" + node(chain.get(0), randomHex()) + "," + node(chain.get(1), randomHex()) + "]"));
    reportAs(lineage, group, body("[]"));
    reportAs(lineage, closed, body(nodes(chain.subList(0, 2))));
    Term unreported = registerIn(group, "quiet-" + UNIQUE.incrementAndGet());
    assign(unreported, lineage);

    long bytes = 0;
    for (Object total :
        list(Map.of("image", lineage.name))
            .getList(
                "items.images.flatten().findAll { it.image == '"
                    + lineage.name
                    + "' }.totalBytes")) {
      bytes += total == null ? 0 : ((Number) total).longValue();
    }
    assertThat(bytes).isPositive();
    Map<String, String> counts =
        Map.of(
            "terminals", "9",
            "upToDate", "2",
            "oneBehind", "1",
            "behind", "1",
            "diverged", "1",
            "broken", "1",
            "empty", "1",
            "waiting", "1",
            "ahead", "0",
            "unreported", "1");
    JsonPath fleet = adminJson("/fleet");
    String row = "images.find { it.image == '" + lineage.name + "' }.";
    assertThat(fleet.getLong(row + "bytesToMove")).isEqualTo(bytes);
    counts.forEach(
        (field, count) ->
            assertThat(fleet.getLong(row + field))
                .as("the API's " + field)
                .isEqualTo(Long.parseLong(count)));
    return new OverviewFleet(lineage, counts, bytes);
  }

  String uniqueGroup(String prefix) {
    return prefix + "-" + UNIQUE.incrementAndGet() + "-" + System.nanoTime() % 100000;
  }

  Term registerIn(String group, String name) {
    Response created =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body(
                "{\"name\":"
                    + named(name).substring("{\"name\":".length(), named(name).length() - 1)
                    + ",\"group\":\""
                    + group
                    + "\"}")
            .post(api + "/terminals");
    created.then().statusCode(201);
    return new Term(created.jsonPath().getLong("id"), created.jsonPath().getString("token"));
  }

  /** A new terminal of the group, assigned the image, that reports this raw body. */
  void reportAs(Lineage lineage, String group, String reportBody) {
    Term terminal = registerIn(group, group + "-" + UNIQUE.incrementAndGet());
    assign(terminal, lineage);
    reportRaw(terminal, lineage, reportBody).then().statusCode(200);
  }

  void feedback(Term terminal, Lineage lineage, String json) {
    given()
        .header("Authorization", terminal.bearer())
        .contentType(ContentType.JSON)
        .body(json)
        .post(terminalUrl(terminal) + "/images/" + lineage.name + "/feedback")
        .then()
        .statusCode(202);
  }

  /** Windows every day, an hour long, starting two hours from now (UTC): closed now. */
  void windowClosedNow(String group) {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            "{\"zone\":\"UTC\",\"windows\":[{\"days\":[\"MON\",\"TUE\",\"WED\",\"THU\",\"FRI\","
                + "\"SAT\",\"SUN\"],\"from\":\""
                + hhmm.format(now.plusHours(2))
                + "\",\"to\":\""
                + hhmm.format(now.plusHours(3))
                + "\"}]}")
        .put(api + "/groups/" + group)
        .then()
        .statusCode(200);
  }

  JsonPath adminJson(String path) {
    return given()
        .header("Authorization", ADMIN)
        .get(api + path)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  void awaitNoAuditRunning() throws Exception {
    await(
        () ->
            adminJson("/audits?limit=5").getList("items.state").contains("RUNNING") ? null : true);
  }

  void auditToTheEnd() throws Exception {
    awaitNoAuditRunning();
    Response started = given().header("Authorization", ADMIN).post(api + "/audits");
    started.then().statusCode(202);
    long id = started.jsonPath().getLong("id");
    await(() -> adminJson("/audits/" + id).getString("state").equals("RUNNING") ? null : true);
  }

  /** A diff made by qemu-img on a downloaded layer of the image, with {@code size} written. */
  Path diffOn(Lineage lineage, String backingFileName, String size) throws IOException {
    Layer backing =
        lineage.layers.stream()
            .filter(l -> l.fileName().equals(backingFileName))
            .findFirst()
            .orElseThrow();
    byte[] file =
        given()
            .header("Authorization", ADMIN)
            .get(api + "/images/" + lineage.name + "/layers/" + backing.checksum() + "/content")
            .then()
            .statusCode(200)
            .extract()
            .asByteArray();
    Files.write(lineage.dir.resolve(backingFileName), file);
    Path diff = lineage.dir.resolve("console-" + UNIQUE.incrementAndGet() + ".qcow2");
    Qemu.run(
            lineage.dir,
            "qemu-img",
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            "qcow2",
            "-b",
            backingFileName,
            diff.getFileName().toString())
        .assertOk();
    Qemu.run(lineage.dir, "qemu-io", "-c", "write -P 77 0 " + size, diff.getFileName().toString())
        .assertOk();
    return diff.toAbsolutePath();
  }

  static Path layerFile(String image, String fileName) {
    return DATA.resolve("images").resolve(image).resolve(fileName);
  }

  /** Every file under the data directory with its size: what the server keeps. */
  static String dataFiles() throws IOException {
    try (Stream<Path> files = Files.walk(DATA)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(".lock"))
          .map(p -> DATA.relativize(p) + ":" + p.toFile().length())
          .sorted()
          .collect(Collectors.joining("\n"));
    }
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0xff);
    }
  }
}
