package org.evidenceledger.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Offline verification of receipts v1 and v2 (docs/receipt-format.md) with only the document
 * (or its digest), the receipt and the chain's genesis file.
 *
 * <p>Every refusal throws {@link ReceiptException} whose {@code check()} is the code
 * {@code evidence verify} prints: genesis.invalid (the genesis breaks a rule of §2),
 * receipt.malformed and receipt.unsupported_version (not a well-formed v1 receipt), then the
 * checks of §7 in order: receipt.wrong_chain, receipt.digest_mismatch,
 * receipt.bad_record_signature, receipt.bad_inclusion, receipt.header_mismatch,
 * receipt.bad_commit, receipt.validator_set_mismatch. {@code unusable()} tells the first three
 * (exit status 2) from the others (exit 1). The shared corpus tests/vectors/receipts/ holds one
 * case per rule with its answer; the SDK's tests run all of them. Pure functions; Genesis is
 * immutable.
 *
 * <p>A v2 receipt (§11, after a governance change) carries the chain's governance blocks: after
 * the chain ids they are replayed from genesis by {@link Governance} (receipt.bad_governance
 * when one does not hold or is missing), and the record is then checked against the register
 * in force at its block; the facts name that register and carry the notes (a key revoked after
 * the record) and warnings (a key compromised from before the record's claimed time).
 */
public final class Receipts {
  public static final int RECEIPT_BYTES_MAX = 256 * 1024;  // version 1
  public static final int RECEIPT_V2_BYTES_MAX = 8 * 1024 * 1024;
  private static final int GOVERNANCE_BLOCKS_MAX = 4096;
  private static final int GOVERNANCE_ACTIONS_MAX = 16;
  private static final int GOVERNANCE_ACTION_BYTES_MAX = 16 * 1024;
  private static final List<String> V2_HEADER_HASHES =
      List.of("actions_root", "next_validators_hash", "state_hash");
  public static final int GENESIS_BYTES_MAX = 4 * 1024 * 1024;
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]+");
  private static final long UINT32_MAX = 0xffffffffL;
  private static final long TOTAL_POWER_MAX = 1L << 60;
  // ledger/roles.h: the reader roles a genesis may name.
  private static final List<String> READER_ROLES =
      List.of("court", "procuratorate", "reconsideration", "supervisor");
  private static final List<String> HEADER_HASHES = List.of("previous_hash", "log_root",
      "leaves_root", "validators_hash", "evidence_hash", "last_commit_hash");
  private static final Set<String> UNUSABLE =
      Set.of("genesis.invalid", "receipt.malformed", "receipt.unsupported_version");
  private static final String MALFORMED = "receipt.malformed";
  private static final String INVALID = "genesis.invalid";

  private Receipts() {}

  /** A refusal: its code, and whether the input was unusable (exit 2) or did not prove the
   * document (exit 1). */
  public static final class ReceiptException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String check;

    ReceiptException(String check, String reason) {
      super("INVALID (" + check + "): " + reason);
      this.check = check;
    }

    public String check() { return check; }

    public boolean unusable() { return UNUSABLE.contains(check); }
  }

  /** What a receipt proves: above all that the document existed no later than existedByMs;
   * and which register it was checked against (v2: after {@code governanceChangesInForce}
   * governance blocks, the last at {@code lastChangeHeight}; 0 for genesis), with the notes
   * and warnings later governance changes give about the record. */
  public record ProvenFacts(long existedByMs, String recordId, String agency, String caseId,
                            String digest, long agencyTimeMs, long blockTimeMs, long height,
                            long leafIndex, long treeSize, String logRoot, int receiptVersion,
                            int governanceBlocks, int governanceChangesInForce,
                            long lastChangeHeight, List<String> notes, List<String> warnings) {}

  private static ReceiptException fail(String check, String reason) {
    return new ReceiptException(check, reason);
  }

  // ---------------------------------------------------------------- shapes

  private static void members(JsonNode value, String where, List<String> names, String code)
      throws ReceiptException {
    if (!value.isObject()) throw fail(code, where + " is not a JSON object");
    for (String name : names) {
      if (!value.has(name)) throw fail(code, where + ": missing member " + name);
    }
    for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!names.contains(name)) throw fail(code, where + ": unknown member " + name);
    }
  }

  private static long integer(JsonNode value, String what, String code, long low, long high)
      throws ReceiptException {
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < low
        || value.asLong() > high) {
      throw fail(code, what + " is not an integer " + low + ".." + high);
    }
    return value.asLong();
  }

  private static long unsigned(JsonNode value, String what) throws ReceiptException {
    return integer(value, what, MALFORMED, 0, Jcs.INTEGER_MAX);
  }

  private static long signed(JsonNode value, String what) throws ReceiptException {
    return integer(value, what, MALFORMED, -Jcs.INTEGER_MAX, Jcs.INTEGER_MAX);
  }

  private static String string(JsonNode value, String what, String code) throws ReceiptException {
    if (!value.isTextual()) throw fail(code, what + " is not a string");
    return value.textValue();
  }

  private static byte[] hex32(JsonNode value, String what, String code) throws ReceiptException {
    if (!value.isTextual() || !HEX64.matcher(value.textValue()).matches()) {
      throw fail(code, what + " is not 64 lower-case hex digits");
    }
    return Hashes.HEX.parseHex(value.textValue());
  }

  /** Strict RFC 4648 base64: padded and canonical. */
  private static byte[] base64(JsonNode value, String what, String code) throws ReceiptException {
    String text = string(value, what, code);
    byte[] data;
    try {
      data = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw fail(code, what + " is not base64");
    }
    if (!Base64.getEncoder().encodeToString(data).equals(text)) {
      throw fail(code, what + " is not canonical base64");
    }
    return data;
  }

  // ---------------------------------------------------------------- genesis

  /** What a verifier trusts, read once from a genesis file by the rules of
   * docs/receipt-format.md §2 (ReceiptException "genesis.invalid" otherwise). */
  public static final class Genesis {
    final String chainId;
    final String hash;
    final List<Keys.PublicKey> validatorKeys = new ArrayList<>();
    final List<Long> validatorPowers = new ArrayList<>();
    final Map<String, List<Keys.PublicKey>> agencyKeys = new HashMap<>();
    final byte[] validatorSetHash;
    final long totalPower;
    final JsonNode document;  // the register's first state (receipts v2)

    // Version 2 ("v": 2, docs/governance.md): what its admin keys must differ from.
    private final List<String> validatorInstitutions = new ArrayList<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Set<String> nodeKeyIds = new HashSet<>();
    private final Set<String> otherKeyIds = new HashSet<>();

    public Genesis(JsonNode document) throws ReceiptException {
      List<String> topMembers = new ArrayList<>(List.of("chain_id", "genesis_time_ms", "hash",
          "validators", "agencies", "readers"));
      boolean version2 = document.isObject() && document.has("v");
      if (version2) {  // version 1 has no "v"
        JsonNode v = document.path("v");
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() != 2) {
          throw fail(INVALID, "v must be 2 (version 1 has no \"v\")");
        }
        topMembers.addAll(List.of("v", "params", "admins", "observers"));
      }
      // Version 2's optional members (left out when empty): trusted time.
      if (version2 && document.has("tsas")) topMembers.add("tsas");
      if (version2 && document.has("witnesses")) topMembers.add("witnesses");
      members(document, "genesis", topMembers, INVALID);
      this.document = document;
      chainId = string(document.path("chain_id"), "chain_id", INVALID);
      if (chainId.isEmpty() || chainId.length() > 64 || !IDENTIFIER.matcher(chainId).matches()) {
        throw fail(INVALID, "chain_id must be 1..64 characters of A-Z a-z 0-9 . _ -");
      }
      integer(document.path("genesis_time_ms"), "genesis_time_ms", INVALID, 0, Jcs.INTEGER_MAX);
      hash = string(document.path("hash"), "hash", INVALID);
      if (!hash.equals("sha256") && !hash.equals("sm3")) {
        throw fail(INVALID, "hash must be sha256 or sm3, not " + hash);
      }
      totalPower = readValidators(list(document.path("validators"), "validators", 1000));
      readAgencies(list(document.path("agencies"), "agencies", 10_000));
      readReaders(list(document.path("readers"), "readers", 10_000));
      if (version2) readGovernance(document);
      StringBuilder set = new StringBuilder();
      for (int i = 0; i < validatorKeys.size(); i++) {
        set.append(validatorKeys.get(i).keyId()).append(':').append(validatorPowers.get(i))
            .append('\n');
      }
      validatorSetHash = Hashes.hash(hash, set.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static JsonNode list(JsonNode value, String where, int most) throws ReceiptException {
      if (!value.isArray() || value.size() > most) {
        throw fail(INVALID, where + " is not a list of at most " + most);
      }
      return value;
    }

    private static String name(JsonNode value, String where, boolean identifier)
        throws ReceiptException {
      String text = string(value, where, INVALID);
      int size = text.getBytes(StandardCharsets.UTF_8).length;
      if (size < 1 || size > 256) throw fail(INVALID, where + " must be 1..256 bytes");
      if (identifier && !IDENTIFIER.matcher(text).matches()) {
        throw fail(INVALID, where + " may hold only A-Z a-z 0-9 . _ -");
      }
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) < 0x20 || text.charAt(i) == 0x7f) {
          throw fail(INVALID, where + " has a control character");
        }
      }
      return text;
    }

    /** A key as genesis holds it: the canonical PEM of a valid P-256, Ed25519 or SM2 key. */
    private static Keys.PublicKey key(JsonNode value, String where) throws ReceiptException {
      String pem = string(value, where, INVALID);
      Keys.PublicKey key;
      try {
        key = Keys.PublicKey.fromPem(pem);
      } catch (RuntimeException e) {  // KeyFormatException, or BouncyCastle on a bad point
        throw fail(INVALID, where + ": " + e.getMessage());
      }
      if (!key.canonicalPem().equals(pem)) {
        throw fail(INVALID, where + " is not in canonical PEM form");
      }
      return key;
    }

    private long readValidators(JsonNode listed) throws ReceiptException {
      if (listed.isEmpty()) throw fail(INVALID, "the validator set is empty");
      Set<String> names = new HashSet<>();
      Set<String> voteKeys = new HashSet<>();
      Set<String> nodeKeys = new HashSet<>();
      long total = 0;
      for (int i = 0; i < listed.size(); i++) {
        JsonNode v = listed.get(i);
        String where = "validators[" + i + "]";
        members(v, where, List.of("name", "institution", "vote_key", "node_key", "power",
            "address"), INVALID);
        String validatorName = name(v.path("name"), where + ".name", true);
        name(v.path("institution"), where + ".institution", false);
        Keys.PublicKey voteKey = key(v.path("vote_key"), where + ".vote_key");
        Keys.PublicKey nodeKey = key(v.path("node_key"), where + ".node_key");
        long power = integer(v.path("power"), where + ".power", INVALID, 1, Jcs.INTEGER_MAX);
        name(v.path("address"), where + ".address", false);
        total += power;
        if (total > TOTAL_POWER_MAX) throw fail(INVALID, "the total power exceeds 2^60");
        if (!names.add(validatorName) || !voteKeys.add(voteKey.keyId())
            || !nodeKeys.add(nodeKey.keyId())) {
          throw fail(INVALID, where + " repeats a name, vote key or node key");
        }
        validatorKeys.add(voteKey);
        validatorPowers.add(power);
        validatorInstitutions.add(v.path("institution").textValue());
        nodeNames.add(validatorName);
        nodeKeyIds.add(nodeKey.keyId());
        otherKeyIds.add(voteKey.keyId());
        otherKeyIds.add(nodeKey.keyId());
      }
      return total;
    }

    private static final Map<String, long[]> PARAM_BOUNDS = Map.of(
        "batch_records_max", new long[] {1, 10_000},
        "block_bytes_max", new long[] {4096, 16L * 1024 * 1024},
        "block_records_max", new long[] {1, 10_000},
        "governance_threshold", new long[] {0, 64},
        "record_future_skew_ms", new long[] {0, 86_400_000L},
        "record_past_window_ms", new long[] {0, 3650L * 86_400_000L});

    /** Version 2: params, observers and admins (docs/receipt-format.md §2). */
    private void readGovernance(JsonNode document) throws ReceiptException {
      JsonNode params = document.path("params");
      members(params, "params", List.copyOf(PARAM_BOUNDS.keySet()), INVALID);
      for (Map.Entry<String, long[]> bound : PARAM_BOUNDS.entrySet()) {
        integer(params.path(bound.getKey()), "params." + bound.getKey(), INVALID,
            bound.getValue()[0], bound.getValue()[1]);
      }
      JsonNode observers = list(document.path("observers"), "observers", 1000);
      for (int i = 0; i < observers.size(); i++) {
        JsonNode o = observers.get(i);
        String where = "observers[" + i + "]";
        members(o, where, List.of("name", "institution", "node_key", "address"), INVALID);
        String observerName = name(o.path("name"), where + ".name", true);
        name(o.path("institution"), where + ".institution", false);
        Keys.PublicKey nodeKey = key(o.path("node_key"), where + ".node_key");
        name(o.path("address"), where + ".address", false);
        if (!nodeNames.add(observerName) || !nodeKeyIds.add(nodeKey.keyId())) {
          throw fail(INVALID, where + ": the name or node key of another validator or observer");
        }
        otherKeyIds.add(nodeKey.keyId());
      }
      JsonNode admins = list(document.path("admins"), "admins", 64);
      if (admins.isEmpty()) {
        throw fail(INVALID, "admins: at least one institution with admin keys is required");
      }
      for (List<Keys.PublicKey> keys : agencyKeys.values()) {
        for (Keys.PublicKey key : keys) otherKeyIds.add(key.keyId());
      }
      Set<String> institutions = new HashSet<>();
      Set<String> adminKeyIds = new HashSet<>();
      for (int i = 0; i < admins.size(); i++) {
        JsonNode a = admins.get(i);
        String where = "admins[" + i + "]";
        members(a, where, List.of("institution", "keys"), INVALID);
        String institution = name(a.path("institution"), where + ".institution", false);
        if (!institutions.add(institution)) throw fail(INVALID, where + ".institution is repeated");
        JsonNode pems = list(a.path("keys"), where + ".keys", 16);
        if (pems.isEmpty()) throw fail(INVALID, where + ".keys must hold 1..16 keys");
        for (int k = 0; k < pems.size(); k++) {
          String keyId = key(pems.get(k), where + ".keys[" + k + "]").keyId();
          if (otherKeyIds.contains(keyId) || !adminKeyIds.add(keyId)) {
            throw fail(INVALID, where + ": key " + keyId + " is another key or registered twice");
          }
        }
      }
      for (int i = 0; i < validatorInstitutions.size(); i++) {
        if (!institutions.contains(validatorInstitutions.get(i))) {
          throw fail(INVALID, "validators[" + i + "]: institution has no admin keys");
        }
      }
      long threshold = params.path("governance_threshold").asLong();
      if (threshold < 1 || threshold > admins.size()) {
        throw fail(INVALID, "params.governance_threshold must be 1.." + admins.size());
      }
      otherKeyIds.addAll(adminKeyIds);
      readTrustedTime(document, institutions);
    }

    /** Version 2, optional: TSA CAs and witnesses (docs/receipt-format.md §2). */
    private void readTrustedTime(JsonNode document, Set<String> institutions)
        throws ReceiptException {
      for (String member : List.of("tsas", "witnesses")) {
        if (document.has(member) && list(document.path(member), member, 64).isEmpty()) {
          throw fail(INVALID, member + " holds 1..64 entries when present (an empty list is left out)");
        }
      }
      Set<String> seen = new HashSet<>();
      JsonNode tsas = document.has("tsas") ? document.path("tsas") : MISSING_LIST;
      for (int i = 0; i < tsas.size(); i++) {
        JsonNode t = tsas.get(i);
        String where = "tsas[" + i + "]";
        members(t, where, List.of("institution", "ca_cert"), INVALID);
        String institution = name(t.path("institution"), where + ".institution", false);
        if (!institutions.contains(institution) || !seen.add(institution)) {
          throw fail(INVALID, where + ".institution must hold admin keys and have one TSA CA");
        }
        String pem = string(t.path("ca_cert"), where + ".ca_cert", INVALID);
        if (pem.getBytes(StandardCharsets.UTF_8).length > 8192 || !isCaCertificate(pem)) {
          throw fail(INVALID, where + ".ca_cert must be one CA certificate in canonical PEM");
        }
      }
      Set<String> names = new HashSet<>();
      JsonNode witnesses = document.has("witnesses") ? document.path("witnesses") : MISSING_LIST;
      for (int i = 0; i < witnesses.size(); i++) {
        JsonNode w = witnesses.get(i);
        String where = "witnesses[" + i + "]";
        members(w, where, List.of("name", "key"), INVALID);
        String witnessName = name(w.path("name"), where + ".name", false);
        if (!NOTE_KEY_NAME.matcher(witnessName).matches() || !names.add(witnessName)) {
          throw fail(INVALID, where + ".name must be a note key name of its own");
        }
        Keys.PublicKey key = key(w.path("key"), where + ".key");
        if (!key.alg().equals("ed25519") || !otherKeyIds.add(key.keyId())) {
          throw fail(INVALID, where + ".key must be an Ed25519 key no other entry holds");
        }
      }
    }

    private static final JsonNode MISSING_LIST =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    // crypto/note.cc IsKeyName: no character up to U+0020, no U+007F, no '+', no Unicode space.
    static final Pattern NOTE_KEY_NAME = Pattern.compile(
        "[^\\x00-\\x20\\x7f+\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+");

    /** One X.509 certificate in canonical PEM with basicConstraints CA:TRUE. */
    static boolean isCaCertificate(String pem) {
      String begin = "-----BEGIN CERTIFICATE-----\n";
      String end = "-----END CERTIFICATE-----\n";
      if (!pem.startsWith(begin) || !pem.endsWith(end) || pem.length() < begin.length() + end.length()) {
        return false;
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(
            pem.substring(begin.length(), pem.length() - end.length()).replace("\n", ""));
      } catch (IllegalArgumentException e) {
        return false;
      }
      String body = Base64.getEncoder().encodeToString(der);
      StringBuilder canonical = new StringBuilder(begin);
      for (int i = 0; i < body.length(); i += 64) {
        canonical.append(body, i, Math.min(body.length(), i + 64)).append('\n');
      }
      if (!canonical.append(end).toString().equals(pem)) return false;
      try {
        java.security.cert.X509Certificate certificate = (java.security.cert.X509Certificate)
            java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(der));
        return certificate.getBasicConstraints() >= 0 && Arrays.equals(certificate.getEncoded(), der);
      } catch (java.security.cert.CertificateException e) {
        return false;
      }
    }

    private void readAgencies(JsonNode listed) throws ReceiptException {
      Set<String> allKeys = new HashSet<>();
      for (int i = 0; i < listed.size(); i++) {
        JsonNode a = listed.get(i);
        String where = "agencies[" + i + "]";
        members(a, where, List.of("id", "name", "institution", "keys"), INVALID);
        String id = name(a.path("id"), where + ".id", true);
        if (id.length() > 128) throw fail(INVALID, where + ".id is over 128 bytes");
        name(a.path("name"), where + ".name", false);
        name(a.path("institution"), where + ".institution", false);
        if (agencyKeys.containsKey(id)) throw fail(INVALID, where + ".id is repeated");
        JsonNode pems = list(a.path("keys"), where + ".keys", 16);
        if (pems.isEmpty()) throw fail(INVALID, where + " has no keys");
        List<Keys.PublicKey> keys = new ArrayList<>();
        for (int k = 0; k < pems.size(); k++) {
          Keys.PublicKey key = key(pems.get(k), where + ".keys[" + k + "]");
          if (!allKeys.add(key.keyId())) {
            throw fail(INVALID, where + ": key " + key.keyId() + " is registered twice");
          }
          keys.add(key);
        }
        agencyKeys.put(id, keys);
      }
    }

    private static void readReaders(JsonNode listed) throws ReceiptException {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < listed.size(); i++) {
        JsonNode r = listed.get(i);
        String where = "readers[" + i + "]";
        if (!r.isObject() || r.has("token_sha256") == r.has("key")) {
          throw fail(INVALID, where + ": exactly one of token_sha256 and key");
        }
        String credential = r.has("key") ? "key" : "token_sha256";
        members(r, where, List.of("id", "role", credential), INVALID);
        String id = name(r.path("id"), where + ".id", true);
        String role = name(r.path("role"), where + ".role", true);
        if (!READER_ROLES.contains(role)) {
          throw fail(INVALID, where + ".role is not one of " + String.join(", ", READER_ROLES));
        }
        if (credential.equals("key")) {
          key(r.path("key"), where + ".key");
        } else {
          hex32(r.path("token_sha256"), where + ".token_sha256", INVALID);
        }
        if (!ids.add(id)) throw fail(INVALID, where + ".id is repeated");
      }
    }

    /** A genesis file's bytes, read strictly. */
    public static Genesis parse(byte[] text) throws ReceiptException {
      if (text.length > GENESIS_BYTES_MAX) {
        throw fail(INVALID, "a genesis file is at most " + GENESIS_BYTES_MAX + " bytes");
      }
      try {
        return new Genesis(Jcs.parseStrict(text, 8));
      } catch (Jcs.CanonicalJsonException e) {
        throw fail(INVALID, e.getMessage());
      }
    }

    public static Genesis load(Path path) throws IOException, ReceiptException {
      return parse(Files.readAllBytes(path));
    }

    public String chainId() { return chainId; }
    public String hash() { return hash; }
  }

  // ---------------------------------------------------------------- receipts

  /** BlockHeaderFromJson: a v2 receipt's headers may carry "version": 2 and then the three
   * governance hashes. */
  private static void checkHeader(JsonNode header, String where, boolean allowVersion2)
      throws ReceiptException {
    boolean governed = allowVersion2 && header.isObject() && header.has("version");
    List<String> headerMembers = new ArrayList<>(List.of("chain_id", "height", "time_ms",
        "log_size", "proposer"));
    headerMembers.addAll(HEADER_HASHES);
    if (governed) {
      headerMembers.add("version");
      headerMembers.addAll(V2_HEADER_HASHES);
    }
    members(header, where, headerMembers, MALFORMED);
    String chainId = string(header.path("chain_id"), where + ".chain_id", MALFORMED);
    if (chainId.isEmpty() || chainId.length() > 64 || !IDENTIFIER.matcher(chainId).matches()) {
      throw fail(MALFORMED, where + ".chain_id must be 1..64 characters of A-Z a-z 0-9 . _ -");
    }
    unsigned(header.path("height"), where + ".height");
    signed(header.path("time_ms"), where + ".time_ms");
    unsigned(header.path("log_size"), where + ".log_size");
    integer(header.path("proposer"), where + ".proposer", MALFORMED, 0, UINT32_MAX);
    for (String name : HEADER_HASHES) hex32(header.path(name), where + "." + name, MALFORMED);
    if (governed) {
      if (unsigned(header.path("version"), where + ".version") != 2) {
        throw fail(MALFORMED, where + ".version must be 2 when given");
      }
      for (String name : V2_HEADER_HASHES) hex32(header.path(name), where + "." + name, MALFORMED);
    }
  }

  private static void checkCommitShape(JsonNode commit, String where) throws ReceiptException {
    members(commit, where, List.of("height", "round", "block_hash", "signatures"), MALFORMED);
    unsigned(commit.path("height"), where + ".height");
    integer(commit.path("round"), where + ".round", MALFORMED, 0, UINT32_MAX);
    hex32(commit.path("block_hash"), where + ".block_hash", MALFORMED);
    JsonNode signatures = commit.path("signatures");
    if (!signatures.isArray() || signatures.size() > 1000) {
      throw fail(MALFORMED, where + ".signatures is not a list of at most 1000");
    }
    for (JsonNode s : signatures) {
      members(s, "commit signature", List.of("validator", "timestamp_ms", "signature"),
          MALFORMED);
      integer(s.path("validator"), "validator", MALFORMED, 0, UINT32_MAX);
      signed(s.path("timestamp_ms"), "timestamp_ms");
      if (base64(s.path("signature"), "signature", MALFORMED).length > 256) {
        throw fail(MALFORMED, "a precommit signature is over 256 bytes");
      }
    }
  }

  /** The receipt's shape (docs/receipt-format.md §6, §11): {@code v} first (an integer other
   * than 1 or 2 is receipt.unsupported_version), then exactly its members, of their types, the
   * record by the ledger's record rules (receipt.malformed). */
  public static void check(JsonNode receipt) throws ReceiptException {
    if (!receipt.isObject()) throw fail(MALFORMED, "a receipt is a JSON object");
    if (!receipt.has("v")) throw fail(MALFORMED, "receipt: missing member v");
    long version = signed(receipt.path("v"), "v");
    if (version != 1 && version != 2) {
      throw fail("receipt.unsupported_version", "receipt version " + receipt.path("v")
          + ": this verifier knows versions 1 and 2");
    }
    List<String> receiptMembers = new ArrayList<>(List.of("v", "record", "leaf_index",
        "tree_size", "inclusion_proof", "block", "commit", "validator_set_hash"));
    if (version == 2) receiptMembers.add("governance");
    members(receipt, "receipt", receiptMembers, MALFORMED);
    try {
      Records.check(receipt.path("record"), true);
    } catch (Records.RecordException e) {
      throw fail(MALFORMED, "record: " + e.getMessage());
    }
    unsigned(receipt.path("leaf_index"), "leaf_index");
    unsigned(receipt.path("tree_size"), "tree_size");
    JsonNode proof = receipt.path("inclusion_proof");
    if (!proof.isArray() || proof.size() > 64) {
      throw fail(MALFORMED, "inclusion_proof is not a list of at most 64 hashes");
    }
    for (JsonNode node : proof) hex32(node, "inclusion_proof", MALFORMED);
    checkHeader(receipt.path("block"), "block", version == 2);
    checkCommitShape(receipt.path("commit"), "commit");
    hex32(receipt.path("validator_set_hash"), "validator_set_hash", MALFORMED);
    if (version == 2) {
      JsonNode blocks = receipt.path("governance");
      if (!blocks.isArray() || blocks.size() > GOVERNANCE_BLOCKS_MAX) {
        throw fail(MALFORMED, "governance is not a list of at most " + GOVERNANCE_BLOCKS_MAX);
      }
      for (int i = 0; i < blocks.size(); i++) {
        String where = "governance[" + i + "]";
        JsonNode g = blocks.get(i);
        members(g, where, List.of("block", "commit", "actions"), MALFORMED);
        checkHeader(g.path("block"), where + ".block", true);
        checkCommitShape(g.path("commit"), where + ".commit");
        JsonNode actions = g.path("actions");
        if (!actions.isArray() || actions.size() > GOVERNANCE_ACTIONS_MAX) {
          throw fail(MALFORMED, where + ".actions is not a list of at most "
              + GOVERNANCE_ACTIONS_MAX);
        }
        for (JsonNode action : actions) {
          if (!action.isTextual() || action.textValue().isEmpty() || action.textValue()
              .getBytes(StandardCharsets.UTF_8).length > GOVERNANCE_ACTION_BYTES_MAX) {
            throw fail(MALFORMED, where + ".actions: an action of 1.."
                + GOVERNANCE_ACTION_BYTES_MAX + " bytes");
          }
        }
      }
    }
  }

  /** A receipt file's bytes read as strictly as {@code evidence verify} reads them. */
  public static JsonNode parse(byte[] text) throws ReceiptException {
    // ledger::ParseReceipt: the v2 bound first, the v1 bound once the version is known.
    if (text.length > RECEIPT_V2_BYTES_MAX) {
      throw fail(MALFORMED, "a receipt is at most " + RECEIPT_V2_BYTES_MAX + " bytes");
    }
    JsonNode receipt;
    try {
      receipt = Jcs.parseStrict(text, 8);
    } catch (Jcs.CanonicalJsonException e) {
      throw fail(MALFORMED, e.getMessage());
    }
    check(receipt);
    if (receipt.path("v").asLong() == 1 && text.length > RECEIPT_BYTES_MAX) {
      throw fail(MALFORMED, "a version-1 receipt is at most " + RECEIPT_BYTES_MAX + " bytes");
    }
    return receipt;
  }

  /** The block header bytes of docs/receipt-format.md §4 (of a checked header); a version-2
   * header (§11) has its own domain and the three governance hashes at the end. */
  public static byte[] headerBytes(JsonNode header) {
    byte[] chain = header.path("chain_id").asText().getBytes(StandardCharsets.UTF_8);
    boolean governed = header.path("version").asLong() == 2;
    ByteBuffer out = ByteBuffer.allocate(239 + chain.length + (governed ? 96 : 0));
    out.put((governed ? "EVIDENCE-BLOCK/v2\n" : "EVIDENCE-BLOCK/v1\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.put((byte) chain.length).put(chain);
    out.putLong(header.path("height").asLong()).putLong(header.path("time_ms").asLong());
    out.put(Hashes.HEX.parseHex(header.path("previous_hash").asText()));
    out.putLong(header.path("log_size").asLong());
    out.put(Hashes.HEX.parseHex(header.path("log_root").asText()));
    out.put(Hashes.HEX.parseHex(header.path("leaves_root").asText()));
    out.put(Hashes.HEX.parseHex(header.path("validators_hash").asText()));
    out.putInt((int) header.path("proposer").asLong());
    out.put(Hashes.HEX.parseHex(header.path("evidence_hash").asText()));
    out.put(Hashes.HEX.parseHex(header.path("last_commit_hash").asText()));
    if (governed) {
      for (String name : V2_HEADER_HASHES) out.put(Hashes.HEX.parseHex(header.path(name).asText()));
    }
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

  /** The weighted median of the commit's precommit times: the time a receipt proves its
   * document existed by. */
  public static long existedByMs(JsonNode commit, Genesis genesis) {
    return existedByMs(commit, genesis.validatorPowers);
  }

  /** The same with the powers of the validators in force (receipts v2). */
  static long existedByMs(JsonNode commit, List<Long> powers) {
    List<long[]> entries = new ArrayList<>();  // timestamp, validator, power
    long signedPower = 0;
    for (JsonNode s : commit.path("signatures")) {
      long index = s.path("validator").asLong();
      if (index >= powers.size()) continue;
      int i = (int) index;
      long power = powers.get(i);
      entries.add(new long[] {s.path("timestamp_ms").asLong(), i, power});
      signedPower += power;
    }
    entries.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    long accumulated = 0;
    for (long[] e : entries) {
      accumulated += e[2];
      if (2 * accumulated > signedPower) return e[0];
    }
    return 0;
  }

  private static void checkRecordSignature(JsonNode record, Genesis genesis)
      throws ReceiptException {
    Keys.PublicKey key = null;
    for (Keys.PublicKey candidate :
        genesis.agencyKeys.getOrDefault(record.path("agency").asText(), List.of())) {
      if (candidate.keyId().equals(record.path("sig").path("key").asText())) key = candidate;
    }
    checkRecordSignature(record, genesis, key);
  }

  /** With {@code key} the record's key in the register that judges it (null: none). */
  private static void checkRecordSignature(JsonNode record, Genesis genesis, Keys.PublicKey key)
      throws ReceiptException {
    String code = "receipt.bad_record_signature";
    JsonNode sig = record.path("sig");
    if (key == null) throw fail(code, "the key sig.key is not registered for the agency");
    if (!key.alg().equals(sig.path("alg").asText())) {
      throw fail(code, "sig.alg is not the key's algorithm, " + key.alg());
    }
    byte[] signature = Base64.getDecoder().decode(sig.path("value").asText());
    byte[] signed;
    if (sig.has("batch")) {
      JsonNode batch = sig.path("batch");
      byte[] id = Hashes.hash(genesis.hash, Records.signingBytes(record));
      List<byte[]> path = new ArrayList<>();
      for (JsonNode node : batch.path("path")) path.add(Hashes.HEX.parseHex(node.asText()));
      byte[] root = Merkle.rootFromInclusion(genesis.hash, Merkle.leafHash(genesis.hash, id),
          batch.path("index").asLong(), batch.path("size").asLong(), path);
      if (root == null || !Hashes.hex(root).equals(batch.path("root").asText())) {
        throw fail(code, "the record is not in its batch");
      }
      signed = Records.batchSigningBytes(record.path("agency").asText(),
          record.path("chain_id").asText(), batch.path("root").asText(),
          batch.path("size").asLong());
    } else {
      signed = Records.signingBytes(record);
    }
    if (!key.verify(signed, signature)) throw fail(code, "the signature does not verify");
  }

  private static void checkCommit(JsonNode commit, JsonNode header, Genesis genesis,
                                  byte[] blockHash) throws ReceiptException {
    checkCommit(commit, header, blockHash, genesis.validatorKeys, genesis.validatorPowers);
  }

  /** VerifyCommit against these validators' vote keys and powers. */
  private static void checkCommit(JsonNode commit, JsonNode header, byte[] blockHash,
                                  List<Keys.PublicKey> keys, List<Long> powers)
      throws ReceiptException {
    String code = "receipt.bad_commit";
    long totalPower = 0;
    for (long power : powers) totalPower += power;
    long height = commit.path("height").asLong();
    JsonNode signatures = commit.path("signatures");
    if (height == 0) throw fail(code, "a commit for height 0 (heights start at 1)");
    if (Arrays.equals(blockHash, new byte[32])) throw fail(code, "a commit for a nil block");
    if (signatures.isEmpty()) throw fail(code, "the commit has no signatures");
    if (signatures.size() > keys.size()) {
      throw fail(code, "the commit has more signatures than validators");
    }
    long power = 0;
    long last = -1;
    for (JsonNode s : signatures) {
      long i = s.path("validator").asLong();
      if (i >= keys.size()) throw fail(code, "unknown validator index " + i);
      if (i <= last) throw fail(code, "validator indexes must be strictly increasing");
      last = i;
      byte[] vote = voteBytes(header.path("chain_id").asText(), height,
          commit.path("round").asLong(), blockHash, s.path("timestamp_ms").asLong());
      if (!keys.get((int) i).verify(vote,
          Base64.getDecoder().decode(s.path("signature").asText()))) {
        throw fail(code, "the precommit of validator " + i + " does not verify");
      }
      power += powers.get((int) i);
    }
    if (!(3 * power > 2 * totalPower)) {
      throw fail(code, "signers hold " + power + " of " + totalPower
          + " voting power, not more than 2/3");
    }
  }

  /** Verifies a receipt against genesis and the document's bytes. */
  public static ProvenFacts verify(JsonNode receipt, Genesis genesis, byte[] document)
      throws ReceiptException {
    check(receipt);
    String recorded = receipt.path("record").path("digest").asText();
    String algorithm = recorded.substring(0, recorded.indexOf(':'));
    return verifyDigest(receipt, genesis, Records.digest(algorithm, document));
  }

  /** Verifies a receipt against genesis and the document's digest ("sha256:&lt;hex&gt;"). */
  public static ProvenFacts verifyDigest(JsonNode receipt, Genesis genesis, String digest)
      throws ReceiptException {
    check(receipt);
    if (receipt.path("v").asLong() == 2) return verifyV2(receipt, genesis, digest);
    JsonNode record = receipt.path("record");
    JsonNode header = receipt.path("block");
    JsonNode commit = receipt.path("commit");
    // 1. The chain.
    for (String where : List.of("record", "block")) {
      String chainId = receipt.path(where).path("chain_id").asText();
      if (!chainId.equals(genesis.chainId)) {
        throw fail("receipt.wrong_chain", where + ".chain_id is \"" + chainId
            + "\", but the genesis is for \"" + genesis.chainId + "\"");
      }
    }
    // 2. The document.
    if (!record.path("digest").asText().equals(digest)) {
      throw fail("receipt.digest_mismatch", "the document is not the one recorded");
    }
    // 3. Authorship.
    checkRecordSignature(record, genesis);
    // 4. Inclusion in the block's log root.
    long treeSize = receipt.path("tree_size").asLong();
    if (treeSize != header.path("log_size").asLong()) {
      throw fail("receipt.bad_inclusion", "tree_size is not the block's log_size");
    }
    List<byte[]> proof = new ArrayList<>();
    for (JsonNode node : receipt.path("inclusion_proof")) {
      proof.add(Hashes.HEX.parseHex(node.asText()));
    }
    long leafIndex = receipt.path("leaf_index").asLong();
    byte[] root = Merkle.rootFromInclusion(genesis.hash,
        Merkle.leafHash(genesis.hash, Jcs.canonicalize(record)), leafIndex, treeSize, proof);
    if (root == null || !Hashes.hex(root).equals(header.path("log_root").asText())) {
      throw fail("receipt.bad_inclusion", "the inclusion proof does not lead to the log root");
    }
    // 5. The header is the committed block.
    byte[] blockHash = Hashes.hash(genesis.hash, headerBytes(header));
    if (!Hashes.hex(blockHash).equals(commit.path("block_hash").asText())
        || commit.path("height").asLong() != header.path("height").asLong()) {
      throw fail("receipt.header_mismatch", "the header is not the committed block");
    }
    // 6. The commit; 7. the validator set.
    checkCommit(commit, header, genesis, blockHash);
    String setHash = Hashes.hex(genesis.validatorSetHash);
    if (!receipt.path("validator_set_hash").asText().equals(setHash)
        || !header.path("validators_hash").asText().equals(setHash)) {
      throw fail("receipt.validator_set_mismatch",
          "the block was not committed by the genesis validators");
    }
    return new ProvenFacts(existedByMs(commit, genesis), Records.recordId(record, genesis.hash),
        record.path("agency").asText(), record.path("case_id").asText(),
        record.path("digest").asText(), record.path("time").asLong(),
        header.path("time_ms").asLong(), header.path("height").asLong(), leafIndex, treeSize,
        header.path("log_root").asText(), 1, 0, 0, 0, List.of(), List.of());
  }

  // ---------------------------------------------------------------- receipts v2

  private static List<String> leaves(JsonNode actions) {
    List<String> out = new ArrayList<>();
    for (JsonNode action : actions) out.add(action.textValue());
    return out;
  }

  /** The receipt's governance blocks from genesis, each proven by a commit of the validators
   * in force at its height and applied in order. */
  private static Governance.History replayGovernance(JsonNode receipt, Genesis genesis)
      throws ReceiptException {
    String code = "receipt.bad_governance";
    Governance.History history = new Governance.History(Governance.fromGenesis(genesis.document));
    long previous = 0;
    JsonNode blocks = receipt.path("governance");
    for (int i = 0; i < blocks.size(); i++) {
      JsonNode h = blocks.get(i).path("block");
      JsonNode commit = blocks.get(i).path("commit");
      JsonNode actions = blocks.get(i).path("actions");
      long height = h.path("height").asLong();
      String where = "governance[" + i + "] (block " + height + "): ";
      if (!h.path("chain_id").asText().equals(genesis.chainId)) {
        throw fail(code, where + "another chain's block");
      }
      if (h.path("version").asLong() != 2) throw fail(code, where + "not a version-2 block header");
      if (height <= previous) throw fail(code, where + "heights must increase");
      previous = height;
      if (actions.isEmpty()) throw fail(code, where + "carries no governance action");
      byte[] blockHash = Hashes.hash(genesis.hash, headerBytes(h));
      if (!Hashes.hex(blockHash).equals(commit.path("block_hash").asText())
          || commit.path("height").asLong() != height) {
        throw fail(code, where + "the header is not the block its commit signs");
      }
      Governance.Register inForce = history.inForce(height);
      try {
        checkCommit(commit, h, blockHash, inForce.voteKeys(), inForce.powers());
      } catch (ReceiptException e) {
        throw fail(code, where + "commit: " + e.getMessage());
      }
      if (!h.path("validators_hash").asText().equals(inForce.validatorSetHash())) {
        throw fail(code, where + "validators_hash is not the hash of the validators in force");
      }
      Governance.Register before = history.latest();
      if (!h.path("state_hash").asText().equals(before.hash())
          || !h.path("next_validators_hash").asText().equals(before.validatorSetHash())) {
        throw fail(code, where + "state_hash is not the register the governance blocks before "
            + "it give (is one missing?)");
      }
      if (!Governance.actionsRoot(genesis.hash, leaves(actions))
          .equals(h.path("actions_root").asText())) {
        throw fail(code, where + "actions_root does not match the actions");
      }
      try {
        history.apply(height, h.path("time_ms").asLong(), leaves(actions));
      } catch (Governance.GovernanceException e) {
        throw fail(code, where + e.code() + ": " + e.getMessage());
      }
    }
    return history;
  }

  /** Version 2: the governance history replayed, then the checks of v1 against the register
   * in force at the record's block. */
  private static ProvenFacts verifyV2(JsonNode receipt, Genesis genesis, String digest)
      throws ReceiptException {
    JsonNode record = receipt.path("record");
    JsonNode header = receipt.path("block");
    JsonNode commit = receipt.path("commit");
    for (String where : List.of("record", "block")) {
      String chainId = receipt.path(where).path("chain_id").asText();
      if (!chainId.equals(genesis.chainId)) {
        throw fail("receipt.wrong_chain", where + ".chain_id is \"" + chainId
            + "\", but the genesis is for \"" + genesis.chainId + "\"");
      }
    }
    Governance.History history = replayGovernance(receipt, genesis);
    long height = header.path("height").asLong();
    if (height == 0) throw fail("receipt.header_mismatch", "block height 0");
    Governance.Register inForce = history.inForce(height);
    Governance.Register before = history.afterBlock(height - 1);
    boolean complete = header.path("version").asLong() == 2
        ? header.path("state_hash").asText().equals(before.hash())
            && header.path("next_validators_hash").asText().equals(before.validatorSetHash())
        : before.nextSeq() == 1;
    if (!complete) {
      throw fail("receipt.bad_governance", "the block's state_hash is not the register the "
          + "receipt's governance blocks give (one below block " + height + " is missing?)");
    }
    if (!record.path("digest").asText().equals(digest)) {
      throw fail("receipt.digest_mismatch", "the document is not the one recorded");
    }
    String agency = record.path("agency").asText();
    String keyId = record.path("sig").path("key").asText();
    checkRecordSignature(record, genesis, inForce.activeAgencyKey(agency, keyId));
    long treeSize = receipt.path("tree_size").asLong();
    if (treeSize != header.path("log_size").asLong()) {
      throw fail("receipt.bad_inclusion", "tree_size is not the block's log_size");
    }
    List<byte[]> proof = new ArrayList<>();
    for (JsonNode node : receipt.path("inclusion_proof")) {
      proof.add(Hashes.HEX.parseHex(node.asText()));
    }
    long leafIndex = receipt.path("leaf_index").asLong();
    byte[] root = Merkle.rootFromInclusion(genesis.hash,
        Merkle.leafHash(genesis.hash, Jcs.canonicalize(record)), leafIndex, treeSize, proof);
    if (root == null || !Hashes.hex(root).equals(header.path("log_root").asText())) {
      throw fail("receipt.bad_inclusion", "the inclusion proof does not lead to the log root");
    }
    byte[] blockHash = Hashes.hash(genesis.hash, headerBytes(header));
    if (!Hashes.hex(blockHash).equals(commit.path("block_hash").asText())
        || commit.path("height").asLong() != height) {
      throw fail("receipt.header_mismatch", "the header is not the committed block");
    }
    checkCommit(commit, header, blockHash, inForce.voteKeys(), inForce.powers());
    if (!receipt.path("validator_set_hash").asText().equals(inForce.validatorSetHash())
        || !header.path("validators_hash").asText().equals(inForce.validatorSetHash())) {
      throw fail("receipt.validator_set_mismatch",
          "the block was not committed by the validators in force at block " + height);
    }
    List<Long> changes = new ArrayList<>();
    for (long at : history.changeHeights()) {
      if (at + Governance.ACTIVATION_DELAY <= height) changes.add(at);
    }
    List<String> notes = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    laterChanges(history.latest(), record, height, notes, warnings);
    return new ProvenFacts(existedByMs(commit, inForce.powers()),
        Records.recordId(record, genesis.hash), agency, record.path("case_id").asText(),
        record.path("digest").asText(), record.path("time").asLong(),
        header.path("time_ms").asLong(), height, leafIndex, treeSize,
        header.path("log_root").asText(), 2, receipt.path("governance").size(), changes.size(),
        changes.isEmpty() ? 0 : changes.get(changes.size() - 1), List.copyOf(notes),
        List.copyOf(warnings));
  }

  /** NoteLaterChanges: what the register known last says about the record's key and agency
   * after its block. */
  private static void laterChanges(Governance.Register latest, JsonNode record, long height,
                                   List<String> notes, List<String> warnings) {
    String agency = record.path("agency").asText();
    String keyId = record.path("sig").path("key").asText();
    long time = record.path("time").asLong();
    Governance.RegisteredKey key = latest.agencyKey(agency, keyId);
    if (key != null && key.revoked() != null && key.revoked().height() >= height) {
      Governance.Revocation r = key.revoked();
      String when = "key " + keyId + " was revoked (" + r.reason() + ") by governance action "
          + r.seq() + " in block " + r.height() + " at time_ms " + r.timeMs()
          + ", after this record was committed";
      if (r.reason().equals("compromised") && time >= r.effectiveMs()) {
        warnings.add(when + "; it is not to be trusted from effective_ms " + r.effectiveMs()
            + ", and this record's agency-claimed time " + time
            + " is not earlier: whoever held the stolen key may have signed it");
      } else {
        notes.add(when + ": the record stays valid");
      }
    }
    Governance.Revocation removed = latest.agencyRemoved(agency);
    if (removed != null && removed.height() >= height) {
      notes.add("agency \"" + agency + "\" was removed by governance action " + removed.seq()
          + " in block " + removed.height() + ", after this record was committed");
    }
  }
}
