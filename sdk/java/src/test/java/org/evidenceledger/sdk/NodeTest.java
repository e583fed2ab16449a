package org.evidenceledger.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The SDK against a real node ({@code evidence-node --dev}), as an integrator uses it. Needs
 * EVIDENCE_NODE_BIN (the evidence-node program) and EVIDENCE_SDK_CLASSPATH (for running the
 * README example and the example program); sdk/java/run-tests.sh sets both. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeTest {
  DevNode node;
  EvidenceClient client;
  JsonNode chain;
  Receipts.Genesis genesis;
  Path files;

  @BeforeAll
  void start() throws Exception {
    String binary = System.getenv("EVIDENCE_NODE_BIN");
    assumeTrue(binary != null, "set EVIDENCE_NODE_BIN to the evidence-node program");
    node = new DevNode(binary);
    client = new EvidenceClient(node.url);
    chain = client.status();
    genesis = Receipts.Genesis.load(node.genesis());
    files = Files.createTempDirectory("evidence-java-files-");
  }

  @AfterAll
  void stop() throws IOException {
    if (node != null) node.close();
    if (files != null) DevNode.deleteTree(files);
  }

  String hash() {
    return chain.path("hash").asText();
  }

  Records.Fields fields(String caseId, String stage) {
    return new Records.Fields().chainId(chain.path("chain_id").asText()).agency("dev-agency")
        .kind("enforcement_record").caseId(caseId).stage(stage);
  }

  Path write(String name, String text) throws IOException {
    return Files.writeString(files.resolve(name), text, StandardCharsets.UTF_8);
  }

  @Test
  void everyKeyAlgorithmGetsAReceiptThatVerifiesOffline() throws Exception {
    for (String alg : List.of("ed25519", "p256", "sm2")) {
      Keys.SigningKey key = Keys.SigningKey.load(node.key(alg));
      Path file = write(alg + ".pdf", "document signed with " + alg);
      Records.SignedRecord signed = Records.sign(key,
          Records.forFile(file, fields("(2026)鲁0831行罚7号", "filing"), hash()), hash());
      JsonNode answer = client.submit(signed, EvidenceClient.SubmitOptions.WAIT);
      assertEquals(signed.id(), answer.path("id").asText(), alg);
      assertEquals("committed", answer.path("status").asText(), alg);
      Receipts.ProvenFacts facts =
          Receipts.verify(answer.path("receipt"), genesis, Files.readAllBytes(file));
      assertEquals(signed.id(), facts.recordId());
      Receipts.ReceiptException other = assertThrows(Receipts.ReceiptException.class,
          () -> Receipts.verify(answer.path("receipt"), genesis, "another".getBytes()));
      assertEquals("receipt.digest_mismatch", other.check());
      JsonNode again = client.submit(signed, EvidenceClient.SubmitOptions.NONE);
      assertTrue(again.path("already_known").asBoolean(), "the same bytes: one entry");
    }
  }

  @Test
  void eachCheckOfAReceiptCatchesItsTampering() throws Exception {
    Keys.SigningKey key = Keys.SigningKey.load(node.key("ed25519"));
    Path file = write("tamper.pdf", "a receipt to tamper with");
    JsonNode receipt = client.submit(Records.sign(key,
        Records.forFile(file, fields("(2026)鲁0831行罚7号", "filing"), hash()), hash()),
        EvidenceClient.SubmitOptions.WAIT).path("receipt");
    byte[] document = Files.readAllBytes(file);
    Receipts.verify(receipt, genesis, document);
    java.util.Map<String, java.util.function.Consumer<ObjectNode>> cases =
        new java.util.LinkedHashMap<>();
    cases.put("receipt.unsupported_version", r -> r.put("v", 3));  // v 2 without governance: malformed
    cases.put("receipt.malformed", r -> r.put("leaf_index", -1));
    cases.put("receipt.wrong_chain", r -> ((ObjectNode) r.path("block"))
        .put("chain_id", "another-chain"));
    cases.put("receipt.bad_record_signature", r -> ((ObjectNode) r.path("record")).put("title", "x"));
    cases.put("receipt.bad_inclusion", r -> r.put("leaf_index", r.path("leaf_index").asLong() + 1));
    cases.put("receipt.header_mismatch", r -> ((ObjectNode) r.path("block"))
        .put("time_ms", r.path("block").path("time_ms").asLong() + 1));
    cases.put("receipt.bad_commit", r -> ((ObjectNode) r.path("commit")).putArray("signatures"));
    cases.put("receipt.validator_set_mismatch", r -> r.put("validator_set_hash", "00".repeat(32)));
    for (var entry : cases.entrySet()) {
      ObjectNode copy = receipt.deepCopy();
      entry.getValue().accept(copy);
      Receipts.ReceiptException refused = assertThrows(Receipts.ReceiptException.class,
          () -> Receipts.verify(copy, genesis, document), entry.getKey());
      assertEquals(entry.getKey(), refused.check());
    }
  }

  @Test
  void aReceiptFileIsReadAsStrictlyAsEvidenceVerifyReadsIt() throws Exception {
    Keys.SigningKey key = Keys.SigningKey.load(node.key("ed25519"));
    JsonNode receipt = client.submit(Records.sign(key, Records.forFile(
        write("strict.pdf", "a receipt read strictly"), fields("(2026)鲁0831行罚7号", "filing"),
        hash()), hash()), EvidenceClient.SubmitOptions.WAIT).path("receipt");
    String text = Jcs.canonicalText(receipt);
    assertEquals(text, Jcs.canonicalText(Receipts.parse(text.getBytes(StandardCharsets.UTF_8))));
    assertEquals(text, Jcs.canonicalText(Receipts.parse(
        Jcs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(receipt))));
    String leaf = "\"leaf_index\":" + receipt.path("leaf_index").asLong();
    java.util.Map<String, String> broken = new java.util.LinkedHashMap<>();
    broken.put("duplicate member", text.replaceFirst("\"tree_size\":", "\"tree_size\":1,\"tree_size\":"));
    broken.put("fraction", text.replace(leaf, leaf + ".0"));
    broken.put("2^53", text.replace("\"round\":0", "\"round\":9007199254740992"));
    broken.put("unknown member", text.substring(0, text.length() - 1) + ",\"extra\":1}");
    broken.put("byte order mark", "\ufeff" + text);
    broken.put("lone surrogate", text.replaceFirst("\"title\":\"", "\"title\":\"\\\\ud800"));
    broken.put("trailing data", text + "{}");
    broken.put("too deep", text.substring(0, text.length() - 1) + ",\"x\":[[[[[[[[]]]]]]]]}");
    broken.put("not JSON", text.substring(0, 100));
    broken.put("record rule", text.replaceFirst("\"v\":1}", "\"v\":7}"));
    broken.put("too large", text + " ".repeat(256 * 1024));
    for (var entry : broken.entrySet()) {
      Receipts.ReceiptException refused = assertThrows(Receipts.ReceiptException.class,
          () -> Receipts.parse(entry.getValue().getBytes(StandardCharsets.UTF_8)), entry.getKey());
      assertEquals("receipt.malformed", refused.check(), entry.getKey());
    }
  }

  @Test
  void aBatchWithALinkInsideIsCommittedAndEveryReceiptVerifies() throws Exception {
    Keys.SigningKey key = Keys.SigningKey.load(node.key("sm2"));
    List<Path> paths = new ArrayList<>();
    List<ObjectNode> records = new ArrayList<>();
    for (String stage : List.of("filing", "investigation", "decision")) {
      Path file = write("batch-" + stage + ".pdf", "batch " + stage);
      paths.add(file);
      records.add(Records.forFile(file, fields("（2026）鲁0831行罚9号", stage), hash()));
    }
    records.get(2).putArray("links").add(Records.recordId(records.get(0), hash()));
    Records.SignedBatch batch = Records.signBatch(key, records, hash());
    JsonNode dry = client.submitBatch(batch, EvidenceClient.SubmitOptions.DRY_RUN);
    assertTrue(dry.path("valid").asBoolean());
    JsonNode answer = client.submitBatch(batch, EvidenceClient.SubmitOptions.WAIT);
    assertEquals(batch.batchId(), answer.path("batch_id").asText());
    for (int i = 0; i < paths.size(); i++) {
      JsonNode receipt = answer.path("records").get(i).path("receipt");
      if (!receipt.isObject()) {
        receipt = client.receipt(batch.ids().get(i),
            batch.records().get(i).path("digest").asText(), Duration.ofSeconds(60));
      }
      Receipts.verify(receipt, genesis, Files.readAllBytes(paths.get(i)));
    }
    JsonNode trail = client.caseTrail("(2026) 鲁0831行罚9号", node.readerToken());
    assertEquals("(2026)鲁0831行罚9号", trail.path("case_id").asText());
    List<String> ids = new ArrayList<>();
    trail.path("records").forEach(r -> ids.add(r.path("id").asText()));
    assertEquals(batch.ids(), ids);
  }

  @Test
  void refusalsSayWhatTheNodeComputed() throws Exception {
    Keys.SigningKey key = Keys.SigningKey.load(node.key("p256"));
    ObjectNode record = Records.forFile(write("refused.pdf", "refused"),
        fields("(2026)鲁0831行罚7号", "filing"), hash());
    Records.SignedRecord signed = Records.sign(key, record, hash());
    ObjectNode tampered = signed.record().deepCopy().put("title", "changed after signing");
    EvidenceClient.ProblemException refused = assertThrows(EvidenceClient.ProblemException.class,
        () -> client.submit(new Records.SignedRecord(tampered, signed.id(),
            Jcs.canonicalize(tampered)), EvidenceClient.SubmitOptions.DRY_RUN));
    assertEquals("bad-signature", refused.name());
    assertEquals("record.bad_signature", refused.problem().path("code").asText());
    assertTrue(refused.problem().path("dry_run").asBoolean());
    assertTrue(refused.problem().path("signing_bytes").asText().startsWith("EVIDENCE-RECORD/v1\n"));
    // A raw r||s P-256 signature, as WebCrypto gives it: the node names it.
    ASN1Sequence der = ASN1Sequence.getInstance(
        Base64.getDecoder().decode(signed.record().path("sig").path("value").asText()));
    byte[] raw = new byte[64];
    for (int part = 0; part < 2; part++) {
      BigInteger value = ASN1Integer.getInstance(der.getObjectAt(part)).getValue();
      System.arraycopy(BigIntegers.asUnsignedByteArray(32, value), 0, raw, 32 * part, 32);
    }
    ObjectNode rawSigned = signed.record().deepCopy();
    ((ObjectNode) rawSigned.path("sig")).put("value", Base64.getEncoder().encodeToString(raw));
    EvidenceClient.ProblemException rawRefused = assertThrows(
        EvidenceClient.ProblemException.class,
        () -> client.submit(new Records.SignedRecord(rawSigned, signed.id(),
            Jcs.canonicalize(rawSigned)), EvidenceClient.SubmitOptions.NONE));
    assertTrue(rawRefused.detail().contains("P-256 signatures are DER"), rawRefused.detail());
    // A case id the SDK did not canonicalise.
    ObjectNode odd = record.deepCopy().put("case_id", "（2026）鲁0831行罚7号");
    EvidenceClient.ProblemException oddRefused = assertThrows(
        EvidenceClient.ProblemException.class,
        () -> client.submit(Records.sign(key, odd, hash()), EvidenceClient.SubmitOptions.NONE));
    assertEquals("case-id-not-canonical", oddRefused.name());
    assertTrue(oddRefused.detail().contains("\"(2026)鲁0831行罚7号\""));
  }

  /** A 国密 chain: SM3 record ids, leaves, blocks and validator set, SM2 agency keys. */
  @Test
  void onAnSm3ChainSm2RecordsAndBatchesGetReceiptsThatVerifyOffline() throws Exception {
    try (DevNode sm3 = new DevNode(System.getenv("EVIDENCE_NODE_BIN"), "sm3")) {
      EvidenceClient client = new EvidenceClient(sm3.url);
      JsonNode status = client.status();
      assertEquals("sm3", status.path("hash").asText());
      Receipts.Genesis genesis = Receipts.Genesis.load(sm3.genesis());
      Keys.SigningKey key = Keys.SigningKey.load(sm3.key("sm2"));
      List<byte[]> documents = new ArrayList<>();
      List<ObjectNode> records = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        byte[] document = ("国密 document " + i).getBytes(StandardCharsets.UTF_8);
        documents.add(document);
        records.add(Records.newRecord(new Records.Fields()
            .chainId(status.path("chain_id").asText()).agency("dev-agency").kind("review_opinion")
            .caseId("(2026)鲁0831行复3号").stage("legal_review").mediaType("application/ofd"),
            Records.digest("sm3", document), document.length));
      }
      Records.SignedRecord single = Records.sign(key, records.get(0), "sm3");
      JsonNode answer = client.submit(single, EvidenceClient.SubmitOptions.WAIT);
      Receipts.verify(answer.path("receipt"), genesis, documents.get(0));
      Records.SignedBatch batch = Records.signBatch(key, records.subList(1, 4), "sm3");
      JsonNode batchAnswer = client.submitBatch(batch, EvidenceClient.SubmitOptions.WAIT);
      for (int i = 0; i < 3; i++) {
        JsonNode receipt = batchAnswer.path("records").get(i).path("receipt");
        if (!receipt.isObject()) {
          receipt = client.receipt(batch.ids().get(i),
              batch.records().get(i).path("digest").asText(), Duration.ofSeconds(60));
        }
        assertEquals(batch.ids().get(i),
            Receipts.verify(receipt, genesis, documents.get(i + 1)).recordId());
      }
    }
  }

  static String run(Path directory, List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).directory(directory.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), "exit code of " + command);
    return out;
  }

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  @Test
  void theReadmeExampleRunsAsWritten() throws Exception {
    String classpath = System.getenv("EVIDENCE_SDK_CLASSPATH");
    assumeTrue(classpath != null, "set EVIDENCE_SDK_CLASSPATH");
    String readme = Files.readString(Path.of(System.getenv().getOrDefault("EVIDENCE_SDK_DIR", "."))
        .resolve("README.md"));
    Matcher code = Pattern.compile("<!-- example: runs in NodeTest -->\n```java\n(.*?)```",
        Pattern.DOTALL).matcher(readme);
    assertTrue(code.find(), "the README has the example");
    Path directory = Files.createTempDirectory("evidence-java-readme-");
    Files.writeString(directory.resolve("decision.pdf"), "行政处罚决定书\n");
    Files.writeString(directory.resolve("Example.java"), code.group(1));
    ProcessBuilder builder = new ProcessBuilder(java(), "-cp", classpath, "Example.java")
        .directory(directory.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("EVIDENCE_NODE", node.url);
    builder.environment().put("EVIDENCE_KEY", node.key("sm2").toString());
    builder.environment().put("EVIDENCE_GENESIS", node.genesis().toString());
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    DevNode.deleteTree(directory);
    assertEquals(0, exit);
    assertTrue(out.matches("[0-9a-f]{64} committed in block \\d+\n"), out);
  }

  @Test
  void theExampleNotarizesADirectoryAndPrintsTheReceipts() throws Exception {
    String classpath = System.getenv("EVIDENCE_SDK_CLASSPATH");
    assumeTrue(classpath != null, "set EVIDENCE_SDK_CLASSPATH");
    Path directory = Files.createTempDirectory("evidence-java-dir-");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      names.add("笔录-" + String.format("%02d", i) + ".pdf");
      Files.writeString(directory.resolve(names.get(i)), "document " + i);
    }
    String out = run(directory, List.of(java(), "-cp", classpath,
        "org.evidenceledger.examples.NotarizeDirectory", "--node", node.url, "--key",
        node.key("ed25519").toString(), "--agency", "dev-agency", "--case", "（2026）鲁0831行罚11号",
        "--genesis", node.genesis().toString(), directory.toString()));
    List<String> lines = Arrays.asList(out.split("\n"));
    assertEquals(names.size(), lines.size(), out);
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = Jcs.parse(lines.get(i));
      assertEquals(names.get(i), line.path("file").asText());
      Receipts.ProvenFacts facts = Receipts.verify(line.path("receipt"), genesis,
          Files.readAllBytes(directory.resolve(names.get(i))));
      assertEquals(line.path("record_id").asText(), facts.recordId());
      assertEquals("(2026)鲁0831行罚11号", facts.caseId());
    }
    DevNode.deleteTree(directory);
  }
}
