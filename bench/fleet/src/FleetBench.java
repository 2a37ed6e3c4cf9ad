import dev.voi.agent.QemuImg;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * bench/fleet: a fleet in mixed states against a running server, through the real API. Every
 * terminal reports the checksum list of what it really holds; the server's answers under the
 * {@code patent} and {@code catch-up} policies are applied on paper, next to three approaches the
 * server does not implement: the prior art's version-number comparison, "always full" and the
 * oracle (the fewest bytes that leave the terminal on the server's tip). A decision is wrong when
 * the terminal, after applying it, holds content that differs from the server's tip.
 *
 * <p>Usage: {@code java -cp <jakarta.json + parsson> FleetBench.java <base url> <admin token>
 * <work dir> [terminals per state]}
 */
public class FleetBench {

  static final SecureRandom RANDOM = new SecureRandom();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final String api;
  final String admin;
  final Path work;
  int files;
  final Map<String, Path> dirs = new java.util.HashMap<>();

  FleetBench(String base, String admin, Path work) {
    this.api = base + "/api/v1";
    this.admin = "Bearer " + admin;
    this.work = work;
  }

  /** A layer as published: checksum, version, bytes to download. */
  record Layer(String checksum, long version, long size) {}

  /** What a terminal really holds, and what it reports. */
  record State(String name, String image, List<Layer> held, boolean corrupt, String brokenNode) {}

  /** The outcome of one approach for one terminal. */
  record Outcome(boolean wrong, long bytes) {}

  public static void main(String[] args) throws Exception {
    int perState = args.length > 3 ? Integer.parseInt(args[3]) : 50;
    FleetBench bench = new FleetBench(args[0], args[1], Path.of(args[2]));
    bench.run(perState);
    bench.canary(args.length > 4 ? Integer.parseInt(args[4]) : 200);
  }

  /**
   * A bad diff caught by the canary (docs/design.md §11): the same fleet holds two images with the
   * same history, "plain" without a rollout plan and "staged" with [[canary], [lab-a, lab-b], ["*"]]
   * (thresholds 0.9 and 0.1, auto-advance). A bad third diff is published on both; every terminal
   * then polls both images, in a shuffled order, for a few rounds a second apart. A terminal that
   * is offered the bad diff applies it: half of them fail (FAILED feedback, they still hold the
   * old chain), the other half succeed (they report the new chain, DONE feedback). Counted: the
   * terminals that ever received the bad diff, per group.
   */
  void canary(int fleet) throws Exception {
    String[] groups = {"canary", "lab-a", "lab-b", "site"};
    double[] shares = {0.05, 0.15, 0.15, 0.65};
    List<Layer> plain = publishLineage("plain", 2, 1);
    List<Layer> staged = publishLineage("staged", 2, 1);
    send(
        "PUT",
        "/images/staged/rollout",
        admin,
        "{\"waves\":[[\"canary\"],[\"lab-a\",\"lab-b\"],[\"*\"]]}",
        200);
    List<long[]> terminals = new ArrayList<>(); // id, group index
    List<String> tokens = new ArrayList<>();
    int index = 0;
    for (int g = 0; g < groups.length; g++) {
      int n = g == groups.length - 1 ? fleet - index : (int) Math.round(fleet * shares[g]);
      for (int i = 0; i < n; i++, index++) {
        JsonObject created =
            send(
                "POST",
                "/terminals",
                admin,
                "{\"name\":\"canary-" + index + "\",\"group\":\"" + groups[g] + "\"}",
                201);
        long id = created.getJsonNumber("id").longValue();
        String token = "Bearer " + created.getString("token");
        terminals.add(new long[] {id, g});
        tokens.add(token);
        for (var image : Map.of("plain", plain, "staged", staged).entrySet()) {
          send("PUT", "/terminals/" + id + "/images/" + image.getKey(), admin, null, 201);
          send(
              "PUT",
              "/terminals/" + id + "/images/" + image.getKey() + "/chain",
              token,
              report(new State("up to date", image.getKey(), image.getValue(), false, null)),
              200);
        }
      }
    }
    // The bad diff, on both images.
    for (var image : List.of(Map.entry("plain", plain), Map.entry("staged", staged))) {
      Path dir = dirs.get(image.getKey()); // the files of the tip's backing chain
      Layer tip = last(image.getValue());
      String tipFile =
          send("GET", "/images/" + image.getKey(), admin, null, 200)
              .getJsonArray("layers")
              .getJsonObject(2)
              .getString("fileName");
      publishDiff(dir, image.getKey(), image.getValue(), tipFile, 3);
      if (!last(image.getValue()).checksum().equals(tip.checksum())) {
        System.err.println(image.getKey() + ": bad diff " + last(image.getValue()).checksum());
      }
    }
    Map<String, String> bad =
        Map.of("plain", last(plain).checksum(), "staged", last(staged).checksum());
    Map<String, java.util.Set<Integer>> received = new LinkedHashMap<>();
    Map<String, Integer> failed = new LinkedHashMap<>();
    List<Integer> order = new ArrayList<>();
    for (int t = 0; t < terminals.size(); t++) {
      order.add(t);
    }
    java.util.Random shuffle = new java.util.Random(1);
    int rounds = 5;
    for (int round = 0; round < rounds; round++) {
      java.util.Collections.shuffle(order, shuffle);
      for (int t : order) {
        long id = terminals.get(t)[0];
        for (String image : List.of("plain", "staged")) {
          JsonObject answer =
              send(
                  "GET",
                  "/terminals/" + id + "/images/" + image + "/strategy",
                  tokens.get(t),
                  null,
                  200);
          boolean offered =
              answer.getJsonArray("downloads").stream()
                  .anyMatch(d -> d.asJsonObject().getString("checksum").equals(bad.get(image)));
          if (!offered) {
            continue;
          }
          if (!received.computeIfAbsent(image, k -> new java.util.HashSet<>()).add(t)) {
            continue; // already tried it
          }
          if (id % 2 == 0) {
            failed.merge(image, 1, Integer::sum);
            send(
                "POST",
                "/terminals/" + id + "/images/" + image + "/feedback",
                tokens.get(t),
                "{\"state\":\"FAILED\",\"detail\":\"the new layer does not boot\"}",
                202);
          } else {
            List<Layer> chain = image.equals("plain") ? plain : staged;
            send(
                "PUT",
                "/terminals/" + id + "/images/" + image + "/chain",
                tokens.get(t),
                report(new State("applied", image, chain, false, null)),
                200);
            send(
                "POST",
                "/terminals/" + id + "/images/" + image + "/feedback",
                tokens.get(t),
                "{\"state\":\"DONE\"}",
                202);
          }
        }
      }
      Thread.sleep(1000); // the rollout's background check
    }
    JsonObject rollout = send("GET", "/images/staged/rollout", admin, null, 200);
    System.out.printf(
        "%n%d terminals (%s), each holding both images up to date (base + 2 diffs); a bad third"
            + " diff published on both; %d polling rounds in a shuffled order; half of those that"
            + " apply it fail%n%n",
        terminals.size(),
        String.join(
            ", ",
            java.util.stream.IntStream.range(0, groups.length)
                .mapToObj(
                    g ->
                        groups[g]
                            + " "
                            + terminals.stream().filter(x -> x[1] == g).count())
                .toList()),
        rounds);
    System.out.println(
        "| image | plan | received the bad diff | canary | lab-a | lab-b | site | FAILED feedback"
            + " | rollout state |");
    System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (String image : List.of("plain", "staged")) {
      java.util.Set<Integer> got = received.getOrDefault(image, java.util.Set.of());
      StringBuilder row =
          new StringBuilder(
              "| "
                  + image
                  + " | "
                  + (image.equals("plain") ? "none" : "[[canary],[lab-a,lab-b],[*]]")
                  + " | "
                  + got.size()
                  + " of "
                  + terminals.size()
                  + " |");
      for (int g = 0; g < groups.length; g++) {
        final int gg = g;
        row.append(' ').append(got.stream().filter(t -> terminals.get(t)[1] == gg).count()).append(" |");
      }
      row.append(' ').append(failed.getOrDefault(image, 0)).append(" | ");
      row.append(image.equals("plain") ? "–" : rollout.getString("state")).append(" |");
      System.out.println(row);
    }
    System.out.println();
    for (JsonValue wave : rollout.getJsonArray("waves")) {
      JsonObject w = wave.asJsonObject();
      System.out.println(
          "staged wave "
              + w.getInt("wave")
              + " "
              + w.getJsonArray("groups")
              + ": released depth "
              + w.getJsonObject("releasedTip").getInt("depth")
              + ", terminals "
              + w.get("terminals")
              + ", up to date "
              + w.get("upToDate")
              + ", failed "
              + w.get("failed")
              + ", complete "
              + w.get("complete"));
    }
  }

  void run(int perState) throws Exception {
    // Image "lab": a base and five diffs.
    List<Layer> lab = publishLineage("lab", 5, 1);
    // Image "rebuilt": published once, then rebuilt from a new base with the same version numbers.
    List<Layer> old = publishLineage("rebuilt", 3, 1);
    List<Layer> rebuilt = rebuildLineage("rebuilt", 3, 1);

    List<State> states = new ArrayList<>();
    states.add(new State("up to date", "lab", lab, false, null));
    states.add(new State("1 behind", "lab", lab.subList(0, 5), false, null));
    states.add(new State("3 behind", "lab", lab.subList(0, 3), false, null));
    states.add(new State("5 behind", "lab", lab.subList(0, 1), false, null));
    states.add(new State("empty", "lab", List.of(), false, null));
    // A merge that failed half-way: the manifest no longer links up; what the disk holds is unknown.
    states.add(new State("broken", "lab", lab.subList(0, 4), true, "1"));
    states.add(
        new State("rebuilt, same version numbers", "rebuilt", old, false, null));
    states.add(
        new State("rebuilt, one version behind", "rebuilt", old.subList(0, 3), false, null));

    Map<String, List<Layer>> chains = Map.of("lab", lab, "rebuilt", rebuilt);
    String[] approaches = {
      "version numbers (prior art)", "always full", "patent", "catch-up", "oracle minimum"
    };
    Map<String, long[]> totals = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> wrongByState = new LinkedHashMap<>();
    for (String approach : approaches) {
      totals.put(approach, new long[2]);
      wrongByState.put(approach, new LinkedHashMap<>());
    }

    List<long[]> terminals = new ArrayList<>(); // id, state index
    List<String> tokens = new ArrayList<>();
    for (int s = 0; s < states.size(); s++) {
      State state = states.get(s);
      for (int i = 0; i < perState; i++) {
        JsonObject created =
            send("POST", "/terminals", admin, "{\"name\":\"fleet-" + s + "-" + i + "\"}", 201);
        long id = created.getJsonNumber("id").longValue();
        tokens.add("Bearer " + created.getString("token"));
        terminals.add(new long[] {id, s});
        send("PUT", "/terminals/" + id + "/images/" + state.image(), admin, null, 201);
        send(
            "PUT",
            "/terminals/" + id + "/images/" + state.image() + "/chain",
            tokens.get(tokens.size() - 1),
            report(state),
            200);
      }
    }

    Map<String, List<JsonObject>> answers = new LinkedHashMap<>();
    for (String policy : List.of("patent", "catch-up")) {
      for (String image : chains.keySet()) {
        send(
            "PUT",
            "/images/" + image + "/policy",
            admin,
            "{\"policy\":\"" + policy + "\",\"maxIncrementalLayers\":8}",
            200);
      }
      List<JsonObject> polled = new ArrayList<>();
      for (int t = 0; t < terminals.size(); t++) {
        State state = states.get((int) terminals.get(t)[1]);
        polled.add(
            send(
                "GET",
                "/terminals/" + terminals.get(t)[0] + "/images/" + state.image() + "/strategy",
                tokens.get(t),
                null,
                200));
      }
      answers.put(policy, polled);
    }

    for (int t = 0; t < terminals.size(); t++) {
      State state = states.get((int) terminals.get(t)[1]);
      List<Layer> chain = chains.get(state.image());
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      outcomes.put(approaches[0], versionNumbers(state, chain));
      outcomes.put(approaches[1], new Outcome(false, sum(chain, 0)));
      outcomes.put(approaches[2], server(state, chain, answers.get("patent").get(t)));
      outcomes.put(approaches[3], server(state, chain, answers.get("catch-up").get(t)));
      outcomes.put(approaches[4], new Outcome(false, sum(chain, verifiedPrefix(state, chain))));
      for (Map.Entry<String, Outcome> outcome : outcomes.entrySet()) {
        long[] total = totals.get(outcome.getKey());
        total[0] += outcome.getValue().wrong() ? 1 : 0;
        total[1] += outcome.getValue().bytes();
        wrongByState
            .get(outcome.getKey())
            .merge(state.name(), outcome.getValue().wrong() ? 1 : 0, Integer::sum);
      }
    }

    System.out.printf(
        "%d terminals: %d in each of %d states; image lab = base + 5 diffs, image rebuilt ="
            + " base + 3 diffs published twice with the same version numbers%n%n",
        terminals.size(), perState, states.size());
    long oracle = totals.get("oracle minimum")[1];
    System.out.println("| approach | wrong decisions | bytes to move | vs oracle |");
    System.out.println("| --- | ---: | ---: | ---: |");
    for (String approach : approaches) {
      long[] total = totals.get(approach);
      System.out.printf(
          "| %s | %d | %.1f MiB | %.2f |%n",
          approach, total[0], total[1] / 1048576.0, (double) total[1] / oracle);
    }
    System.out.println();
    StringBuilder header = new StringBuilder("| wrong decisions per state |");
    StringBuilder rule = new StringBuilder("| --- |");
    for (String approach : approaches) {
      header.append(' ').append(approach).append(" |");
      rule.append(" ---: |");
    }
    System.out.println(header);
    System.out.println(rule);
    for (State state : states) {
      StringBuilder row = new StringBuilder("| " + state.name() + " |");
      for (String approach : approaches) {
        row.append(' ').append(wrongByState.get(approach).get(state.name())).append(" |");
      }
      System.out.println(row);
    }
  }

  /**
   * The prior art: compare the version number of the terminal's top layer with the server's tip.
   * Equal: nothing; one less: the tip's diff on top of what the terminal has; else everything.
   * A broken terminal's metadata already carries the new version number (the merge failed after
   * it was written).
   */
  static Outcome versionNumbers(State state, List<Layer> chain) {
    Layer tip = chain.get(chain.size() - 1);
    if (state.held().isEmpty()) {
      return new Outcome(false, sum(chain, 0));
    }
    long version = state.corrupt() ? tip.version() : last(state.held()).version();
    if (version == tip.version()) {
      return new Outcome(state.corrupt() || !state.held().equals(chain), 0);
    }
    if (version + 1 == tip.version()) {
      List<Layer> result = new ArrayList<>(state.held());
      result.add(tip);
      return new Outcome(state.corrupt() || !result.equals(chain), tip.size());
    }
    return new Outcome(false, sum(chain, 0));
  }

  /** The server's answer applied: keep the first {@code keep} layers, apply the downloads. */
  static Outcome server(State state, List<Layer> chain, JsonObject answer) {
    int keep = answer.getInt("keep");
    List<String> result = new ArrayList<>();
    state.held().stream().limit(keep).forEach(layer -> result.add(layer.checksum()));
    long bytes = 0;
    for (JsonValue value : answer.getJsonArray("downloads")) {
      JsonObject download = value.asJsonObject();
      result.add(download.getString("checksum"));
      bytes += download.getJsonNumber("size").longValue();
    }
    boolean keptCorrupt = state.corrupt() && keep > 0;
    boolean wrong =
        keptCorrupt || !result.equals(chain.stream().map(Layer::checksum).toList());
    return new Outcome(wrong, bytes);
  }

  static int verifiedPrefix(State state, List<Layer> chain) {
    if (state.corrupt()) {
      return 0;
    }
    int j = 0;
    while (j < state.held().size() && j < chain.size() && state.held().get(j).equals(chain.get(j))) {
      j++;
    }
    return j;
  }

  static long sum(List<Layer> chain, int from) {
    return chain.subList(from, chain.size()).stream().mapToLong(Layer::size).sum();
  }

  static Layer last(List<Layer> layers) {
    return layers.get(layers.size() - 1);
  }

  /** The checksum list of docs/design.md §5 for what the terminal holds; a broken one has a bad link. */
  static String report(State state) {
    StringBuilder json = new StringBuilder("{\"nodes\":[");
    List<Layer> held = state.held();
    for (int k = 0; k < held.size(); k++) {
      String tail = k + 1 < held.size() ? held.get(k + 1).checksum() : randomHex();
      if (state.brokenNode() != null && Integer.parseInt(state.brokenNode()) == k) {
        tail = randomHex();
      }
      json.append(k == 0 ? "" : ",")
          .append("{\"head\":\"")
          .append(held.get(k).checksum())
          .append("\",\"tail\":\"")
          .append(tail)
          .append("\"}");
    }
    return json.append("]}").toString();
  }

  static String randomHex() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  // ------------------------------------------------------------------ publishing with qemu-img

  List<Layer> publishLineage(String image, int diffs, int firstVersion) throws Exception {
    Path dir = Files.createDirectories(work.resolve(image + "-" + ++files));
    dirs.put(image, dir);
    Path base = newBase(dir, 8);
    JsonObject created =
        upload("/images?name=" + image + "&version=" + firstVersion, base, 201);
    List<Layer> chain = new ArrayList<>();
    chain.add(layer(created.getJsonArray("layers").getJsonObject(0)));
    String fileName = created.getJsonArray("layers").getJsonObject(0).getString("fileName");
    for (int k = 1; k <= diffs; k++) {
      fileName = publishDiff(dir, image, chain, fileName, k);
    }
    return chain;
  }

  List<Layer> rebuildLineage(String image, int diffs, int firstVersion) throws Exception {
    Path dir = Files.createDirectories(work.resolve(image + "-" + ++files));
    Path base = newBase(dir, 8);
    JsonObject created = upload("/images/" + image + "/base?version=" + firstVersion, base, 201);
    List<Layer> chain = new ArrayList<>();
    chain.add(layer(created));
    String fileName = created.getString("fileName");
    for (int k = 1; k <= diffs; k++) {
      fileName = publishDiff(dir, image, chain, fileName, k);
    }
    return chain;
  }

  private String publishDiff(Path dir, String image, List<Layer> chain, String tipFile, int k)
      throws Exception {
    Layer tip = last(chain);
    byte[] file =
        HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(api + "/images/" + image + "/layers/" + tip.checksum() + "/content"))
                    .header("Authorization", admin)
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .body();
    Files.write(dir.resolve(tipFile), file);
    String diff = "diff-" + ++files + ".qcow2";
    qemu(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", tipFile, diff);
    // Diffs of different sizes: 1, 2, 3 … MiB of new data.
    qemu(dir, "qemu-io", "-c", "write -P " + (files % 200 + 1) + " 0 " + k + "M", diff);
    JsonObject published =
        upload("/images/" + image + "/layers?parent=" + tip.checksum(), dir.resolve(diff), 201);
    chain.add(layer(published));
    return published.getString("fileName");
  }

  private Path newBase(Path dir, int mib) {
    String name = "base-" + ++files + ".qcow2";
    qemu(dir, "qemu-img", "create", "-q", "-f", "qcow2", name, "256M");
    qemu(dir, "qemu-io", "-c", "write -P " + (files % 200 + 1) + " 0 " + mib + "M", name);
    return dir.resolve(name);
  }

  static Layer layer(JsonObject json) {
    return new Layer(
        json.getString("checksum"),
        json.getJsonNumber("version").longValue(),
        json.getJsonNumber("size").longValue());
  }

  private JsonObject upload(String path, Path file, int expected) throws Exception {
    HttpResponse<byte[]> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api + path))
                .header("Authorization", admin)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    return check(response, expected, "POST " + path);
  }

  private JsonObject send(String method, String path, String bearer, String body, int expected)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", bearer);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<byte[]> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return check(response, expected, method + " " + path);
  }

  private static JsonObject check(HttpResponse<byte[]> response, int expected, String what) {
    if (response.statusCode() != expected) {
      throw new IllegalStateException(
          what + ": " + response.statusCode() + " " + new String(response.body()));
    }
    if (response.body().length == 0) {
      return JsonValue.EMPTY_JSON_OBJECT;
    }
    return Json.createReader(new ByteArrayInputStream(response.body())).readObject();
  }

  private static void qemu(Path dir, String... command) {
    try {
      QemuImg.Output output = QemuImg.exec(dir, List.of(command), Duration.ofSeconds(120));
      if (output.exitCode() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + ": " + output.stdout() + output.stderr());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command[0] + ": " + e.getMessage(), e);
    }
  }

}
