package org.evidenceledger.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * A client of an evidence-ledger node's HTTP API (docs/api.md).
 *
 * <p>Submissions resend the same bytes: {@link #submit} and {@link #submitBatch} post the signed
 * body they are given and, when the node cannot be reached, drops the connection, answers 429 (too
 * many) or 503 (not ready), post exactly those bytes again after a pause (Retry-After, or 1, 2, 4,
 * ... up to 30 s) until {@code retryFor} has passed. The record id covers the record's time, so a
 * record signed again would be a second entry; the same bytes are idempotent (200,
 * "already_known": true).
 *
 * <p>Every refusal throws {@link ProblemException} with the node's problem+json members (name,
 * detail, and for a refused record what the node computed: record_id, signing_bytes_sha256,
 * signing_bytes, index ...); transport failures that outlast {@code retryFor} throw
 * {@link TransportException}. Thread-safe (one java.net.http.HttpClient).
 */
public final class EvidenceClient {
  private static final Duration RETRY_PAUSE_MAX = Duration.ofSeconds(30);

  /** Pauses between retries; replaceable so tests need not wait. */
  public interface Sleeper {
    void sleep(Duration pause) throws InterruptedException;
  }

  /** A refusal: the HTTP status, the problem's name ("bad-signature", ...), its detail, and
   * every member of the problem+json answer. */
  public static final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final JsonNode problem;

    ProblemException(int status, JsonNode problem) {
      super(problem.path("detail").asText() + " (" + nameOf(problem) + ", HTTP " + status + ")");
      this.status = status;
      this.problem = problem;
    }

    private static String nameOf(JsonNode problem) {
      String type = problem.path("type").asText();
      return type.substring(type.lastIndexOf('/') + 1);
    }

    public int status() { return status; }
    public String name() { return nameOf(problem); }
    public String detail() { return problem.path("detail").asText(); }
    public JsonNode problem() { return problem; }
  }

  /** The node could not be reached (or kept dropping the connection). */
  public static final class TransportException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    TransportException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Query options of a submission. */
  public record SubmitOptions(boolean waitCommit, Duration waitTimeout, boolean dryRun) {
    /** Answer at once (202, pending). */
    public static final SubmitOptions NONE = new SubmitOptions(false, null, false);
    /** ?wait=commit: answer once committed, with the receipt (the node waits up to 30 s). */
    public static final SubmitOptions WAIT = new SubmitOptions(true, null, false);
    /** ?dry_run=1: every check, nothing stored. */
    public static final SubmitOptions DRY_RUN = new SubmitOptions(false, null, true);

    /** ?wait=commit&amp;timeout_ms=...: answer once committed or when {@code timeout} passes. */
    public static SubmitOptions waitUpTo(Duration timeout) {
      return new SubmitOptions(true, timeout, false);
    }
  }

  private final String url;
  private final HttpClient http;
  private final Duration retryFor;
  private final Duration requestTimeout;
  private final Sleeper sleeper;
  private final BiConsumer<String, Duration> onRetry;

  /** {@code url} e.g. "http://127.0.0.1:8080"; retries for two minutes. */
  public EvidenceClient(String url) {
    this(url, Duration.ofSeconds(120), Duration.ofSeconds(60),
        pause -> Thread.sleep(pause.toMillis()), null);
  }

  /** @param onRetry called before each retry with the reason and the pause (may be null) */
  public EvidenceClient(String url, Duration retryFor, Duration requestTimeout, Sleeper sleeper,
                        BiConsumer<String, Duration> onRetry) {
    this.url = url.replaceAll("/+$", "");
    this.http = HttpClient.newBuilder().connectTimeout(requestTimeout)
        .version(HttpClient.Version.HTTP_1_1).build();
    this.retryFor = retryFor;
    this.requestTimeout = requestTimeout;
    this.sleeper = sleeper;
    this.onRetry = onRetry;
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request) {
    long deadline = System.nanoTime() + retryFor.toNanos();
    Duration transportPause = Duration.ofSeconds(1);
    while (true) {
      Duration pause;
      String reason;
      try {
        HttpResponse<byte[]> answer = http.send(request.build(),
            HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 429 && answer.statusCode() != 503) return answer;
        String retryAfter = answer.headers().firstValue("Retry-After").orElse("1");
        pause = retryAfter.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(retryAfter))
                                           : Duration.ofSeconds(1);
        if (pause.compareTo(RETRY_PAUSE_MAX) > 0) pause = RETRY_PAUSE_MAX;
        reason = "HTTP " + answer.statusCode();
        if (System.nanoTime() + pause.toNanos() >= deadline) return answer;
      } catch (IOException e) {
        pause = transportPause;
        transportPause = transportPause.multipliedBy(2);
        if (transportPause.compareTo(RETRY_PAUSE_MAX) > 0) transportPause = RETRY_PAUSE_MAX;
        reason = "cannot reach " + url + ": " + e;
        if (System.nanoTime() + pause.toNanos() >= deadline) {
          throw new TransportException(reason, e);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransportException("interrupted", e);
      }
      if (onRetry != null) onRetry.accept(reason, pause);
      try {
        sleeper.sleep(pause);  // the node asked, or needs, to be called back later
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransportException("interrupted", e);
      }
    }
  }

  private JsonNode json(HttpRequest.Builder request) {
    HttpResponse<byte[]> answer = send(request);
    String text = new String(answer.body(), StandardCharsets.UTF_8);
    JsonNode body;
    try {
      body = text.isEmpty() ? Jcs.MAPPER.createObjectNode() : Jcs.MAPPER.readTree(text);
    } catch (IOException e) {
      ObjectNode plain = Jcs.MAPPER.createObjectNode();
      plain.put("detail", text.length() > 200 ? text.substring(0, 200) : text);
      body = plain;
    }
    if (answer.statusCode() >= 400) throw new ProblemException(answer.statusCode(), body);
    return body;
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(url + path)).timeout(requestTimeout).GET();
  }

  private HttpRequest.Builder post(String path, byte[] body, SubmitOptions options) {
    StringBuilder query = new StringBuilder();
    Duration timeout = requestTimeout;
    if (options.waitCommit()) {
      query.append("wait=commit");
      Duration wait = options.waitTimeout() == null ? Duration.ofSeconds(30) : options.waitTimeout();
      if (options.waitTimeout() != null) query.append("&timeout_ms=").append(wait.toMillis());
      timeout = timeout.plus(wait);
    }
    if (options.dryRun()) query.append(query.length() > 0 ? "&" : "").append("dry_run=1");
    String target = path + (query.length() > 0 ? "?" + query : "");
    return HttpRequest.newBuilder(URI.create(url + target)).timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  /** POSTs a signed record's body (the same bytes on retries). The answer: {"id", "status",
   * "already_known", "receipt"?, "wait"?}, or for a dry run {"dry_run", "valid", "id",
   * "signing_bytes_sha256", ...}. */
  public JsonNode submit(Records.SignedRecord signed, SubmitOptions options) {
    return json(post("/v1/records", signed.body(), options));
  }

  /** POSTs a signed batch's body. The answer: {"batch_id", "records": [...]}. */
  public JsonNode submitBatch(Records.SignedBatch batch, SubmitOptions options) {
    return json(post("/v1/batches", batch.body(), options));
  }

  public JsonNode status() {
    return json(get("/v1/status"));
  }

  /**
   * A record and its receipt. The node shows them to whoever names the record's
   * document digest ("sha256:<hex>": what the agency that signed it has); to
   * anyone else without a reader token, 401.
   */
  public JsonNode record(String recordId, String documentDigest) {
    return json(get("/v1/records/" + recordId + "?digest=" + documentDigest));
  }

  /** A record and its receipt, for a reader (its bearer token). */
  public JsonNode recordForReader(String recordId, String readerToken) {
    return json(get("/v1/records/" + recordId).header("Authorization", "Bearer " + readerToken));
  }

  /**
   * The receipt of a record, polling GET /v1/records/{id}?digest= until it is
   * committed.
   */
  public JsonNode receipt(String recordId, String documentDigest, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      JsonNode view = record(recordId, documentDigest);
      if (view.path("status").asText().equals("committed") && view.path("receipt").isObject()) {
        return view.get("receipt");
      }
      if (System.nanoTime() >= deadline) {
        throw new TransportException("record " + recordId + " is not committed after " + wait, null);
      }
      try {
        sleeper.sleep(Duration.ofMillis(500));  // polling the node at a bounded rate
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransportException("interrupted", e);
      }
    }
  }

  public JsonNode digest(String digest) {
    return json(get("/v1/digests/" + digest));
  }

  /** The trail of a case (any spelling of its id) for a reader's bearer token. */
  public JsonNode caseTrail(String caseId, String token) {
    String path = "/v1/cases/" + URLEncoder.encode(caseId, StandardCharsets.UTF_8).replace("+", "%20");
    return json(get(path).header("Authorization", "Bearer " + token));
  }

  public JsonNode treeHead() {
    return json(get("/v1/tree-head"));
  }
}
