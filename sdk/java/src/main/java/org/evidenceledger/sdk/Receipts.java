package org.evidenceledger.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Offline verification of receipts v1 (docs/receipt-format.md) with only the document (or its
 * digest), the receipt and the chain's genesis file. The checks run in the order of
 * docs/receipt-format.md §7; the first that fails throws {@link ReceiptException} whose
 * {@code check()} names it as {@code evidence verify} does (malformed, digest_mismatch,
 * bad_record_signature, bad_inclusion, header_mismatch, bad_commit, validator_set_mismatch).
 * Pure functions; Genesis is immutable.
 */
public final class Receipts {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private Receipts() {}

  public static final class ReceiptException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String check;

    ReceiptException(String check, String reason) {
      super("INVALID (" + check + "): " + reason);
      this.check = check;
    }

    public String check() { return check; }
  }

  /** What a receipt proves. */
  public record ProvenFacts(String recordId, String agency, String caseId, String digest,
                            long agencyTimeMs, long blockTimeMs, long height, long leafIndex,
                            long treeSize, String logRoot) {}

  /** What a verifier trusts, read once from genesis.json. */
  public static final class Genesis {
    final String chainId;
    final String hash;
    final List<Keys.PublicKey> validatorKeys = new ArrayList<>();
    final List<Long> validatorPowers = new ArrayList<>();
    final Map<String, List<Keys.PublicKey>> agencyKeys = new HashMap<>();
    final byte[] validatorSetHash;

    public Genesis(JsonNode document) {
      chainId = document.path("chain_id").asText();
      hash = document.path("hash").asText();
      Hashes.check(hash);
      StringBuilder set = new StringBuilder();
      for (JsonNode validator : document.path("validators")) {
        Keys.PublicKey key = Keys.PublicKey.fromPem(validator.path("vote_key").asText());
        validatorKeys.add(key);
        validatorPowers.add(validator.path("power").asLong());
        set.append(key.keyId()).append(':').append(validator.path("power").asLong()).append('\n');
      }
      for (JsonNode agency : document.path("agencies")) {
        List<Keys.PublicKey> keys = new ArrayList<>();
        for (JsonNode pem : agency.path("keys")) keys.add(Keys.PublicKey.fromPem(pem.asText()));
        agencyKeys.put(agency.path("id").asText(), keys);
      }
      if (validatorKeys.isEmpty() || chainId.isEmpty()) {
        throw new IllegalArgumentException("not a genesis: no chain_id or no validators");
      }
      validatorSetHash = Hashes.hash(hash, set.toString().getBytes(StandardCharsets.US_ASCII));
    }

    public static Genesis load(Path path) throws IOException {
      return new Genesis(Jcs.MAPPER.readTree(Files.readAllBytes(path)));
    }

    public String chainId() { return chainId; }
    public String hash() { return hash; }
  }

  private static ReceiptException fail(String check, String reason) {
    return new ReceiptException(check, reason);
  }

  private static byte[] hex32(JsonNode value, String what) throws ReceiptException {
    if (!value.isTextual() || !HEX64.matcher(value.asText()).matches()) {
      throw fail("malformed", what + " is not 64 lower-case hex digits");
    }
    return Hashes.HEX.parseHex(value.asText());
  }

  private static long integer(JsonNode value, String what) throws ReceiptException {
    if (!value.isIntegralNumber() || value.asLong() < 0) {
      throw fail("malformed", what + " is not a non-negative integer");
    }
    return value.asLong();
  }

  private static final Pattern BASE64 = Pattern.compile("([A-Za-z0-9+/]{4})*"
      + "([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");

  private static byte[] base64(JsonNode value, String what, String check) throws ReceiptException {
    if (!value.isTextual() || !BASE64.matcher(value.textValue()).matches()) {
      throw fail(check, what + " is not padded base64");
    }
    try {
      return Base64.getDecoder().decode(value.asText());
    } catch (IllegalArgumentException e) {
      throw fail(check, what + " is not base64");
    }
  }

  public static final int RECEIPT_BYTES_MAX = 256 * 1024;
  private static final long UINT32_MAX = 0xffffffffL;
  private static final List<String> HEADER_HASHES = List.of("previous_hash", "log_root",
      "leaves_root", "validators_hash", "evidence_hash", "last_commit_hash");

  private static void members(JsonNode value, String where, List<String> names)
      throws ReceiptException {
    if (!value.isObject()) throw fail("malformed", where + " is not a JSON object");
    for (java.util.Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!names.contains(name)) throw fail("malformed", where + ": unknown member " + name);
    }
    for (String name : names) {
      if (!value.has(name)) throw fail("malformed", where + ": missing member " + name);
    }
  }

  private static long signed(JsonNode value, String what) throws ReceiptException {
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw fail("malformed", what + " is not an integer");
    }
    return value.asLong();
  }

  /** The receipt's shape (docs/receipt-format.md §6): exactly its members, of their types; the
   * record by the ledger's record rules. Throws ReceiptException "malformed". */
  public static void check(JsonNode receipt) throws ReceiptException {
    members(receipt, "receipt", List.of("v", "record", "leaf_index", "tree_size",
        "inclusion_proof", "block", "commit", "validator_set_hash"));
    if (signed(receipt.path("v"), "v") != 1) throw fail("malformed", "receipt version is not 1");
    try {
      Records.check(receipt.path("record"), true);
    } catch (Records.RecordException e) {
      throw fail("malformed", "record: " + e.getMessage());
    }
    integer(receipt.path("leaf_index"), "leaf_index");
    integer(receipt.path("tree_size"), "tree_size");
    JsonNode proof = receipt.path("inclusion_proof");
    if (!proof.isArray() || proof.size() > 64) {
      throw fail("malformed", "inclusion_proof is not a list of at most 64 hashes");
    }
    for (JsonNode node : proof) hex32(node, "inclusion_proof");
    JsonNode header = receipt.path("block");
    List<String> headerMembers = new ArrayList<>(List.of("chain_id", "height", "time_ms",
        "log_size", "proposer"));
    headerMembers.addAll(HEADER_HASHES);
    members(header, "block", headerMembers);
    int chainBytes = header.path("chain_id").asText().getBytes(StandardCharsets.UTF_8).length;
    if (!header.path("chain_id").isTextual() || chainBytes < 1 || chainBytes > 64) {
      throw fail("malformed", "block.chain_id must be 1..64 bytes");
    }
    integer(header.path("height"), "block.height");
    signed(header.path("time_ms"), "block.time_ms");
    integer(header.path("log_size"), "block.log_size");
    if (integer(header.path("proposer"), "block.proposer") > UINT32_MAX) {
      throw fail("malformed", "block.proposer out of range");
    }
    for (String name : HEADER_HASHES) hex32(header.path(name), "block." + name);
    JsonNode commit = receipt.path("commit");
    members(commit, "commit", List.of("height", "round", "block_hash", "signatures"));
    integer(commit.path("height"), "commit.height");
    if (integer(commit.path("round"), "commit.round") > UINT32_MAX) {
      throw fail("malformed", "commit.round out of range");
    }
    hex32(commit.path("block_hash"), "commit.block_hash");
    JsonNode signatures = commit.path("signatures");
    if (!signatures.isArray() || signatures.size() > 1000) {
      throw fail("malformed", "commit.signatures is not a list of at most 1000");
    }
    for (JsonNode s : signatures) {
      members(s, "commit signature", List.of("validator", "timestamp_ms", "signature"));
      if (integer(s.path("validator"), "validator") > UINT32_MAX) {
        throw fail("malformed", "validator index out of range");
      }
      signed(s.path("timestamp_ms"), "timestamp_ms");
      if (!s.path("signature").isTextual()
          || base64(s.path("signature"), "signature", "malformed").length > 256) {
        throw fail("malformed", "a precommit signature is not base64 of at most 256 bytes");
      }
    }
    hex32(receipt.path("validator_set_hash"), "validator_set_hash");
  }

  /** A receipt file's bytes read strictly, as {@code evidence verify} reads them. */
  public static JsonNode parse(byte[] text) throws ReceiptException {
    if (text.length > RECEIPT_BYTES_MAX) {
      throw fail("malformed", "a receipt is at most " + RECEIPT_BYTES_MAX + " bytes");
    }
    JsonNode receipt;
    try {
      receipt = Jcs.parseStrict(text, 8);
    } catch (Jcs.CanonicalJsonException e) {
      throw fail("malformed", e.getMessage());
    }
    check(receipt);
    return receipt;
  }

  /** The block header bytes of docs/receipt-format.md §4. */
  public static byte[] headerBytes(JsonNode header) throws ReceiptException {
    byte[] chain = header.path("chain_id").asText().getBytes(StandardCharsets.UTF_8);
    if (chain.length < 1 || chain.length > 64) throw fail("malformed", "block.chain_id length");
    ByteBuffer out = ByteBuffer.allocate(239 + chain.length);
    out.put("EVIDENCE-BLOCK/v1\n".getBytes(StandardCharsets.US_ASCII));
    out.put((byte) chain.length).put(chain);
    out.putLong(integer(header.path("height"), "block.height"));
    out.putLong(header.path("time_ms").asLong());
    out.put(hex32(header.path("previous_hash"), "block.previous_hash"));
    out.putLong(integer(header.path("log_size"), "block.log_size"));
    out.put(hex32(header.path("log_root"), "block.log_root"));
    out.put(hex32(header.path("leaves_root"), "block.leaves_root"));
    out.put(hex32(header.path("validators_hash"), "block.validators_hash"));
    out.putInt((int) integer(header.path("proposer"), "block.proposer"));
    out.put(hex32(header.path("evidence_hash"), "block.evidence_hash"));
    out.put(hex32(header.path("last_commit_hash"), "block.last_commit_hash"));
    return out.array();
  }

  /** A precommit's signed bytes (docs/receipt-format.md §5). */
  public static byte[] voteBytes(String chainId, long height, long round, byte[] blockHash,
                                 long timestampMs) {
    byte[] chain = chainId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(17 + 1 + chain.length + 1 + 8 + 4 + 32 + 8);
    out.put("EVIDENCE-VOTE/v1\n".getBytes(StandardCharsets.US_ASCII));
    out.put((byte) chain.length).put(chain).put((byte) 2);
    out.putLong(height).putInt((int) round).put(blockHash).putLong(timestampMs);
    return out.array();
  }

  private static void checkRecordSignature(JsonNode record, Genesis genesis)
      throws ReceiptException {
    JsonNode sig = record.path("sig");
    Keys.PublicKey key = null;
    for (Keys.PublicKey candidate :
        genesis.agencyKeys.getOrDefault(record.path("agency").asText(), List.of())) {
      if (candidate.keyId().equals(sig.path("key").asText())) key = candidate;
    }
    if (key == null) {
      throw fail("bad_record_signature", "the key sig.key is not registered for the agency");
    }
    if (!key.alg().equals(sig.path("alg").asText())) {
      throw fail("bad_record_signature", "sig.alg is not the key's algorithm, " + key.alg());
    }
    byte[] signature = base64(sig.path("value"), "sig.value", "bad_record_signature");
    byte[] signed;
    if (sig.has("batch")) {
      JsonNode batch = sig.path("batch");
      byte[] id = Hashes.hash(genesis.hash, Records.signingBytes(record));
      List<byte[]> path = new ArrayList<>();
      for (JsonNode node : batch.path("path")) path.add(hex32(node, "sig.batch.path"));
      byte[] root = Merkle.rootFromInclusion(genesis.hash, Merkle.leafHash(genesis.hash, id),
          batch.path("index").asLong(), batch.path("size").asLong(), path);
      if (root == null || !Hashes.hex(root).equals(batch.path("root").asText())) {
        throw fail("bad_record_signature", "the record is not in its batch");
      }
      signed = Records.batchSigningBytes(record.path("agency").asText(),
          record.path("chain_id").asText(), batch.path("root").asText(),
          batch.path("size").asLong());
    } else {
      signed = Records.signingBytes(record);
    }
    if (!key.verify(signed, signature)) {
      throw fail("bad_record_signature", "the signature does not verify");
    }
  }

  private static void checkCommit(JsonNode commit, JsonNode header, Genesis genesis,
                                  byte[] blockHash) throws ReceiptException {
    long height = integer(commit.path("height"), "commit.height");
    if (height < 1 || Merkle.equal(blockHash, new byte[32])) {
      throw fail("bad_commit", "commit height or block hash is empty");
    }
    long total = genesis.validatorPowers.stream().mapToLong(Long::longValue).sum();
    long power = 0;
    long last = -1;
    for (JsonNode s : commit.path("signatures")) {
      long i = integer(s.path("validator"), "commit validator");
      if (i <= last || i >= genesis.validatorKeys.size()) {
        throw fail("bad_commit", "validator indexes are not increasing or not in genesis");
      }
      last = i;
      byte[] vote = voteBytes(header.path("chain_id").asText(), height,
          integer(commit.path("round"), "commit.round"), blockHash,
          s.path("timestamp_ms").asLong());
      if (!genesis.validatorKeys.get((int) i).verify(vote,
          base64(s.path("signature"), "signature", "bad_commit"))) {
        throw fail("bad_commit", "the precommit of validator " + i + " does not verify");
      }
      power += genesis.validatorPowers.get((int) i);
    }
    if (!(3 * power > 2 * total)) {
      throw fail("bad_commit", "signers hold " + power + " of " + total
          + " voting power, not more than 2/3");
    }
  }

  /** Verifies a receipt against genesis and the document's bytes. */
  public static ProvenFacts verify(JsonNode receipt, Genesis genesis, byte[] document)
      throws ReceiptException {
    String recorded = receipt.path("record").path("digest").asText();
    String algorithm = recorded.contains(":") ? recorded.substring(0, recorded.indexOf(':')) : "";
    if (!algorithm.equals("sha256") && !algorithm.equals("sm3")) {
      throw fail("malformed", "record.digest names no known hash");
    }
    return verifyDigest(receipt, genesis, Records.digest(algorithm, document));
  }

  /** Verifies a receipt against genesis and the document's digest ("sha256:<hex>"). */
  public static ProvenFacts verifyDigest(JsonNode receipt, Genesis genesis, String digest)
      throws ReceiptException {
    check(receipt);
    JsonNode record = receipt.path("record");
    JsonNode header = receipt.path("block");
    JsonNode commit = receipt.path("commit");
    if (receipt.path("v").asInt() != 1 || !record.isObject() || !header.isObject()
        || !record.path("chain_id").asText().equals(genesis.chainId)
        || !header.path("chain_id").asText().equals(genesis.chainId)) {
      throw fail("malformed", "not a v1 receipt of this chain");
    }
    if (!record.path("digest").asText().equals(digest)) {
      throw fail("digest_mismatch", "the document is not the one recorded");
    }
    checkRecordSignature(record, genesis);
    long treeSize = integer(receipt.path("tree_size"), "tree_size");
    if (treeSize != integer(header.path("log_size"), "block.log_size")) {
      throw fail("bad_inclusion", "tree_size is not the block's log_size");
    }
    List<byte[]> proof = new ArrayList<>();
    for (JsonNode node : receipt.path("inclusion_proof")) proof.add(hex32(node, "inclusion_proof"));
    long leafIndex = integer(receipt.path("leaf_index"), "leaf_index");
    byte[] root = Merkle.rootFromInclusion(genesis.hash,
        Merkle.leafHash(genesis.hash, Jcs.canonicalize(record)), leafIndex, treeSize, proof);
    if (root == null || !Hashes.hex(root).equals(header.path("log_root").asText())) {
      throw fail("bad_inclusion", "the inclusion proof does not lead to the block's log root");
    }
    byte[] blockHash = Hashes.hash(genesis.hash, headerBytes(header));
    if (!Hashes.hex(blockHash).equals(commit.path("block_hash").asText())
        || commit.path("height").asLong() != header.path("height").asLong()) {
      throw fail("header_mismatch", "the header is not the committed block");
    }
    checkCommit(commit, header, genesis, blockHash);
    String setHash = Hashes.hex(genesis.validatorSetHash);
    if (!receipt.path("validator_set_hash").asText().equals(setHash)
        || !header.path("validators_hash").asText().equals(setHash)) {
      throw fail("validator_set_mismatch", "the block was not committed by the genesis validators");
    }
    return new ProvenFacts(Records.recordId(record, genesis.hash), record.path("agency").asText(),
        record.path("case_id").asText(), record.path("digest").asText(),
        record.path("time").asLong(), header.path("time_ms").asLong(),
        header.path("height").asLong(), leafIndex, treeSize, header.path("log_root").asText());
  }
}
