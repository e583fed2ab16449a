package org.evidenceledger.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SDK against the shared golden vectors (tests/vectors/): every byte the ledger hashes or
 * signs, for the three key algorithms and both hashes. */
class VectorsTest {
  static final Path VECTORS = Path.of(System.getenv().getOrDefault("EVIDENCE_VECTORS_DIR",
      "../../tests/vectors"));

  static JsonNode load(String name) throws IOException {
    return Jcs.MAPPER.readTree(Files.readString(VECTORS.resolve(name), StandardCharsets.UTF_8));
  }

  static Keys.SigningKey key(String alg) throws IOException {
    return Keys.SigningKey.fromPem(
        load("records/records.json").path("keys").path(alg).path("private_pem").asText());
  }

  static ObjectNode unsigned(JsonNode record) {
    ObjectNode copy = ((ObjectNode) record).deepCopy();
    copy.remove("sig");
    return copy;
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void jcsVectors() throws IOException {
    for (JsonNode vector : load("records/jcs.json").path("vectors")) {
      assertEquals(vector.path("canonical").asText(),
          Jcs.canonicalText(Jcs.parse(vector.path("input").asText())), vector.path("note").asText());
    }
  }

  @Test
  void jcsRefusesWhatHasNoCanonicalForm() {
    assertThrows(Jcs.CanonicalJsonException.class, () -> Jcs.canonicalize(Jcs.parse("1.5")));
    assertThrows(Jcs.CanonicalJsonException.class,
        () -> Jcs.canonicalize(Jcs.parse("9007199254740992")));
    assertThrows(Jcs.CanonicalJsonException.class, () -> Jcs.parse("{\"a\":1,\"a\":2}"));
    assertThrows(Jcs.CanonicalJsonException.class, () -> Jcs.parse("{} {}"));
  }

  @Test
  void caseIdVectors() throws IOException {
    for (JsonNode vector : load("records/case-ids.json").path("vectors")) {
      String canonical = vector.path("canonical").asText();
      assertEquals(canonical, CaseIds.canonical(vector.path("input").asText()),
          vector.path("note").asText());
      assertTrue(CaseIds.isCanonical(canonical));
    }
  }

  @Test
  void keyIdsAlgorithmsAndSignatures() throws IOException {
    JsonNode keys = load("records/records.json").path("keys");
    for (String alg : List.of("ed25519", "p256", "sm2")) {
      Keys.SigningKey signing = Keys.SigningKey.fromPem(keys.path(alg).path("private_pem").asText());
      Keys.PublicKey key = Keys.PublicKey.fromPem(keys.path(alg).path("public_pem").asText());
      assertEquals(alg, signing.alg());
      assertEquals(keys.path(alg).path("key_id").asText(), signing.keyId(), alg);
      assertEquals(signing.keyId(), key.keyId(), alg);
      byte[] message = "message".getBytes(StandardCharsets.UTF_8);
      byte[] signature = signing.sign(message);
      assertTrue(key.verify(message, signature), alg);
      assertFalse(key.verify("other".getBytes(StandardCharsets.UTF_8), signature), alg);
      if (!alg.equals("ed25519")) assertEquals(0x30, signature[0] & 0xff, "DER, not raw r||s");
    }
  }

  @Test
  void everyByteOfEveryRecordVector() throws IOException {
    JsonNode file = load("records/records.json");
    for (JsonNode vector : file.path("vectors")) {
      String name = vector.path("name").asText();
      String hash = vector.path("hash").asText();
      JsonNode record = vector.path("record");
      assertEquals(vector.path("signing_bytes").asText(), utf8(Records.signingBytes(record)), name);
      assertEquals(vector.path("record_id").asText(), Records.recordId(record, hash), name);
      assertEquals(vector.path("leaf").asText(), utf8(Jcs.canonicalize(record)), name);
      assertEquals(vector.path("leaf_hash").asText(),
          Hashes.hex(Merkle.leafHash(hash, Jcs.canonicalize(record))), name);
      String alg = vector.path("key").asText();
      Keys.PublicKey publicKey = Keys.PublicKey.fromPem(
          file.path("keys").path(alg).path("public_pem").asText());
      assertTrue(publicKey.verify(Records.signingBytes(record),
          Base64.getDecoder().decode(record.path("sig").path("value").asText())), name);
      Records.SignedRecord signed = Records.sign(key(alg), unsigned(record), hash);
      assertEquals(vector.path("record_id").asText(), signed.id(), name);
      assertTrue(publicKey.verify(Records.signingBytes(signed.record()),
          Base64.getDecoder().decode(signed.record().path("sig").path("value").asText())), name);
      if (alg.equals("ed25519")) assertEquals(vector.path("leaf").asText(), utf8(signed.body()));
    }
  }

  @Test
  void everyByteOfEveryBatchVector() throws IOException {
    for (JsonNode vector : load("records/batches.json").path("vectors")) {
      String hash = vector.path("hash").asText();
      String alg = vector.path("key").asText();
      JsonNode sent = Jcs.parse(vector.path("body").asText()).path("records");
      List<ObjectNode> records = new ArrayList<>();
      for (JsonNode record : sent) records.add(unsigned(record));
      Records.SignedBatch batch = Records.signBatch(key(alg), records, hash);
      assertEquals(vector.path("root").asText(), batch.batchId());
      for (int i = 0; i < records.size(); i++) {
        assertEquals(vector.path("records").get(i).path("record_id").asText(), batch.ids().get(i));
        assertEquals(Jcs.canonicalText(sent.get(i).path("sig").path("batch")),
            Jcs.canonicalText(batch.records().get(i).path("sig").path("batch")));
      }
      JsonNode header = vector.path("header");
      byte[] headerBytes = Records.batchSigningBytes(header.path("agency").asText(),
          header.path("chain_id").asText(), header.path("root").asText(),
          header.path("size").asLong());
      assertEquals(vector.path("header_signing_bytes").asText(), utf8(headerBytes));
      Keys.PublicKey publicKey = key(alg).publicKey();
      assertTrue(publicKey.verify(headerBytes,
          Base64.getDecoder().decode(sent.get(0).path("sig").path("value").asText())));
      if (alg.equals("ed25519")) assertEquals(vector.path("body").asText(), utf8(batch.body()));
    }
  }

  @Test
  void aBatchNamesEachRecordOnceAndIsOneAgencys() throws IOException {
    ObjectNode record = unsigned(load("records/records.json").path("vectors").get(0).path("record"));
    assertThrows(Records.RecordException.class,
        () -> Records.signBatch(key("ed25519"), List.of(record, record), "sha256"));
    ObjectNode other = record.deepCopy().put("agency", "other").put("time", 1);
    assertThrows(Records.RecordException.class,
        () -> Records.signBatch(key("ed25519"), List.of(record, other), "sha256"));
  }

  @Test
  void recordsTheLedgerWouldRefuseAreRefusedBeforeSigning() throws IOException {
    JsonNode file = load("records/records.json");
    ObjectNode base = unsigned(file.path("vectors").get(0).path("record"));
    List<java.util.function.Consumer<ObjectNode>> changes = List.of(
        r -> r.put("title", "x".repeat(1025)), r -> r.put("stage", ""),
        r -> r.put("agency", "a b"), r -> r.put("digest", "md5:" + "0".repeat(32)),
        r -> r.put("size", -1), r -> r.put("time", 1L << 53),
        r -> r.putArray("links").add("a".repeat(64)).add("a".repeat(64)),
        r -> r.put("title", "line\nbreak"), r -> r.put("extra", 1), r -> r.put("v", 2),
        r -> r.put("kind", "memo"));
    for (var change : changes) {
      ObjectNode record = base.deepCopy();
      change.accept(record);
      assertThrows(Records.RecordException.class,
          () -> Records.sign(key("ed25519"), record, "sha256"), record.toString());
    }
    for (JsonNode vector : file.path("vectors")) Records.check(vector.path("record"), true);
  }

  @Test
  void recordsAreBuiltWithTheCanonicalCaseId() {
    ObjectNode record = Records.newRecord(new Records.Fields().chainId("c").agency("a")
        .kind("other").caseId("（2026）鲁0831 行复12号").stage("filing").mediaType("text/plain"),
        "sha256:" + "0".repeat(64), 1);
    assertEquals("(2026)鲁0831行复12号", record.path("case_id").asText());
  }

  @Test
  void rfc6962Vectors() throws IOException {
    JsonNode vectors = load("rfc6962-transparency-dev.json");
    for (JsonNode c : vectors.path("roots")) {
      List<byte[]> leaves = new ArrayList<>();
      for (JsonNode leaf : c.path("leaves")) {
        leaves.add(Merkle.leafHash("sha256", Hashes.HEX.parseHex(leaf.asText())));
      }
      assertEquals(c.path("root").asText(), Hashes.hex(Merkle.root("sha256", leaves)));
    }
    for (JsonNode c : vectors.path("inclusion")) {
      List<byte[]> proof = new ArrayList<>();
      for (JsonNode p : c.path("proof")) proof.add(Hashes.HEX.parseHex(p.asText()));
      byte[] root = Merkle.rootFromInclusion("sha256", Hashes.HEX.parseHex(c.path("leaf_hash")
          .asText()), c.path("index").asLong(), c.path("size").asLong(), proof);
      boolean holds = root != null && Hashes.hex(root).equals(c.path("root").asText());
      assertEquals(c.path("valid").asBoolean(), holds);
    }
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < 13; i++) leaves.add(Merkle.leafHash("sm3", new byte[] {(byte) i}));
    List<List<byte[]>> proofs = Merkle.inclusionProofs("sm3", leaves);
    byte[] root = Merkle.root("sm3", leaves);
    for (int i = 0; i < 13; i++) {
      assertArrayEquals(root, Merkle.rootFromInclusion("sm3", leaves.get(i), i, 13, proofs.get(i)));
    }
    assertNull(Merkle.rootFromInclusion("sm3", leaves.get(0), 13, 13, proofs.get(0)));
  }
}
