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
 * none), unusable input or not, and for a valid receipt the time it proves; for the receipts
 * v2 of manifest-v2.json also the number of notes and warnings. */
class CorpusTest {
  static final Path CORPUS = Path.of(System.getenv().getOrDefault("EVIDENCE_RECEIPT_CORPUS",
      VectorsTest.VECTORS.resolve("receipts").toString()));

  /** code, exit, existed_by_ms (and for v2 cases notes, warnings) of the SDK for one case. */
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
      if (c.has("notes")) {
        return Arrays.asList(null, 0, facts.existedByMs(), facts.notes().size(),
            facts.warnings().size());
      }
      return Arrays.asList(null, 0, facts.existedByMs());
    } catch (Receipts.ReceiptException e) {
      return Arrays.asList(e.check(), e.unusable() ? 2 : 1, null);
    }
  }

  @Test
  void everyCaseGetsTheCorpusAnswer() throws IOException {
    assertEquals(List.of(), disagreements("manifest.json", 100));
  }

  @Test
  void everyReceiptV2CaseGetsTheCorpusAnswer() throws IOException {
    assertEquals(List.of(), disagreements("manifest-v2.json", 30));
  }

  @Test
  void aV2ReceiptNamesTheRegisterAndTheWarning() throws Exception {
    Receipts.Genesis genesis =
        Receipts.Genesis.parse(Files.readAllBytes(CORPUS.resolve("genesis/governed.json")));
    Receipts.ProvenFacts facts = Receipts.verify(
        Receipts.parse(Files.readAllBytes(CORPUS.resolve("receipts/governed-new-validator-set.json"))),
        genesis, Files.readAllBytes(CORPUS.resolve("documents/gov-new-set.txt")));
    assertEquals(List.of(2, 3, 3, 6L), List.of(facts.receiptVersion(), facts.governanceBlocks(),
        facts.governanceChangesInForce(), facts.lastChangeHeight()));
    Receipts.ProvenFacts warned = Receipts.verify(
        Receipts.parse(Files.readAllBytes(
            CORPUS.resolve("receipts/governed-compromised-key-warning.json"))),
        genesis, Files.readAllBytes(CORPUS.resolve("documents/gov-compromised-after.txt")));
    assertEquals(List.of(), warned.notes());
    assertTrue(warned.warnings().get(0).contains("stolen key"));
  }

  private static List<String> disagreements(String manifestName, int casesMin) throws IOException {
    JsonNode manifest = Jcs.MAPPER.readTree(Files.readAllBytes(CORPUS.resolve(manifestName)));
    assertEquals(1, manifest.path("version").asInt());
    assertTrue(manifest.path("cases").size() > casesMin);
    List<String> wrong = new ArrayList<>();
    for (JsonNode c : manifest.path("cases")) {
      List<Object> expected = new ArrayList<>(Arrays.asList(
          c.path("code").isNull() ? null : c.path("code").asText(), c.path("exit").asInt(),
          c.path("existed_by_ms").isNull() ? null : c.path("existed_by_ms").asLong()));
      if (c.has("notes")) {
        expected.add(c.path("notes").asInt());
        expected.add(c.path("warnings").asInt());
      }
      for (boolean byDigest : List.of(false, true)) {
        List<Object> got = answer(c, byDigest);
        if (!got.equals(expected)) {
          wrong.add(c.path("name").asText() + (byDigest ? " (digest)" : "") + ": " + got
              + " instead of " + expected + " — " + c.path("description").asText());
        }
      }
    }
    return wrong;
  }
}
