package dev.voi.it;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.bidi.BiDi;
import org.openqa.selenium.bidi.Command;
import org.openqa.selenium.bidi.Connection;
import org.openqa.selenium.bidi.HasBiDi;
import org.openqa.selenium.bidi.browsingcontext.BrowsingContext;
import org.openqa.selenium.bidi.browsingcontext.ReadinessState;
import org.openqa.selenium.bidi.log.BaseLogEntry;
import org.openqa.selenium.bidi.log.LogLevel;
import org.openqa.selenium.bidi.module.BrowsingContextInspector;
import org.openqa.selenium.bidi.module.Input;
import org.openqa.selenium.bidi.module.LogInspector;
import org.openqa.selenium.bidi.module.Network;
import org.openqa.selenium.bidi.module.Script;
import org.openqa.selenium.bidi.script.EvaluateResult;
import org.openqa.selenium.bidi.script.EvaluateResultExceptionValue;
import org.openqa.selenium.bidi.script.EvaluateResultSuccess;
import org.openqa.selenium.bidi.script.LocalValue;
import org.openqa.selenium.bidi.script.RemoteValue;
import org.openqa.selenium.json.Json;
import org.openqa.selenium.remote.http.ClientConfig;
import org.openqa.selenium.remote.http.HttpClient;

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi without geckodriver (which neither
 * Debian nor Maven Central ships). Firefox itself speaks BiDi: started with {@code
 * --remote-debugging-port=0} it listens on a websocket and says where on its output; Selenium's own
 * BiDi client ({@link Connection}, {@link BiDi}) opens that socket and sends {@code session.new},
 * which is all geckodriver would have done for a BiDi session. Selenium's BiDi modules ({@link
 * BrowsingContext}, {@link Script}, {@link Input}, {@link LogInspector}, {@link Network}) ask their
 * {@link WebDriver} for nothing but its connection ({@link HasBiDi}), so a proxy that answers that
 * lets them run as they would behind a driver.
 *
 * <p>What the classic WebDriver calls would do, this class does in BiDi terms: elements are found
 * by CSS selectors in scripts run in the page, clicked and typed into with real pointer and key
 * actions ({@code input.performActions}), files chosen with {@code input.setFiles}. Everything the
 * page logs ({@code log.entryAdded}: console calls, uncaught errors and — in Firefox — the
 * Content-Security-Policy's refusals) and every request it makes ({@code
 * network.beforeRequestSent}) is recorded from the start.
 */
final class Firefox implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/bin/firefox-esr");
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration START = Duration.ofSeconds(60);
  private static final Pattern LISTENING =
      Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
  private static final Json JSON = new Json();

  /**
   * The fresh profile's preferences: no first-run pages, default-browser question, updates,
   * telemetry or experiments, which would all try the network. Firefox's remote agent adds its own
   * recommended preferences for automation on top ({@code remote.prefs.recommended}).
   */
  private static final Map<String, Object> PREFERENCES =
      Map.ofEntries(
          Map.entry("browser.shell.checkDefaultBrowser", false),
          Map.entry("browser.startup.homepage_override.mstone", "ignore"),
          Map.entry("browser.startup.page", 0),
          Map.entry("browser.aboutwelcome.enabled", false),
          Map.entry("app.update.disabledForTesting", true),
          Map.entry("app.normandy.enabled", false),
          Map.entry("datareporting.policy.dataSubmissionEnabled", false),
          Map.entry("datareporting.healthreport.uploadEnabled", false),
          Map.entry("toolkit.telemetry.reportingpolicy.firstRun", false),
          Map.entry("extensions.update.enabled", false),
          Map.entry("network.captive-portal-service.enabled", false),
          Map.entry("network.connectivity-service.enabled", false));

  private final Process process;
  private final Path profile;
  private final BiDi bidi;
  private final String context;
  private final BrowsingContext tab;
  private final Script script;
  private final Input input;
  private final LogInspector log;
  private final Network network;
  private final BrowsingContextInspector contexts;
  private final List<String> prompts = Collections.synchronizedList(new ArrayList<>());
  private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  /** The browser's name and version as the session reports them, e.g. "firefox 153.8.0". */
  final String version;

  /**
   * Starts Firefox on a fresh profile under {@code workDir} and opens a BiDi session on its one
   * tab. Fails, never skips, when it does not come up: the caller decides whether a missing binary
   * is a reason to skip. Firefox's own output (start-up lines, crashes) stays beside the profile in
   * {@code firefox-profile-….log}; the profile is deleted when the browser is closed.
   */
  static Firefox start(Path workDir) throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Path profile = Files.createTempDirectory(workDir.toAbsolutePath(), "firefox-profile-");
    StringBuilder prefs = new StringBuilder();
    PREFERENCES.forEach(
        (name, value) ->
            prefs
                .append("user_pref(")
                .append(JSON.toJson(name))
                .append(", ")
                .append(JSON.toJson(value))
                .append(");\n"));
    Files.writeString(profile.resolve("user.js"), prefs);
    Path output = profile.resolveSibling(profile.getFileName() + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                BINARY.toString(),
                "--headless",
                "--no-remote",
                "--remote-debugging-port=0",
                "--profile",
                profile.toString(),
                "about:blank")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    // --headless is all it needs: it starts as root, with CI=true, without HOME or a display.
    Process process = builder.start();
    try {
      String socket = awaitSocket(process, output);
      return new Firefox(process, profile, socket);
    } catch (IOException | RuntimeException | Error | InterruptedException failed) {
      // The constructor closed its connection; nothing else of this start may outlive it.
      try {
        end(process);
      } catch (InterruptedException e) {
        failed.addSuppressed(e);
      }
      try {
        delete(profile);
      } catch (IOException e) {
        failed.addSuppressed(e);
      }
      throw failed;
    }
  }

  /**
   * Starts Firefox on a thread of its own, for a caller that has other work meanwhile. Cancelling
   * the task (as a caller does that stops waiting for it) interrupts a start under way, which then
   * ends the process; a Firefox that comes up all the same once the task is cancelled is closed
   * there and then, since nobody will ever get it to close it.
   */
  static FutureTask<Firefox> startInBackground(Path workDir) {
    FutureTask<Firefox> task =
        new FutureTask<>(() -> start(workDir)) {
          @Override
          protected void set(Firefox firefox) {
            super.set(firefox);
            // Either the result was set (then cancel() fails and the caller has it to close) or
            // the task was cancelled first (then it is ours to close): never both, never neither.
            if (isCancelled()) {
              Thread.interrupted(); // the cancellation's interrupt: closing waits for the process
              try {
                firefox.close();
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("could not close an abandoned Firefox", e);
              }
            }
          }
        };
    Thread starting = new Thread(task, "firefox-start");
    starting.setDaemon(true);
    starting.start();
    return task;
  }

  /** The websocket Firefox says it listens on, read from its output as it starts. */
  private static String awaitSocket(Process process, Path output)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher listening = LISTENING.matcher(Files.readString(output, StandardCharsets.UTF_8));
      if (listening.find()) {
        return listening.group(1) + "/session";
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            BINARY + " exited with " + process.exitValue() + ":\n" + Files.readString(output));
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        BINARY + " did not open WebDriver BiDi in " + START + ":\n" + Files.readString(output));
  }

  private Firefox(Process process, Path profile, String socket) {
    this.process = process;
    this.profile = profile;
    HttpClient client =
        HttpClient.Factory.createDefault()
            .createClient(ClientConfig.defaultConfig().baseUri(URI.create(socket)));
    Connection connection;
    try {
      connection = new Connection(client, socket);
    } catch (RuntimeException | Error failed) {
      client.close();
      throw failed;
    }
    this.bidi = new BiDi(connection, WAIT);
    // Whatever fails from here on (session.new refused, no tab, a subscription that times out),
    // the connection is closed before the failure goes on to start(), which ends the process.
    try {
      Map<String, Object> session =
          bidi.send(
              new Command<Map<String, Object>>(
                  "session.new", Map.of("capabilities", Map.of()), Json.MAP_TYPE));
      @SuppressWarnings("unchecked")
      Map<String, Object> capabilities = (Map<String, Object>) session.get("capabilities");
      this.version = capabilities.get("browserName") + " " + capabilities.get("browserVersion");
      WebDriver modules = bidiOnly(bidi);
      this.context = new BrowsingContext(modules, "none").getTopLevelContexts().get(0).getId();
      this.tab = new BrowsingContext(modules, context);
      this.script = new Script(modules);
      this.input = new Input(modules);
      this.log = new LogInspector(modules);
      this.network = new Network(modules);
      this.contexts = new BrowsingContextInspector(modules);
      log.onLog(
          entry -> {
            entry.getConsoleLogEntry().ifPresent(e -> record("console", e));
            entry.getJavascriptLogEntry().ifPresent(e -> record("javascript", e));
            entry.getGenericLogEntry().ifPresent(e -> record(e.getType(), e));
          });
      network.onBeforeRequestSent(
          sent -> requests.add(sent.getRequest().getMethod() + " " + sent.getRequest().getUrl()));
      contexts.onUserPromptOpened(
          prompt -> prompts.add(prompt.getType() + " " + prompt.getMessage()));
    } catch (RuntimeException | Error failed) {
      try {
        bidi.close();
      } catch (RuntimeException e) {
        failed.addSuppressed(e);
      }
      throw failed;
    }
  }

  /**
   * What Selenium's BiDi modules are built on. They only ask their driver for its BiDi connection,
   * so this proxy answers that and refuses everything a classic WebDriver would need geckodriver
   * for.
   */
  private static WebDriver bidiOnly(BiDi bidi) {
    return (WebDriver)
        Proxy.newProxyInstance(
            Firefox.class.getClassLoader(),
            new Class<?>[] {WebDriver.class, HasBiDi.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getBiDi" -> bidi;
                  case "maybeGetBiDi" -> Optional.of(bidi);
                  case "getHandle" -> bidi.asHandle();
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  case "toString" -> "Firefox over WebDriver BiDi";
                  default ->
                      throw new UnsupportedOperationException(
                          method.getName() + ": no classic WebDriver without geckodriver");
                });
  }

  private void record(String type, BaseLogEntry entry) {
    logged.add(entry.getLevel() + " " + type + " " + entry.getText());
  }

  // ---------------------------------------------------------------- the page

  /** Opens the URL in the tab and waits until it has loaded (a new hash: until it is applied). */
  void open(String url) {
    tab.navigate(url, ReadinessState.COMPLETE);
  }

  /** The tab's viewport in CSS pixels, at one device pixel per CSS pixel. */
  void viewport(int width, int height) {
    tab.setViewport(width, height, 1.0);
  }

  /** The viewport as a PNG. */
  byte[] screenshot() {
    return Base64.getDecoder().decode(tab.captureScreenshot());
  }

  /**
   * Calls a JavaScript function in the page with these arguments (strings and numbers) and returns
   * its value as JSON makes it in Java: a String, Long, Double, Boolean, List, Map or null. A
   * returned promise is awaited; an exception in the page fails the test with its message.
   */
  Object call(String function, Object... args) {
    List<LocalValue> values = new ArrayList<>();
    for (Object arg : args) {
      values.add(
          arg instanceof Number n
              ? LocalValue.numberValue(n.doubleValue())
              : LocalValue.stringValue(String.valueOf(arg)));
    }
    EvaluateResult result =
        script.callFunctionInBrowsingContext(
            context,
            "async function (...args) { const value = await ("
                + function
                + ").apply(this, args); return value === undefined ? null"
                + " : JSON.stringify(value); }",
            true,
            Optional.of(values),
            Optional.empty(),
            Optional.empty());
    if (result instanceof EvaluateResultExceptionValue thrown) {
      throw new AssertionError(
          "the page threw " + thrown.getExceptionDetails().getText() + " running " + function);
    }
    Optional<Object> json = ((EvaluateResultSuccess) result).getResult().getValue();
    return json.map(String.class::cast).map(s -> JSON.toType(s, Object.class)).orElse(null);
  }

  /**
   * Calls the function every 100 ms until it returns something other than null or false, and
   * returns that; fails after {@link #WAIT} saying what never happened and what the page showed.
   */
  Object until(String what, String function, Object... args) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Object value = call(function, args);
      if (value != null && !Boolean.FALSE.equals(value)) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            what
                + " never happened in "
                + WAIT
                + "; the page shows:\n"
                + call("() => document.querySelector('main')?.innerText"));
      }
      pause(100);
    }
  }

  /** Waits until the selector finds an element that is rendered (not hidden, not display:none). */
  void visible(String css) {
    until(
        css + " visible",
        "(s) => { const e = document.querySelector(s); return !!e && e.checkVisibility(); }",
        css);
  }

  /** The element's rendered text (HTML) or text content (SVG); null when there is none. */
  String text(String css) {
    return (String)
        call(
            "(s) => { const e = document.querySelector(s);"
                + " return e === null ? null : (e.innerText ?? e.textContent); }",
            css);
  }

  String attribute(String css, String name) {
    return (String) call("(s, n) => document.querySelector(s)?.getAttribute(n) ?? null", css, name);
  }

  long count(String css) {
    return (Long) call("(s) => document.querySelectorAll(s).length", css);
  }

  /** Clicks the middle of the element with the mouse, as a user would, once it is visible. */
  void click(String css) {
    visible(css);
    pointer(
        Map.of(
            "type",
            "pointerMove",
            "x",
            0,
            "y",
            0,
            "origin",
            Map.of("type", "element", "element", Map.of("sharedId", node(css)))),
        Map.of("type", "pointerDown", "button", 0),
        Map.of("type", "pointerUp", "button", 0));
  }

  /** Clicks the field and types the text into it key by key; {@code \n} presses Enter. */
  void type(String css, String text) {
    click(css);
    List<Map<String, Object>> keys = new ArrayList<>();
    text.codePoints()
        .mapToObj(c -> c == '\n' ? "\uE007" : new String(Character.toChars(c)))
        .forEach(
            key -> {
              keys.add(Map.of("type", "keyDown", "value", key));
              keys.add(Map.of("type", "keyUp", "value", key));
            });
    keys(keys);
  }

  /** Selects everything in the focused field and deletes it (Ctrl+A, Backspace). */
  void clear(String css) {
    click(css);
    keys(
        List.of(
            Map.of("type", "keyDown", "value", "\uE009"),
            Map.of("type", "keyDown", "value", "a"),
            Map.of("type", "keyUp", "value", "a"),
            Map.of("type", "keyUp", "value", "\uE009"),
            Map.of("type", "keyDown", "value", "\uE003"),
            Map.of("type", "keyUp", "value", "\uE003")));
  }

  /**
   * Chooses the option of a {@code <select>} once it is there, and tells the page as the browser
   * does ({@code input} and {@code change} events); a native drop-down is not part of the page, so
   * no pointer can reach its options.
   */
  void select(String css, String value) {
    until(
        css + " offers " + value,
        "(s, v) => [...(document.querySelector(s)?.options ?? [])].some(o => o.value === v)",
        css,
        value);
    call(
        "(s, v) => { const e = document.querySelector(s); e.value = v;"
            + " e.dispatchEvent(new Event('input', {bubbles: true}));"
            + " e.dispatchEvent(new Event('change', {bubbles: true})); }",
        css,
        value);
  }

  /** Puts the file into the file input, as choosing it in the file dialog would. */
  void chooseFile(String css, Path file) {
    visible(css);
    input.setFiles(context, node(css), List.of(file.toAbsolutePath().toString()));
  }

  /**
   * Everything logged at level error, and every Content-Security-Policy report whatever its level,
   * since the last call (reading drains them). A round trip to the page first lets what it logged
   * so far arrive.
   */
  List<String> problems() {
    call("() => true");
    pause(200);
    List<String> problems = new ArrayList<>();
    synchronized (logged) {
      for (String entry : logged) {
        if (entry.startsWith(LogLevel.ERROR + " ")
            || entry.contains("Content-Security-Policy")
            || entry.contains("Content Security Policy")) {
          problems.add(entry);
        }
      }
      logged.clear();
    }
    return problems;
  }

  /** The requests ({@code METHOD url}) the browser sent since it started that match. */
  List<String> requests(Predicate<String> matching) {
    call("() => true");
    pause(200);
    synchronized (requests) {
      return requests.stream().filter(matching).toList();
    }
  }

  /** The dialogs ({@code alert}, {@code confirm} …) the page opened since the browser started. */
  List<String> prompts() {
    call("() => true");
    return List.copyOf(prompts);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      bidi.close();
    } finally {
      try {
        end(process);
      } finally {
        delete(profile);
      }
    }
  }

  /**
   * Ends Firefox and every process it started (content, GPU, socket processes): asks the parent to
   * quit, which lets it close its children; then, after a grace period, or at once when the wait is
   * interrupted, kills whatever is left, children first, so none is left behind re-parented to
   * init. The children are listed before the parent goes: afterwards they are no longer its.
   */
  private static void end(Process process) throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    try {
      process.destroy();
      process.waitFor(20, TimeUnit.SECONDS);
    } finally {
      Stream.concat(children.stream(), process.descendants())
          .distinct()
          .forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static void delete(Path profile) throws IOException {
    if (!Files.exists(profile)) {
      return;
    }
    try (Stream<Path> files = Files.walk(profile)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  // ---------------------------------------------------------------- BiDi plumbing

  /** The page's element for the selector, as BiDi's shared reference to it. */
  private String node(String css) {
    EvaluateResult result =
        script.callFunctionInBrowsingContext(
            context,
            "(s) => { const e = document.querySelector(s);"
                + " e?.scrollIntoView({block: 'center', inline: 'center'}); return e; }",
            true,
            Optional.of(List.of(LocalValue.stringValue(css))),
            Optional.empty(),
            Optional.empty());
    if (!(result instanceof EvaluateResultSuccess found)) {
      throw new AssertionError("no element for " + css);
    }
    RemoteValue value = found.getResult();
    return value
        .getSharedId()
        .orElseThrow(() -> new AssertionError("no element for " + css + ": " + value.getType()));
  }

  @SafeVarargs
  private void pointer(Map<String, Object>... actions) {
    perform(
        Map.of(
            "type",
            "pointer",
            "id",
            "mouse",
            "parameters",
            Map.of("pointerType", "mouse"),
            "actions",
            List.of(actions)));
  }

  private void keys(List<Map<String, Object>> actions) {
    perform(Map.of("type", "key", "id", "keyboard", "actions", actions));
  }

  /**
   * One input source's actions, sent as a raw command through Selenium's BiDi client: its {@code
   * Input.perform} takes an element origin only as a classic {@code WebElement}, where BiDi wants
   * the element's shared reference.
   */
  private void perform(Map<String, Object> source) {
    bidi.send(
        new Command<Map<String, Object>>(
            "input.performActions",
            Map.of("context", context, "actions", List.of(source)),
            Json.MAP_TYPE));
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
