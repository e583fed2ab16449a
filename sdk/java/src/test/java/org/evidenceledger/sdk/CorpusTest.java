package org.evidenceledger.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SDK's receipt verifier against the shared corpus (tests/vectors/receipts/): for every
 * case the same answer as {@code evidence verify}: the code of the first failed check (or
 * none), unusable input or not, and for a valid receipt the time it proves. */
class CorpusTest {
  static final Path CORPUS = Path.of(System.getenv().getOrDefault("EVIDENCE_RECEIPT_CORPUS",
      VectorsTest.VECTORS.resolve("receipts").toString()));

  /** code, exit, existed_by_ms of the SDK for one case. */
  static List<Object> answer(JsonNode c, boolean byDigest) throws IOException {
    try {
      Receipts.Genesis genesis =
          Receipts.Genesis.parse(Files.readAllBytes(CORPUS.resolve(c.path("genesis").asText())));
      JsonNode receipt =
          Receipts.parse(Files.readAllBytes(CORPUS.resolve(c.path("receipt").asText())));
      Receipts.ProvenFacts facts = byDigest
          ? Receipts.verifyDigest(receipt, genesis, c.path("document_digest").asText())
          : Receipts.verify(receipt, genesis,
              Files.readAllBytes(CORPUS.resolve(c.path("document").asText())));
      return Arrays.asList(null, 0, facts.existedByMs());
    } catch (Receipts.ReceiptException e) {
      return Arrays.asList(e.check(), e.unusable() ? 2 : 1, null);
    }
  }

  @Test
  void everyCaseGetsTheCorpusAnswer() throws IOException {
    JsonNode manifest = Jcs.MAPPER.readTree(Files.readAllBytes(CORPUS.resolve("manifest.json")));
    assertEquals(1, manifest.path("version").asInt());
    assertTrue(manifest.path("cases").size() > 100);
    List<String> wrong = new ArrayList<>();
    for (JsonNode c : manifest.path("cases")) {
      List<Object> expected = Arrays.asList(c.path("code").isNull() ? null : c.path("code").asText(),
          c.path("exit").asInt(),
          c.path("existed_by_ms").isNull() ? null : c.path("existed_by_ms").asLong());
      for (boolean byDigest : List.of(false, true)) {
        List<Object> got = answer(c, byDigest);
        if (!got.equals(expected)) {
          wrong.add(c.path("name").asText() + (byDigest ? " (digest)" : "") + ": " + got
              + " instead of " + expected + " — " + c.path("description").asText());
        }
      }
    }
    assertEquals(List.of(), wrong);
  }
}
