package org.evidenceledger.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.junit.jupiter.api.Test;

/** The register across governance actions ({@link Governance}), the twin of
 * ledger/governance*.cc: the state hash of the corpus' governed chain as the C++ wrote it into
 * its headers, and the rules of ApplyAction with the C++ codes on a version-2 genesis made here
 * from Ed25519 keys of fixed seeds. */
class GovernanceTest {
  private static final String CHAIN = "governance-test";
  private static final List<String> INSTITUTIONS = List.of("泗水县司法局", "泗水县人民检察院", "泗水县人民法院", "泗水县公证处");

  /** An Ed25519 key of a fixed seed: its private parameters, canonical PEM and key id. */
  record Pair(Ed25519PrivateKeyParameters secret, String pem, String keyId) {}

  static Pair pair(String seed) {
    Ed25519PrivateKeyParameters secret = new Ed25519PrivateKeyParameters(
        Hashes.hash("sha256", ("governance test key " + seed).getBytes(StandardCharsets.UTF_8)), 0);
    try {
      Keys.PublicKey key = Keys.PublicKey.fromInfo(
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(secret.generatePublicKey()));
      return new Pair(secret, key.canonicalPem(), key.keyId());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static final List<Pair> VOTE = List.of(pair("vote 0"), pair("vote 1"), pair("vote 2"), pair("vote 3"));
  static final List<Pair> NODE = List.of(pair("node 0"), pair("node 1"), pair("node 2"), pair("node 3"));
  static final List<Pair> ADMIN = List.of(pair("admin 0"), pair("admin 1"), pair("admin 2"), pair("admin 3"));
  static final Pair AGENCY = pair("agency");
  static final List<Pair> SPARE = List.of(pair("spare 0"), pair("spare 1"), pair("spare 2"));

  static ObjectNode genesis() {
    ObjectNode g = Jcs.MAPPER.createObjectNode();
    g.put("v", 2).put("chain_id", CHAIN).put("genesis_time_ms", 1767225600000L).put("hash", "sha256");
    ArrayNode validators = g.putArray("validators");
    ArrayNode admins = g.putArray("admins");
    for (int i = 0; i < 4; i++) {
      validators.addObject().put("name", "validator-" + i).put("institution", INSTITUTIONS.get(i))
          .put("vote_key", VOTE.get(i).pem()).put("node_key", NODE.get(i).pem()).put("power", 1)
          .put("address", "127.0.0.1:" + (26656 + i));
      admins.addObject().put("institution", INSTITUTIONS.get(i)).putArray("keys").add(ADMIN.get(i).pem());
    }
    g.putArray("agencies").addObject().put("id", "sishui-market-supervision")
        .put("name", "泗水县市场监督管理局").put("institution", "泗水县人民政府")
        .putArray("keys").add(AGENCY.pem());
    g.putArray("readers");
    g.putArray("observers");
    g.putObject("params").put("batch_records_max", 10000).put("block_bytes_max", 16777216)
        .put("block_records_max", 10000).put("governance_threshold", 3)
        .put("record_future_skew_ms", 300000).put("record_past_window_ms", 604800000);
    return g;
  }

  /** The leaf of an action signed by the admins of institutions {@code signers}. */
  static String leaf(long seq, String action, Consumer<ObjectNode> operands, List<Integer> signers) {
    ObjectNode value = Jcs.MAPPER.createObjectNode();
    value.put("v", 1).put("chain_id", CHAIN).put("seq", seq).put("action", action);
    operands.accept(value);
    byte[] jcs = Jcs.canonicalize(value);
    byte[] signing = new byte[23 + jcs.length];
    System.arraycopy("EVIDENCE-GOVERNANCE/v1\n".getBytes(StandardCharsets.US_ASCII), 0, signing, 0, 23);
    System.arraycopy(jcs, 0, signing, 23, jcs.length);
    List<ObjectNode> sigs = new ArrayList<>();
    for (int i : signers) {
      Ed25519Signer signer = new Ed25519Signer();
      signer.init(true, ADMIN.get(i).secret());
      signer.update(signing, 0, signing.length);
      sigs.add(Jcs.MAPPER.createObjectNode().put("alg", "ed25519").put("key", ADMIN.get(i).keyId())
          .put("value", Base64.getEncoder().encodeToString(signer.generateSignature())));
    }
    sigs.sort(Comparator.comparing(s -> s.path("key").asText()));
    value.putArray("sigs").addAll(sigs);
    return Jcs.canonicalText(value);
  }

  static String addTax(long seq, List<Integer> signers) {
    return leaf(seq, "add-agency", v -> v.putObject("agency").put("id", "sishui-tax-bureau")
        .put("name", "泗水县税务局").put("institution", "泗水县人民政府")
        .putArray("keys").add(SPARE.get(0).pem()), signers);
  }

  static final List<Integer> THREE = List.of(0, 1, 2);

  /** The governance.* code applying these leaves at height 5 gives, or null. */
  static String refusal(Governance.Register on, String... leaves) {
    Governance.History history = new Governance.History(on);
    try {
      history.apply(5, 1767225700000L, List.of(leaves));
      return null;
    } catch (Governance.GovernanceException e) {
      return e.code();
    }
  }

  @Test
  void theStateHashIsTheOneTheCppPutIntoTheGovernedChainsHeaders() throws Exception {
    JsonNode governed = Jcs.MAPPER.readTree(Files.readAllBytes(CorpusTest.CORPUS.resolve("genesis/governed.json")));
    JsonNode blocks = Jcs.MAPPER.readTree(Files.readAllBytes(
        CorpusTest.CORPUS.resolve("receipts/governed-new-validator-set.json"))).path("governance");
    Governance.History history = new Governance.History(Governance.fromGenesis(governed));
    for (JsonNode block : blocks) {
      JsonNode header = block.path("block");
      assertEquals(header.path("state_hash").asText(), history.latest().hash());
      assertEquals(header.path("next_validators_hash").asText(), history.latest().validatorSetHash());
      List<String> actions = new ArrayList<>();
      block.path("actions").forEach(a -> actions.add(a.asText()));
      history.apply(header.path("height").asLong(), header.path("time_ms").asLong(), actions);
    }
    assertEquals(List.of(2L, 4L, 6L), history.changeHeights());
    assertEquals(5, history.inForce(7).nextSeq());
    assertEquals(6, history.inForce(8).nextSeq());
  }

  @Test
  void anActionOfTheThresholdChangesACopy() throws Exception {
    Governance.Register before = Governance.fromGenesis(genesis());
    Governance.History history = new Governance.History(before);
    history.apply(5, 1767225700000L, List.of(addTax(1, THREE)));
    Governance.Register after = history.latest();
    assertEquals(2, after.nextSeq());
    assertNotEquals(before.hash(), after.hash());
    assertNotNull(after.activeAgencyKey("sishui-tax-bureau", SPARE.get(0).keyId()));
    assertNull(before.activeAgencyKey("sishui-tax-bureau", SPARE.get(0).keyId()));
  }

  @Test
  void theRulesRefuseWithTheCppCodes() {
    Governance.Register g = Governance.fromGenesis(genesis());
    ObjectNode v1 = genesis();
    v1.remove(List.of("v", "params", "admins", "observers"));
    assertEquals("governance.not_governed", refusal(Governance.fromGenesis(v1), addTax(1, THREE)));
    assertEquals("governance.bad_sequence", refusal(g, addTax(2, THREE)));
    assertEquals("governance.bad_sequence", refusal(g, addTax(1, THREE), addTax(1, THREE)));
    assertEquals("governance.too_few_signatures", refusal(g, addTax(1, List.of(0, 1))));
    assertEquals("governance.bad_signature", refusal(g, addTax(1, THREE).replace("泗水县税务局", "泗水县税务所")));
    assertEquals("governance.unknown_action", refusal(g, leaf(1, "dissolve-chain", v -> { }, THREE)));
    assertEquals("governance.malformed", refusal(g, addTax(1, THREE).replaceFirst("\\{", "{ ")));
    assertEquals("governance.unknown_entry",
        refusal(g, leaf(1, "remove-agency", v -> v.put("agency_id", "no-such-agency"), THREE)));
    assertEquals("governance.unsafe_validator_set",
        refusal(g, leaf(1, "remove-validator", v -> v.put("name", "validator-3"), THREE)));
    assertEquals("governance.unsafe_validator_set",
        refusal(g, leaf(1, "set-power", v -> v.put("name", "validator-0").put("power", 2), THREE)));
    assertEquals("governance.conflict", refusal(g, leaf(1, "add-agency-key",
        v -> v.put("agency_id", "sishui-market-supervision").put("key", VOTE.get(0).pem()), THREE)));
    assertEquals("governance.conflict", refusal(g, leaf(1, "revoke-admin-key",
        v -> v.put("institution", INSTITUTIONS.get(0)).put("key_id", ADMIN.get(0).keyId()), THREE)));
  }

  @Test
  void aVoteKeyRotationChangesTheSetTwoBlocksLater() throws Exception {
    Governance.Register g = Governance.fromGenesis(genesis());
    Governance.History history = new Governance.History(g);
    history.apply(5, 1767225700000L, List.of(leaf(1, "rotate-validator-keys",
        v -> v.put("name", "validator-3").put("vote_key", SPARE.get(2).pem()), THREE)));
    Governance.Register rotated = history.latest();
    assertEquals(g.validatorSetHash(), history.inForce(6).validatorSetHash());
    assertEquals(rotated.validatorSetHash(), history.inForce(7).validatorSetHash());
    assertNotEquals(g.validatorSetHash(), rotated.validatorSetHash());
    assertEquals("governance.conflict", refusal(rotated, leaf(2, "rotate-validator-keys",
        v -> v.put("name", "validator-2").put("vote_key", VOTE.get(3).pem()), THREE)));
  }

  @Test
  void theTsasAndWitnessesGiveTheCppStateHashesOfTheTrustedTimeChain() throws Exception {
    JsonNode document = Jcs.MAPPER.readTree(Files.readAllBytes(
        CorpusTest.CORPUS.resolve("genesis/governed-trusted-time.json")));
    JsonNode receipt = Jcs.MAPPER.readTree(Files.readAllBytes(
        CorpusTest.CORPUS.resolve("receipts/trusted-time-after-removal.json")));
    Governance.History history = new Governance.History(Governance.fromGenesis(document));
    for (JsonNode block : receipt.path("governance")) {
      JsonNode header = block.path("block");
      assertEquals(header.path("state_hash").asText(), history.latest().hash());
      List<String> actions = new ArrayList<>();
      block.path("actions").forEach(a -> actions.add(a.asText()));
      history.apply(header.path("height").asLong(), header.path("time_ms").asLong(), actions);
    }
    Governance.Register last = history.latest();
    assertEquals(receipt.path("block").path("state_hash").asText(), last.hash());
    assertEquals(1, last.toJson().path("witnesses").size());
    assertEquals("witness.example.org/w2", last.toJson().path("witnesses").get(0).path("name").asText());
    assertEquals(2, last.toJson().path("tsas").size());
    String removedKey = Keys.PublicKey.fromPem(document.path("witnesses").get(0).path("key").asText()).keyId();
    assertEquals(true, last.retiredKeys.contains(removedKey));
  }

  @Test
  void theTrustedTimeActionsRefuseWithTheCppCodes() throws Exception {
    Governance.Register g = Governance.fromGenesis(genesis());
    Governance.History history = new Governance.History(g);
    history.apply(5, 1767225700000L, List.of(witness(1, "w.example/1", SPARE.get(0).pem())));
    Governance.Register withWitness = history.latest();
    assertEquals(1, withWitness.witnesses.size());
    assertEquals("governance.conflict", refusal(withWitness, witness(2, "w.example/1", SPARE.get(1).pem())));
    assertEquals("governance.conflict", refusal(withWitness, witness(2, "w.example/2", SPARE.get(0).pem())));
    assertEquals("governance.malformed", refusal(g, witness(1, "w example", SPARE.get(1).pem())));
    assertEquals("governance.conflict", refusal(g, witness(1, "w.example/3", ADMIN.get(0).pem())));
    history.apply(6, 1767225701000L, List.of(leaf(2, "remove-witness", v -> v.put("name", "w.example/1"), THREE)));
    Governance.Register removed = history.latest();
    assertEquals(0, removed.witnesses.size());
    assertEquals("governance.conflict", refusal(removed, witness(3, "w.example/1", SPARE.get(0).pem())));
    assertEquals("governance.unknown_entry",
        refusal(withWitness, leaf(2, "remove-witness", v -> v.put("name", "w.example/9"), THREE)));
    assertEquals("governance.malformed", refusal(g, leaf(1, "set-tsa-ca",
        v -> v.put("institution", INSTITUTIONS.get(0)).put("ca_cert", "not a certificate"), THREE)));
  }

  static String witness(long seq, String name, String pem) {
    return leaf(seq, "add-witness", v -> v.putObject("witness").put("name", name).put("key", pem), THREE);
  }
}
