package org.evidenceledger.sdk;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** {@code evidence-node --dev} on a port the kernel picks, in a fresh temporary directory; ready
 * (GET /readyz is 200) once constructed; stopped (SIGTERM, then SIGKILL) and its directory removed
 * by close(). */
final class DevNode implements AutoCloseable {
  final Path directory;
  final Process process;
  final String url;

  DevNode(String binary) throws IOException, InterruptedException {
    this(binary, "sha256");
  }

  /** @param hash the chain's hash, "sha256" or "sm3" (a 国密 chain) */
  DevNode(String binary, String hash) throws IOException, InterruptedException {
    directory = Files.createTempDirectory("evidence-java-node-");
    process = new ProcessBuilder(binary, "--dev", "--data", directory.toString(), "--api",
        "127.0.0.1:0", "--dev-hash", hash).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String found = null;
    Pattern api = Pattern.compile("API: (http://127\\.0\\.0\\.1:\\d+)");
    for (String line; found == null && (line = out.readLine()) != null; ) {
      Matcher matcher = api.matcher(line);
      if (matcher.find()) found = matcher.group(1);
    }
    if (found == null) {
      close();
      throw new IOException("evidence-node --dev printed no API line");
    }
    url = found;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    HttpClient http = HttpClient.newHttpClient();
    while (!ready(http)) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        close();
        throw new IOException("evidence-node --dev did not become ready");
      }
      Thread.sleep(50);  // polling /readyz, bounded by the deadline
    }
  }

  private boolean ready(HttpClient http) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url + "/readyz")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  Path genesis() {
    return directory.resolve("genesis.json");
  }

  Path key(String alg) {
    return directory.resolve(switch (alg) {
      case "p256" -> "agency-p256.pem";
      case "sm2" -> "agency-sm2.pem";
      default -> "agency.pem";
    });
  }

  String readerToken() throws IOException {
    return Files.readString(directory.resolve("reader-token")).trim();
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteTree(directory);
  }

  /** Removes a directory and everything in it. */
  static void deleteTree(Path directory) throws IOException {
    if (!Files.exists(directory)) return;
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
