package org.evidenceledger.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retries resend the same bytes (finding 6 of issue 20): against a node that drops the first
 * connection without an answer, then answers 429 with Retry-After, then 202. */
class RetryTest {
  /** Reads one HTTP/1.1 request (Content-Length framing); returns its body. */
  static byte[] readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) throw new IOException("the request ended early");
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    int length = 0;
    for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return in.readNBytes(length);
  }

  @Test
  void aRetryResendsTheSameBytes() throws Exception {
    List<byte[]> bodies = Collections.synchronizedList(new ArrayList<>());
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      Thread serving = new Thread(() -> {
        for (int connection = 0; connection < 3; connection++) {
          try (Socket socket = server.accept()) {
            bodies.add(readRequest(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            if (connection == 1) {
              out.write(("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Type: "
                  + "application/problem+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                  .getBytes(StandardCharsets.US_ASCII));
            } else if (connection == 2) {
              String answer = "{\"id\":\"x\",\"status\":\"pending\",\"already_known\":false}";
              out.write(("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                  + "Content-Length: " + answer.length() + "\r\nConnection: close\r\n\r\n" + answer)
                  .getBytes(StandardCharsets.US_ASCII));
            }  // connection 0: closed without an answer
          } catch (IOException e) {
            return;
          }
        }
      });
      serving.start();
      List<Duration> pauses = new ArrayList<>();
      EvidenceClient client = new EvidenceClient("http://127.0.0.1:" + server.getLocalPort(),
          Duration.ofSeconds(120), Duration.ofSeconds(10), pauses::add, null);
      Records.SignedRecord signed = Records.sign(VectorsTest.key("p256"),
          Records.newRecord(new Records.Fields().chainId("c").agency("a").kind("other")
              .caseId("C").stage("s").mediaType("text/plain"), "sha256:" + "0".repeat(64), 1),
          "sha256");
      JsonNode answer = client.submit(signed, EvidenceClient.SubmitOptions.NONE);
      serving.join();
      assertEquals("pending", answer.path("status").asText());
      assertEquals(3, bodies.size());
      for (byte[] body : bodies) assertEquals(new String(signed.body(), StandardCharsets.UTF_8),
          new String(body, StandardCharsets.UTF_8));
      assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(3)), pauses);
    }
  }

  @Test
  void aNodeThatStaysAwayIsATransportErrorOnceTheTimeIsUp() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    List<Duration> pauses = new ArrayList<>();
    EvidenceClient client = new EvidenceClient("http://127.0.0.1:" + port, Duration.ofSeconds(4),
        Duration.ofSeconds(5), pauses::add, null);
    // The fake sleeper does not wait, so the deadline is reached by the pauses only when they
    // would pass it: 1 s and 2 s fit in 4 s of real time left, 4 s does not.
    assertThrows(EvidenceClient.TransportException.class, client::status);
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), pauses);
  }
}
