package org.evidenceledger.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The chain's register across governance changes, as a receipt v2 verifier replays it
 * (docs/receipt-format.md §11, docs/governance.md): the twin of ledger/governance*.cc and of
 * the portal's web/src/verify/governance.js.
 *
 * <p>Genesis gives the first register; each governance action of a block gives the next one by
 * the rules of ledger::ApplyAction (the chain, the sequence number, the admins' signatures and
 * threshold, then the operation's own rules); the register in force for block h is the one
 * after block h - {@link #ACTIVATION_DELAY}. The state hash is H("EVIDENCE-STATE/v1\n" ||
 * JCS(state JSON)). A refused action throws {@link GovernanceException} with the C++
 * governance.* code. Registers are not changed once sealed: an action applies to a copy.
 */
public final class Governance {
  public static final long ACTIVATION_DELAY = 2;
  private static final byte[] SIGNING_DOMAIN =
      "EVIDENCE-GOVERNANCE/v1\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STATE_DOMAIN =
      "EVIDENCE-STATE/v1\n".getBytes(StandardCharsets.US_ASCII);
  private static final int ACTION_BYTES_MAX = 16 * 1024;
  private static final int SIGNATURES_MAX = 64;
  private static final int SIGNATURE_BYTES_MAX = 256;
  private static final int INSTITUTIONS_MAX = 64;
  private static final int ADMIN_KEYS_MAX = 16;
  private static final int AGENCY_KEYS_MAX = 16;
  private static final int KEYS_EVER_MAX = 64;
  private static final int AGENCIES_MAX = 10_000;
  private static final int READERS_MAX = 10_000;
  private static final int OBSERVERS_MAX = 1000;
  private static final int VALIDATORS_MAX = 1000;
  private static final int VALIDATORS_MIN_AFTER_REMOVAL = 4;
  private static final int WITNESSES_MAX = 64;  // limits::kWitnessesMax
  private static final int CA_CERT_BYTES_MAX = 8192;  // crypto::kCaCertificatePemBytesMax
  private static final BigInteger TOTAL_POWER_MAX = BigInteger.ONE.shiftLeft(60);
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Map<String, long[]> PARAM_BOUNDS = new LinkedHashMap<>();
  private static final Map<String, Long> LEGACY_PARAMS = new LinkedHashMap<>();
  private static final List<String> ACTIONS = List.of("add-agency", "remove-agency",
      "add-agency-key", "revoke-agency-key", "add-reader", "remove-reader", "add-validator",
      "remove-validator", "set-power", "rotate-validator-keys", "add-observer",
      "remove-observer", "add-admin-key", "revoke-admin-key", "set-params", "add-witness",
      "remove-witness", "set-tsa-ca");

  static {
    PARAM_BOUNDS.put("batch_records_max", new long[] {1, 10_000});
    PARAM_BOUNDS.put("block_bytes_max", new long[] {4096, 16L * 1024 * 1024});
    PARAM_BOUNDS.put("block_records_max", new long[] {1, 10_000});
    PARAM_BOUNDS.put("governance_threshold", new long[] {0, 64});
    PARAM_BOUNDS.put("record_future_skew_ms", new long[] {0, 86_400_000L});
    PARAM_BOUNDS.put("record_past_window_ms", new long[] {0, 3650L * 86_400_000L});
    // ledger::kLegacyChainParams: a version-1 genesis has no "params".
    LEGACY_PARAMS.put("batch_records_max", 10_000L);
    LEGACY_PARAMS.put("block_bytes_max", 16L * 1024 * 1024);
    LEGACY_PARAMS.put("block_records_max", 10_000L);
    LEGACY_PARAMS.put("governance_threshold", 0L);
    LEGACY_PARAMS.put("record_future_skew_ms", 300_000L);
    LEGACY_PARAMS.put("record_past_window_ms", 604_800_000L);
  }

  private Governance() {}

  /** A refused action: {@code code()} is the C++ governance.* code. */
  public static final class GovernanceException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    GovernanceException(String code, String reason) {
      super(reason);
      this.code = code;
    }

    public String code() { return code; }
  }

  private static GovernanceException malformed(String why) {
    return new GovernanceException("governance.malformed", why);
  }

  private static GovernanceException conflict(String why) {
    return new GovernanceException("governance.conflict", why);
  }

  private static GovernanceException unknown(String why) {
    return new GovernanceException("governance.unknown_entry", why);
  }

  private static GovernanceException unsafe(String why) {
    return new GovernanceException("governance.unsafe_validator_set", why);
  }

  // ---------------------------------------------------------------- registers

  /** When and why a key stopped being trusted (or an entry was removed: reason null). */
  public record Revocation(String reason, long effectiveMs, long seq, long height, long timeMs) {
    ObjectNode toJson() {
      ObjectNode out = Jcs.MAPPER.createObjectNode();
      if (reason != null) out.put("reason", reason).put("effective_ms", effectiveMs);
      return out.put("seq", seq).put("height", height).put("time_ms", timeMs);
    }
  }

  /** A key of the register and its revocation, if any. */
  public record RegisteredKey(Keys.PublicKey key, Revocation revoked) {}

  /** An agency, admin institution, validator, observer, reader, TSA CA or witness entry (one
   * class: the fields its kind has are set). */
  static final class Entry {
    String id;           // agency, reader
    String name;         // agency, validator, observer
    String institution;  // agency, admin, validator, observer, TSA CA
    String role;         // reader
    String tokenSha256;  // reader
    String caCert;       // TSA CA: PEM in canonical form
    Keys.PublicKey key;  // reader, witness
    Keys.PublicKey voteKey;
    Keys.PublicKey nodeKey;
    long power;
    String address;
    List<RegisteredKey> keys = new ArrayList<>();  // agency, admin
    Revocation removed;  // agency

    Entry copy() {
      Entry e = new Entry();
      e.id = id;
      e.name = name;
      e.institution = institution;
      e.role = role;
      e.tokenSha256 = tokenSha256;
      e.caCert = caCert;
      e.key = key;
      e.voteKey = voteKey;
      e.nodeKey = nodeKey;
      e.power = power;
      e.address = address;
      e.keys = new ArrayList<>(keys);
      e.removed = removed;
      return e;
    }

    long activeKeys() {
      return keys.stream().filter(k -> k.revoked() == null).count();
    }
  }

  /** One state of the register (ledger::GovernanceState). */
  public static final class Register {
    String chainId;
    String hashName;
    long genesisTimeMs;
    boolean governed;
    long nextSeq = 1;
    Map<String, Long> params = new LinkedHashMap<>();
    List<Entry> admins = new ArrayList<>();
    List<Entry> validators = new ArrayList<>();
    long validatorsSince = 1;
    List<Entry> observers = new ArrayList<>();
    List<Entry> agencies = new ArrayList<>();
    List<Entry> readers = new ArrayList<>();
    List<String> retiredKeys = new ArrayList<>();
    List<Entry> tsas = new ArrayList<>();
    List<Entry> witnesses = new ArrayList<>();
    String validatorSetHash;
    String hash;

    Register copy() {
      Register r = new Register();
      r.chainId = chainId;
      r.hashName = hashName;
      r.genesisTimeMs = genesisTimeMs;
      r.governed = governed;
      r.nextSeq = nextSeq;
      r.params = new LinkedHashMap<>(params);
      r.admins = copies(admins);
      r.validators = copies(validators);
      r.validatorsSince = validatorsSince;
      r.observers = copies(observers);
      r.agencies = copies(agencies);
      r.readers = copies(readers);
      r.retiredKeys = new ArrayList<>(retiredKeys);
      r.tsas = copies(tsas);
      r.witnesses = copies(witnesses);
      return r;
    }

    private static List<Entry> copies(List<Entry> entries) {
      List<Entry> out = new ArrayList<>();
      for (Entry e : entries) out.add(e.copy());
      return out;
    }

    Register seal() {
      validatorSetHash = Governance.validatorSetHash(hashName, validators);
      byte[] json = Jcs.canonicalize(toJson());
      byte[] bytes = new byte[STATE_DOMAIN.length + json.length];
      System.arraycopy(STATE_DOMAIN, 0, bytes, 0, STATE_DOMAIN.length);
      System.arraycopy(json, 0, bytes, STATE_DOMAIN.length, json.length);
      hash = Hashes.hex(Hashes.hash(hashName, bytes));
      return this;
    }

    /** GovernanceState::ToJson, whose JCS the state hash covers. */
    public ObjectNode toJson() {
      ObjectNode out = Jcs.MAPPER.createObjectNode();
      out.put("v", 1).put("chain_id", chainId).put("hash", hashName)
          .put("genesis_time_ms", genesisTimeMs).put("next_seq", nextSeq);
      ObjectNode p = out.putObject("params");
      params.forEach(p::put);
      out.put("validators_since", validatorsSince);
      ArrayNode a = out.putArray("admins");
      for (Entry e : admins) {
        a.addObject().put("institution", e.institution).set("keys", keysJson(e.keys));
      }
      ArrayNode v = out.putArray("validators");
      for (Entry e : validators) {
        v.addObject().put("name", e.name).put("institution", e.institution)
            .put("vote_key", e.voteKey.canonicalPem()).put("node_key", e.nodeKey.canonicalPem())
            .put("power", e.power).put("address", e.address);
      }
      ArrayNode o = out.putArray("observers");
      for (Entry e : observers) {
        o.addObject().put("name", e.name).put("institution", e.institution)
            .put("node_key", e.nodeKey.canonicalPem()).put("address", e.address);
      }
      ArrayNode ag = out.putArray("agencies");
      for (Entry e : agencies) {
        ObjectNode agency = ag.addObject().put("id", e.id).put("name", e.name)
            .put("institution", e.institution);
        agency.set("keys", keysJson(e.keys));
        if (e.removed != null) agency.set("removed", e.removed.toJson());
      }
      ArrayNode rd = out.putArray("readers");
      for (Entry e : readers) {
        ObjectNode reader = rd.addObject().put("id", e.id).put("role", e.role);
        if (e.tokenSha256 != null) reader.put("token_sha256", e.tokenSha256);
        else reader.put("key", e.key.canonicalPem());
      }
      ArrayNode retired = out.putArray("retired_keys");
      retiredKeys.forEach(retired::add);
      // Left out when empty, so the state hash of a register without them is as before.
      if (!tsas.isEmpty()) {
        ArrayNode t = out.putArray("tsas");
        for (Entry e : tsas) t.addObject().put("institution", e.institution).put("ca_cert", e.caCert);
      }
      if (!witnesses.isEmpty()) {
        ArrayNode w = out.putArray("witnesses");
        for (Entry e : witnesses) w.addObject().put("name", e.name).put("key", e.key.canonicalPem());
      }
      return out;
    }

    private static ArrayNode keysJson(List<RegisteredKey> keys) {
      ArrayNode out = Jcs.MAPPER.createArrayNode();
      for (RegisteredKey k : keys) {
        ObjectNode key = out.addObject().put("key", k.key().canonicalPem());
        if (k.revoked() != null) key.set("revoked", k.revoked().toJson());
      }
      return out;
    }

    public String hash() { return hash; }
    public String validatorSetHash() { return validatorSetHash; }
    public long nextSeq() { return nextSeq; }

    /** Vote keys and powers, in index order. */
    public List<Keys.PublicKey> voteKeys() {
      return validators.stream().map(e -> e.voteKey).toList();
    }

    public List<Long> powers() {
      return validators.stream().map(e -> e.power).toList();
    }

    Entry agency(String agencyId) {
      for (Entry e : agencies) if (e.id.equals(agencyId)) return e;
      return null;
    }

    /** The key with this id registered for the agency, whatever its status, or null. */
    public RegisteredKey agencyKey(String agencyId, String keyId) {
      Entry agency = agency(agencyId);
      if (agency == null) return null;
      for (RegisteredKey k : agency.keys) if (k.key().keyId().equals(keyId)) return k;
      return null;
    }

    /** When the agency was removed, or null. */
    public Revocation agencyRemoved(String agencyId) {
      Entry agency = agency(agencyId);
      return agency == null ? null : agency.removed;
    }

    /** The key when records signed with it are accepted: registered, not revoked, the agency
     * not removed; null otherwise. */
    public Keys.PublicKey activeAgencyKey(String agencyId, String keyId) {
      RegisteredKey key = agencyKey(agencyId, keyId);
      if (key == null || key.revoked() != null || agency(agencyId).removed != null) return null;
      return key.key();
    }

    boolean keyEverUsed(String keyId) {
      for (Entry e : agencies) for (RegisteredKey k : e.keys) if (k.key().keyId().equals(keyId)) return true;
      for (Entry e : admins) for (RegisteredKey k : e.keys) if (k.key().keyId().equals(keyId)) return true;
      if (retiredKeys.contains(keyId)) return true;
      for (Entry e : validators) {
        if (e.voteKey.keyId().equals(keyId) || e.nodeKey.keyId().equals(keyId)) return true;
      }
      for (Entry e : observers) if (e.nodeKey.keyId().equals(keyId)) return true;
      for (Entry e : witnesses) if (e.key.keyId().equals(keyId)) return true;
      return false;
    }
  }

  /** ValidatorSet::Hash: H of "&lt;vote key id&gt;:&lt;power&gt;\n" for each validator. */
  static String validatorSetHash(String hashName, List<Entry> validators) {
    StringBuilder lines = new StringBuilder();
    for (Entry v : validators) lines.append(v.voteKey.keyId()).append(':').append(v.power).append('\n');
    return Hashes.hex(Hashes.hash(hashName, lines.toString().getBytes(StandardCharsets.US_ASCII)));
  }

  /** The register at genesis, from the (checked) genesis document. */
  public static Register fromGenesis(JsonNode g) {
    Register r = new Register();
    r.chainId = g.path("chain_id").asText();
    r.hashName = g.path("hash").asText();
    r.genesisTimeMs = g.path("genesis_time_ms").asLong();
    r.governed = g.has("v");
    if (g.has("params")) {
      for (String name : PARAM_BOUNDS.keySet()) r.params.put(name, g.path("params").path(name).asLong());
    } else {
      r.params.putAll(LEGACY_PARAMS);
    }
    for (JsonNode a : g.path("admins")) {
      Entry e = new Entry();
      e.institution = a.path("institution").asText();
      for (JsonNode k : a.path("keys")) e.keys.add(new RegisteredKey(Keys.PublicKey.fromPem(k.asText()), null));
      r.admins.add(e);
    }
    for (JsonNode v : g.path("validators")) r.validators.add(validatorEntry(v));
    for (JsonNode o : g.path("observers")) {
      Entry e = new Entry();
      e.name = o.path("name").asText();
      e.institution = o.path("institution").asText();
      e.nodeKey = Keys.PublicKey.fromPem(o.path("node_key").asText());
      e.address = o.path("address").asText();
      r.observers.add(e);
    }
    for (JsonNode a : g.path("agencies")) {
      Entry e = new Entry();
      e.id = a.path("id").asText();
      e.name = a.path("name").asText();
      e.institution = a.path("institution").asText();
      for (JsonNode k : a.path("keys")) e.keys.add(new RegisteredKey(Keys.PublicKey.fromPem(k.asText()), null));
      r.agencies.add(e);
    }
    for (JsonNode rd : g.path("readers")) {
      Entry e = new Entry();
      e.id = rd.path("id").asText();
      e.role = rd.path("role").asText();
      if (rd.has("token_sha256")) e.tokenSha256 = rd.path("token_sha256").asText();
      else e.key = Keys.PublicKey.fromPem(rd.path("key").asText());
      r.readers.add(e);
    }
    for (JsonNode t : g.path("tsas")) {
      Entry e = new Entry();
      e.institution = t.path("institution").asText();
      e.caCert = t.path("ca_cert").asText();
      r.tsas.add(e);
    }
    for (JsonNode w : g.path("witnesses")) r.witnesses.add(witnessEntry(w));
    return r.seal();
  }

  private static Entry witnessEntry(JsonNode w) {
    Entry e = new Entry();
    e.name = w.path("name").asText();
    e.key = Keys.PublicKey.fromPem(w.path("key").asText());
    return e;
  }

  /** ledger::CheckWitnessEntry: a note key name (c2sp.org/signed-note) and an Ed25519 key. */
  private static void checkWitnessEntry(String name, Keys.PublicKey key) throws GovernanceException {
    int size = name.getBytes(StandardCharsets.UTF_8).length;
    if (size < 1 || size > 256 || !Receipts.Genesis.NOTE_KEY_NAME.matcher(name).matches()) {
      throw malformed("witness.name must be a note key name of 1..256 bytes without spaces or '+'");
    }
    if (!key.alg().equals("ed25519")) throw malformed("witness.key must be an Ed25519 key (c2sp.org/tlog-cosignature)");
  }

  private static Entry validatorEntry(JsonNode v) {
    Entry e = new Entry();
    e.name = v.path("name").asText();
    e.institution = v.path("institution").asText();
    e.voteKey = Keys.PublicKey.fromPem(v.path("vote_key").asText());
    e.nodeKey = Keys.PublicKey.fromPem(v.path("node_key").asText());
    e.power = v.path("power").asLong();
    e.address = v.path("address").asText();
    return e;
  }

  // ---------------------------------------------------------------- actions

  /** A parsed action: its JSON, name, seq, signing bytes and signatures. */
  record Action(JsonNode value, String chainId, long seq, String name, byte[] signing,
                List<String[]> sigs, List<byte[]> sigValues) {}

  private static void members(JsonNode value, String where, List<String> required,
                              List<String> optional) throws GovernanceException {
    if (!value.isObject()) throw malformed(where + " must be a JSON object");
    for (String name : required) {
      if (!value.has(name)) throw malformed(where + ": missing field " + name);
    }
    for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!required.contains(name) && !optional.contains(name)) {
        throw malformed(where + ": unknown field " + name);
      }
    }
  }

  private static String text(JsonNode value, String what) throws GovernanceException {
    if (!value.isTextual()) throw malformed(what + " must be a string");
    return value.textValue();
  }

  private static long integer(JsonNode value, String what, long low) throws GovernanceException {
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < low
        || value.asLong() > Jcs.INTEGER_MAX) {
      throw malformed(what + " must be an integer " + low + "..2^53-1");
    }
    return value.asLong();
  }

  private static String keyId(JsonNode value, String what) throws GovernanceException {
    if (!value.isTextual() || !HEX64.matcher(value.textValue()).matches()) {
      throw malformed(what + " must be 64 lower-case hex");
    }
    return value.textValue();
  }

  private static Keys.PublicKey pem(JsonNode value, String what) throws GovernanceException {
    String pem = text(value, what);
    Keys.PublicKey key;
    try {
      key = Keys.PublicKey.fromPem(pem);
    } catch (RuntimeException e) {
      throw malformed(what + ": " + e.getMessage());
    }
    if (!key.canonicalPem().equals(pem)) throw malformed(what + " is not in canonical PEM form");
    return key;
  }

  /** The members each action may hold besides v, chain_id, seq, action and sigs; the operand
   * values are checked by {@link #checkOperands}. */
  private static List<String> operandMembers(String action) {
    return switch (action) {
      case "add-agency" -> List.of("agency");
      case "remove-agency" -> List.of("agency_id");
      case "add-agency-key" -> List.of("agency_id", "key");
      case "revoke-agency-key" -> List.of("agency_id", "key_id", "reason", "effective_ms");
      case "add-reader" -> List.of("reader");
      case "remove-reader" -> List.of("reader_id");
      case "add-validator" -> List.of("validator");
      case "remove-validator", "remove-observer" -> List.of("name");
      case "set-power" -> List.of("name", "power");
      case "rotate-validator-keys" -> List.of("name");
      case "add-observer" -> List.of("observer");
      case "add-admin-key" -> List.of("institution", "key");
      case "revoke-admin-key" -> List.of("institution", "key_id");
      case "add-witness" -> List.of("witness");
      case "remove-witness" -> List.of("name");
      case "set-tsa-ca" -> List.of("institution", "ca_cert");
      default -> List.of("params");
    };
  }

  /** ledger::ReadBody's checks of the operands' types and forms. */
  private static void checkOperands(String action, JsonNode v) throws GovernanceException {
    switch (action) {
      case "add-agency" -> {
        JsonNode a = v.path("agency");
        members(a, "agency", List.of("id", "name", "institution", "keys"), List.of());
        text(a.path("id"), "agency.id");
        text(a.path("name"), "agency.name");
        text(a.path("institution"), "agency.institution");
        JsonNode keys = a.path("keys");
        if (!keys.isArray() || keys.size() > AGENCY_KEYS_MAX) {
          throw malformed("agency.keys must be a list of at most " + AGENCY_KEYS_MAX);
        }
        for (JsonNode k : keys) pem(k, "agency.keys[]");
      }
      case "remove-agency" -> text(v.path("agency_id"), "agency_id");
      case "add-agency-key" -> {
        text(v.path("agency_id"), "agency_id");
        pem(v.path("key"), "key");
      }
      case "revoke-agency-key" -> {
        text(v.path("agency_id"), "agency_id");
        keyId(v.path("key_id"), "key_id");
        String reason = text(v.path("reason"), "reason");
        if (!reason.equals("rotated") && !reason.equals("compromised")) {
          throw malformed("reason must be \"rotated\" or \"compromised\"");
        }
        integer(v.path("effective_ms"), "effective_ms", 0);
      }
      case "add-reader" -> {
        JsonNode r = v.path("reader");
        if (!r.isObject() || r.has("token_sha256") == r.has("key")) {
          throw malformed("reader: exactly one of \"token_sha256\" and \"key\" is required");
        }
        String credential = r.has("key") ? "key" : "token_sha256";
        members(r, "reader", List.of("id", "role", credential), List.of());
        text(r.path("id"), "reader.id");
        text(r.path("role"), "reader.role");
        if (credential.equals("key")) pem(r.path("key"), "reader.key");
        else keyId(r.path("token_sha256"), "reader.token_sha256");
      }
      case "remove-reader" -> text(v.path("reader_id"), "reader_id");
      case "add-validator" -> {
        JsonNode x = v.path("validator");
        members(x, "validator", List.of("name", "institution", "vote_key", "node_key", "power",
            "address"), List.of());
        text(x.path("name"), "validator.name");
        text(x.path("institution"), "validator.institution");
        pem(x.path("vote_key"), "validator.vote_key");
        pem(x.path("node_key"), "validator.node_key");
        integer(x.path("power"), "validator.power", 0);
        text(x.path("address"), "validator.address");
      }
      case "remove-validator", "remove-observer" -> text(v.path("name"), "name");
      case "set-power" -> {
        text(v.path("name"), "name");
        integer(v.path("power"), "power", 0);
      }
      case "rotate-validator-keys" -> {
        text(v.path("name"), "name");
        if (v.has("vote_key")) pem(v.path("vote_key"), "vote_key");
        if (v.has("node_key")) pem(v.path("node_key"), "node_key");
        if (v.has("address")) text(v.path("address"), "address");
        if (!v.has("vote_key") && !v.has("node_key") && !v.has("address")) {
          throw malformed("rotate-validator-keys needs at least one of vote_key, node_key, address");
        }
      }
      case "add-observer" -> {
        JsonNode o = v.path("observer");
        members(o, "observer", List.of("name", "institution", "node_key", "address"), List.of());
        text(o.path("name"), "observer.name");
        text(o.path("institution"), "observer.institution");
        pem(o.path("node_key"), "observer.node_key");
        text(o.path("address"), "observer.address");
      }
      case "add-admin-key" -> {
        text(v.path("institution"), "institution");
        pem(v.path("key"), "key");
      }
      case "revoke-admin-key" -> {
        text(v.path("institution"), "institution");
        keyId(v.path("key_id"), "key_id");
      }
      case "add-witness" -> {
        JsonNode w = v.path("witness");
        members(w, "witness", List.of("name", "key"), List.of());
        checkWitnessEntry(text(w.path("name"), "witness.name"), pem(w.path("key"), "witness.key"));
      }
      case "remove-witness" -> text(v.path("name"), "name");
      case "set-tsa-ca" -> {
        text(v.path("institution"), "institution");
        String pem = text(v.path("ca_cert"), "ca_cert");
        if (pem.getBytes(StandardCharsets.UTF_8).length > CA_CERT_BYTES_MAX || !Receipts.Genesis.isCaCertificate(pem)) {
          throw malformed("ca_cert must be one CA certificate (CA:TRUE) in canonical PEM");
        }
      }
      default -> {  // set-params: some of the six fields, integers, no others
        JsonNode p = v.path("params");
        members(p, "params", List.of(), List.copyOf(PARAM_BOUNDS.keySet()));
        if (p.isEmpty()) throw malformed("params: names no parameter to change");
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          integer(field.getValue(), "params." + field.getKey(),
              field.getKey().endsWith("_ms") ? -Jcs.INTEGER_MAX : 0);
        }
      }
    }
  }

  /** A governance action leaf (the JCS text of a signed action), read by the rules of
   * ledger::ParseAction and checked to be canonical. */
  static Action parseAction(String leaf) throws GovernanceException {
    byte[] data = leaf.getBytes(StandardCharsets.UTF_8);
    if (data.length > ACTION_BYTES_MAX) throw malformed("an action is at most 16384 bytes");
    JsonNode value;
    try {
      value = Jcs.parseStrict(data, 8);
    } catch (Jcs.CanonicalJsonException e) {
      throw malformed(e.getMessage());
    }
    if (!value.isObject()) throw malformed("an action must be a JSON object");
    for (String name : List.of("v", "chain_id", "seq", "action", "sigs")) {
      if (!value.has(name)) throw malformed("action: missing field " + name);
    }
    if (integer(value.path("v"), "v", 0) != 1) throw malformed("v must be 1");
    String chainId = text(value.path("chain_id"), "chain_id");
    int chainBytes = chainId.getBytes(StandardCharsets.UTF_8).length;
    if (chainBytes < 1 || chainBytes > 64) throw malformed("chain_id must be 1..64 bytes");
    long seq = integer(value.path("seq"), "seq", 1);
    String name = text(value.path("action"), "action");
    if (!ACTIONS.contains(name)) {
      throw new GovernanceException("governance.unknown_action", name + " is not a governance action");
    }
    List<String> optional = new ArrayList<>(operandMembers(name));
    if (name.equals("rotate-validator-keys")) optional.addAll(List.of("vote_key", "node_key", "address"));
    List<String> required = new ArrayList<>(List.of("v", "chain_id", "seq", "action", "sigs"));
    if (!name.equals("rotate-validator-keys")) required.addAll(operandMembers(name));
    members(value, "action", required, optional);
    checkOperands(name, value);
    JsonNode sigs = value.path("sigs");
    if (!sigs.isArray() || sigs.size() > SIGNATURES_MAX) {
      throw malformed("sigs must be a list of at most " + SIGNATURES_MAX);
    }
    List<String[]> signatures = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < sigs.size(); i++) {
      JsonNode s = sigs.get(i);
      members(s, "sigs[" + i + "]", List.of("alg", "key", "value"), List.of());
      String alg = text(s.path("alg"), "sigs[].alg");
      if (!List.of("p256", "ed25519", "sm2").contains(alg)) {
        throw malformed("sigs[" + i + "].alg is not p256, ed25519 or sm2");
      }
      String key = keyId(s.path("key"), "sigs[].key");
      String raw = text(s.path("value"), "sigs[].value");
      byte[] decoded;
      try {
        decoded = Base64.getDecoder().decode(raw);
      } catch (IllegalArgumentException e) {
        decoded = null;
      }
      if (decoded == null || !Base64.getEncoder().encodeToString(decoded).equals(raw)
          || decoded.length < 1 || decoded.length > SIGNATURE_BYTES_MAX) {
        throw malformed("sigs[" + i + "].value is not base64 of 1..256 bytes");
      }
      if (!signatures.isEmpty() && key.compareTo(signatures.get(signatures.size() - 1)[1]) <= 0) {
        throw malformed("sigs must be sorted by key id, one per key (sigs[" + i + "])");
      }
      signatures.add(new String[] {alg, key});
      values.add(decoded);
    }
    if (!Jcs.canonicalText(value).equals(leaf)) throw malformed("not in canonical (JCS) form");
    ObjectNode unsigned = ((ObjectNode) value).deepCopy();
    unsigned.remove("sigs");
    byte[] jcs = Jcs.canonicalize(unsigned);
    byte[] signing = new byte[SIGNING_DOMAIN.length + jcs.length];
    System.arraycopy(SIGNING_DOMAIN, 0, signing, 0, SIGNING_DOMAIN.length);
    System.arraycopy(jcs, 0, signing, SIGNING_DOMAIN.length, jcs.length);
    return new Action(value, chainId, seq, name, signing, signatures, values);
  }

  /** Steps 1-5 of ApplyAction: the chain, the sequence, the signatures, the threshold. */
  private static void checkAuthority(Register s, Action a) throws GovernanceException {
    if (!s.governed) {
      throw new GovernanceException("governance.not_governed", "this chain's genesis has no admin keys");
    }
    if (!a.chainId().equals(s.chainId)) {
      throw new GovernanceException("governance.chain_mismatch", "chain_id is not this chain's");
    }
    if (a.seq() != s.nextSeq) {
      throw new GovernanceException("governance.bad_sequence",
          "seq " + a.seq() + ": the next action must carry seq " + s.nextSeq);
    }
    Set<String> institutions = new HashSet<>();
    for (int i = 0; i < a.sigs().size(); i++) {
      String alg = a.sigs().get(i)[0];
      String keyId = a.sigs().get(i)[1];
      Entry admin = null;
      RegisteredKey key = null;
      for (Entry e : s.admins) {
        for (RegisteredKey k : e.keys) {
          if (k.key().keyId().equals(keyId)) {
            admin = e;
            key = k;
          }
        }
      }
      if (key == null) {
        throw new GovernanceException("governance.unknown_admin_key", "key " + keyId + " is not an admin key");
      }
      if (key.revoked() != null) {
        throw new GovernanceException("governance.admin_key_revoked", "admin key " + keyId + " was revoked");
      }
      if (!alg.equals(key.key().alg()) || !key.key().verify(a.signing(), a.sigValues().get(i))) {
        throw new GovernanceException("governance.bad_signature",
            "the signature by admin key " + keyId + " does not verify");
      }
      institutions.add(admin.institution);
    }
    if (institutions.size() < s.params.get("governance_threshold")) {
      throw new GovernanceException("governance.too_few_signatures", "signed by "
          + institutions.size() + " institution(s); " + s.params.get("governance_threshold") + " must sign");
    }
  }

  private static void checkName(String where, String value, boolean identifier)
      throws GovernanceException {
    int size = value.getBytes(StandardCharsets.UTF_8).length;
    if (size < 1 || size > 256) throw malformed(where + " must be 1..256 bytes");
    if (identifier && !IDENTIFIER.matcher(value).matches()) {
      throw malformed(where + " may hold only A-Z a-z 0-9 . _ -");
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < 0x20 || value.charAt(i) == 0x7f) throw malformed(where + " has a control character");
    }
  }

  private static void checkNewKey(Register s, Keys.PublicKey key, String what) throws GovernanceException {
    if (s.keyEverUsed(key.keyId())) throw conflict(what + " " + key.keyId() + " is, or was, registered already");
  }

  private static long signingInstitutions(List<Entry> admins) {
    return admins.stream().filter(a -> a.activeKeys() > 0).count();
  }

  /** ledger::CheckValidatorSetSafety. */
  static void checkValidatorSetSafety(List<Entry> before, List<Entry> after) throws GovernanceException {
    if (after.size() < before.size() && after.size() < VALIDATORS_MIN_AFTER_REMOVAL) {
      throw unsafe("a removal may not leave fewer than 4 validators");
    }
    if (after.size() > VALIDATORS_MAX) throw unsafe("too many validators");
    if (after.size() >= VALIDATORS_MIN_AFTER_REMOVAL) {
      BigInteger total = BigInteger.ZERO;
      BigInteger largest = BigInteger.ZERO;
      for (Entry v : after) {
        BigInteger power = BigInteger.valueOf(v.power);
        total = total.add(power);
        largest = largest.max(power);
      }
      if (largest.multiply(BigInteger.valueOf(3)).compareTo(total) >= 0) {
        throw unsafe("no validator may hold a third or more of the voting power");
      }
    }
  }

  private static void changeValidators(Register s, Register e, List<Entry> after, long height)
      throws GovernanceException {
    checkValidatorSetSafety(s.validators, after);
    if (after.isEmpty()) throw unsafe("validator set is empty");
    BigInteger total = BigInteger.ZERO;
    Set<String> voteKeys = new HashSet<>();
    for (Entry v : after) {
      if (v.power == 0) throw unsafe("a validator has power 0");
      total = total.add(BigInteger.valueOf(v.power));
      if (total.compareTo(TOTAL_POWER_MAX) > 0) throw unsafe("total power exceeds 2^60");
      if (!voteKeys.add(v.voteKey.keyId())) throw unsafe("the set reuses a vote key");
    }
    if (!validatorSetHash(s.hashName, after).equals(s.validatorSetHash)) {
      e.validatorsSince = height + ACTIVATION_DELAY;
    }
    e.validators = after;
  }

  private static void retire(Register e, Keys.PublicKey key) {
    e.retiredKeys.add(key.keyId());
    Collections.sort(e.retiredKeys);
  }

  private static Entry liveAgency(Register e, String id) {
    for (Entry a : e.agencies) if (a.id.equals(id) && a.removed == null) return a;
    return null;
  }

  private static int validatorIndex(Register s, String name) {
    for (int i = 0; i < s.validators.size(); i++) if (s.validators.get(i).name.equals(name)) return i;
    return -1;
  }

  private static int observerIndex(List<Entry> observers, String name) {
    for (int i = 0; i < observers.size(); i++) if (observers.get(i).name.equals(name)) return i;
    return -1;
  }

  private static Keys.PublicKey key(JsonNode pem) {
    return Keys.PublicKey.fromPem(pem.asText());
  }

  /** Step 6: the operation's rules and its change on e, the copy of s. */
  private static void operate(Register s, Register e, Action a, long height, long timeMs)
      throws GovernanceException {
    JsonNode v = a.value();
    long seq = a.seq();
    switch (a.name()) {
      case "add-agency" -> {
        JsonNode op = v.path("agency");
        String id = op.path("id").asText();
        checkName("agency.id", id, true);
        if (id.getBytes(StandardCharsets.UTF_8).length > 128) throw malformed("agency.id is too long");
        checkName("agency.name", op.path("name").asText(), false);
        checkName("agency.institution", op.path("institution").asText(), false);
        if (op.path("keys").isEmpty()) throw malformed("agency.keys must hold 1..16 keys");
        if (s.agency(id) != null) throw conflict("agency " + id + " exists, or existed");
        if (s.agencies.size() >= AGENCIES_MAX) throw conflict("the register holds the most agencies it may");
        Entry agency = new Entry();
        agency.id = id;
        agency.name = op.path("name").asText();
        agency.institution = op.path("institution").asText();
        Set<String> seen = new HashSet<>();
        for (JsonNode pem : op.path("keys")) {
          Keys.PublicKey k = key(pem);
          checkNewKey(s, k, "agency key");
          if (!seen.add(k.keyId())) throw conflict("agency key " + k.keyId() + " is listed twice");
          agency.keys.add(new RegisteredKey(k, null));
        }
        e.agencies.add(agency);
      }
      case "remove-agency" -> {
        Entry agency = liveAgency(e, v.path("agency_id").asText());
        if (agency == null) throw unknown("no agency to remove");
        agency.removed = new Revocation(null, 0, seq, height, timeMs);
      }
      case "add-agency-key" -> {
        Entry agency = liveAgency(e, v.path("agency_id").asText());
        if (agency == null) throw unknown("no agency to add a key to");
        Keys.PublicKey k = key(v.path("key"));
        checkNewKey(s, k, "agency key");
        if (agency.activeKeys() >= AGENCY_KEYS_MAX || agency.keys.size() >= KEYS_EVER_MAX) {
          throw conflict("the agency has the most keys it may have");
        }
        agency.keys.add(new RegisteredKey(k, null));
      }
      case "revoke-agency-key" -> {
        Entry agency = liveAgency(e, v.path("agency_id").asText());
        if (agency == null) throw unknown("no such agency");
        String keyId = v.path("key_id").asText();
        for (int i = 0; i < agency.keys.size(); i++) {
          RegisteredKey k = agency.keys.get(i);
          if (!k.key().keyId().equals(keyId)) continue;
          if (k.revoked() != null) throw conflict("key " + keyId + " was revoked already");
          agency.keys.set(i, new RegisteredKey(k.key(), new Revocation(v.path("reason").asText(),
              v.path("effective_ms").asLong(), seq, height, timeMs)));
          return;
        }
        throw unknown("the agency has no key " + keyId);
      }
      case "add-reader" -> {
        JsonNode op = v.path("reader");
        Entry reader = new Entry();
        reader.id = op.path("id").asText();
        reader.role = op.path("role").asText();
        checkName("reader.id", reader.id, true);
        checkName("reader.role", reader.role, true);
        for (Entry r : s.readers) if (r.id.equals(reader.id)) throw conflict("reader exists already");
        if (s.readers.size() >= READERS_MAX) throw conflict("the register holds the most readers it may");
        if (op.has("token_sha256")) reader.tokenSha256 = op.path("token_sha256").asText();
        else reader.key = key(op.path("key"));
        e.readers.add(reader);
      }
      case "remove-reader" -> {
        String id = v.path("reader_id").asText();
        if (!e.readers.removeIf(r -> r.id.equals(id))) throw unknown("no reader " + id + " to remove");
      }
      case "add-validator" -> {
        Entry op = validatorEntry(v.path("validator"));
        checkName("validator.name", op.name, true);
        checkName("validator.institution", op.institution, false);
        checkName("validator.address", op.address, false);
        if (op.power < 1) throw malformed("validator.power must be 1..2^53-1");
        Entry admin = null;
        for (Entry ad : s.admins) if (ad.institution.equals(op.institution)) admin = ad;
        if (admin == null || admin.activeKeys() == 0) {
          throw unknown("institution " + op.institution + " has no admin key");
        }
        int promoted = -1;
        for (int i = 0; i < e.observers.size(); i++) {
          if (e.observers.get(i).nodeKey.keyId().equals(op.nodeKey.keyId())) promoted = i;
        }
        boolean observerNamed = observerIndex(s.observers, op.name) >= 0;
        if (validatorIndex(s, op.name) >= 0 || (observerNamed
            && (promoted < 0 || !e.observers.get(promoted).name.equals(op.name)))) {
          throw conflict("the name " + op.name + " is taken by another node");
        }
        checkNewKey(s, op.voteKey, "vote key");
        if (promoted < 0) checkNewKey(s, op.nodeKey, "node key");
        if (op.voteKey.keyId().equals(op.nodeKey.keyId())) throw conflict("vote key and node key are the same");
        List<Entry> after = Register.copies(s.validators);
        after.add(op);
        changeValidators(s, e, after, height);
        if (promoted >= 0) e.observers.remove(promoted);
      }
      case "remove-validator" -> {
        int index = validatorIndex(s, v.path("name").asText());
        if (index < 0) throw unknown("no validator to remove");
        List<Entry> after = Register.copies(s.validators);
        after.remove(index);
        changeValidators(s, e, after, height);
        retire(e, s.validators.get(index).voteKey);
        retire(e, s.validators.get(index).nodeKey);
      }
      case "set-power" -> {
        int index = validatorIndex(s, v.path("name").asText());
        if (index < 0) throw unknown("no such validator");
        long power = v.path("power").asLong();
        if (power < 1) throw malformed("power must be 1..2^53-1");
        if (s.validators.get(index).power == power) throw conflict("the power is " + power + " already");
        List<Entry> after = Register.copies(s.validators);
        after.get(index).power = power;
        changeValidators(s, e, after, height);
      }
      case "rotate-validator-keys" -> {
        int index = validatorIndex(s, v.path("name").asText());
        if (index < 0) throw unknown("no such validator");
        List<Entry> after = Register.copies(s.validators);
        Entry changed = after.get(index);
        Keys.PublicKey vote = v.has("vote_key") ? key(v.path("vote_key")) : null;
        Keys.PublicKey node = v.has("node_key") ? key(v.path("node_key")) : null;
        if (vote != null) {
          checkNewKey(s, vote, "vote key");
          changed.voteKey = vote;
        }
        if (node != null) {
          checkNewKey(s, node, "node key");
          changed.nodeKey = node;
        }
        if (vote != null && node != null && vote.keyId().equals(node.keyId())) {
          throw conflict("vote key and node key are the same");
        }
        if (v.has("address")) {
          checkName("address", v.path("address").asText(), false);
          changed.address = v.path("address").asText();
        }
        changeValidators(s, e, after, height);
        if (vote != null) retire(e, s.validators.get(index).voteKey);
        if (node != null) retire(e, s.validators.get(index).nodeKey);
      }
      case "add-observer" -> {
        JsonNode op = v.path("observer");
        Entry o = new Entry();
        o.name = op.path("name").asText();
        o.institution = op.path("institution").asText();
        o.nodeKey = key(op.path("node_key"));
        o.address = op.path("address").asText();
        checkName("observer.name", o.name, true);
        checkName("observer.institution", o.institution, false);
        checkName("observer.address", o.address, false);
        if (validatorIndex(s, o.name) >= 0 || observerIndex(s.observers, o.name) >= 0) {
          throw conflict("the name " + o.name + " is taken by another node");
        }
        checkNewKey(s, o.nodeKey, "node key");
        if (s.observers.size() >= OBSERVERS_MAX) throw conflict("the register holds the most observers it may");
        e.observers.add(o);
      }
      case "remove-observer" -> {
        int at = observerIndex(e.observers, v.path("name").asText());
        if (at < 0) throw unknown("no observer to remove");
        retire(e, e.observers.get(at).nodeKey);
        e.observers.remove(at);
      }
      case "add-admin-key" -> {
        String institution = v.path("institution").asText();
        checkName("institution", institution, false);
        Keys.PublicKey k = key(v.path("key"));
        checkNewKey(s, k, "admin key");
        for (Entry admin : e.admins) {
          if (!admin.institution.equals(institution)) continue;
          if (admin.activeKeys() >= ADMIN_KEYS_MAX || admin.keys.size() >= KEYS_EVER_MAX) {
            throw conflict(institution + " has the most admin keys it may have");
          }
          admin.keys.add(new RegisteredKey(k, null));
          return;
        }
        if (s.admins.size() >= INSTITUTIONS_MAX) throw conflict("the register holds the most institutions it may");
        Entry admin = new Entry();
        admin.institution = institution;
        admin.keys.add(new RegisteredKey(k, null));
        e.admins.add(admin);
      }
      case "revoke-admin-key" -> {
        String institution = v.path("institution").asText();
        String keyId = v.path("key_id").asText();
        Entry admin = null;
        for (Entry ad : e.admins) if (ad.institution.equals(institution)) admin = ad;
        if (admin == null) throw unknown("no institution " + institution + " with admin keys");
        int at = -1;
        for (int i = 0; i < admin.keys.size(); i++) if (admin.keys.get(i).key().keyId().equals(keyId)) at = i;
        if (at < 0) throw unknown(institution + " has no admin key " + keyId);
        if (admin.keys.get(at).revoked() != null) throw conflict("admin key " + keyId + " was revoked already");
        admin.keys.set(at, new RegisteredKey(admin.keys.get(at).key(),
            new Revocation("revoked", timeMs, seq, height, timeMs)));
        if (admin.activeKeys() == 0) {
          for (Entry validator : s.validators) {
            if (validator.institution.equals(institution)) {
              throw conflict(institution + " runs a validator and would be left without an admin key");
            }
          }
        }
        if (signingInstitutions(e.admins) < s.params.get("governance_threshold")) {
          throw conflict("fewer institutions than the threshold would have admin keys");
        }
      }
      case "add-witness" -> {
        Entry w = witnessEntry(v.path("witness"));
        checkWitnessEntry(w.name, w.key);
        for (Entry other : s.witnesses) if (other.name.equals(w.name)) throw conflict("witness " + w.name + " exists");
        if (s.witnesses.size() >= WITNESSES_MAX) throw conflict("the register holds the most witnesses it may");
        checkNewKey(s, w.key, "witness key");
        e.witnesses.add(w);
      }
      case "remove-witness" -> {
        String name = v.path("name").asText();
        int at = -1;
        for (int i = 0; i < e.witnesses.size() && at < 0; i++) if (e.witnesses.get(i).name.equals(name)) at = i;
        if (at < 0) throw unknown("no witness " + name);
        // Its key never comes back: a cosignature made with it before stays its own.
        retire(e, e.witnesses.get(at).key);
        e.witnesses.remove(at);
      }
      case "set-tsa-ca" -> {
        String institution = v.path("institution").asText();
        String caCert = v.path("ca_cert").asText();
        checkName("institution", institution, false);
        Entry admin = null;
        for (Entry ad : s.admins) if (admin == null && ad.institution.equals(institution)) admin = ad;
        if (admin == null || admin.activeKeys() == 0) {
          throw unknown("institution " + institution + " holds no admin key (a TSA belongs to an institution of the register)");
        }
        for (Entry tsa : e.tsas) {
          if (!tsa.institution.equals(institution)) continue;
          if (tsa.caCert.equals(caCert)) throw conflict(institution + "'s TSA CA is this certificate already");
          tsa.caCert = caCert;
          return;
        }
        Entry tsa = new Entry();
        tsa.institution = institution;
        tsa.caCert = caCert;
        e.tsas.add(tsa);
      }
      default -> {  // set-params
        Map<String, Long> params = new LinkedHashMap<>(s.params);
        for (Iterator<Map.Entry<String, JsonNode>> it = v.path("params").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          params.put(field.getKey(), field.getValue().asLong());
        }
        for (Map.Entry<String, long[]> bound : PARAM_BOUNDS.entrySet()) {
          long value = params.get(bound.getKey());
          if (value < bound.getValue()[0] || value > bound.getValue()[1]) {
            throw malformed("params." + bound.getKey() + " is out of its bounds");
          }
        }
        long institutions = signingInstitutions(s.admins);
        long threshold = params.get("governance_threshold");
        if (threshold < 1 || threshold > institutions) {
          throw malformed("params.governance_threshold must be 1.." + institutions);
        }
        if (params.equals(s.params)) throw conflict("the params have these values already");
        e.params = params;
      }
    }
  }

  /** ledger::ApplyAction: every check, then the register after the action. */
  static Register apply(Register s, Action a, long height, long timeMs) throws GovernanceException {
    checkAuthority(s, a);
    Register e = s.copy();
    operate(s, e, a, height, timeMs);
    e.nextSeq = s.nextSeq + 1;
    return e.seal();
  }

  /** The registers by height (ledger::GovernanceHistory): genesis at 0, then one per block
   * whose actions changed the register. */
  public static final class History {
    private final List<Long> heights = new ArrayList<>();
    private final List<Register> states = new ArrayList<>();

    public History(Register genesis) {
      heights.add(0L);
      states.add(genesis);
    }

    /** Applies block {@code height}'s action leaves, each on the register the ones before it
     * made (heights increase from call to call). */
    public void apply(long height, long timeMs, List<String> leaves) throws GovernanceException {
      if (height <= heights.get(heights.size() - 1)) throw new IllegalStateException("heights must increase");
      if (leaves.isEmpty()) return;
      Register current = latest();
      for (int i = 0; i < leaves.size(); i++) {
        try {
          current = Governance.apply(current, parseAction(leaves.get(i)), height, timeMs);
        } catch (GovernanceException e) {
          throw new GovernanceException(e.code(), "action " + i + ": " + e.getMessage());
        }
      }
      heights.add(height);
      states.add(current);
    }

    public Register afterBlock(long height) {
      Register found = states.get(0);
      for (int i = 0; i < heights.size(); i++) if (heights.get(i) <= height) found = states.get(i);
      return found;
    }

    public Register inForce(long height) {
      return height <= ACTIVATION_DELAY ? states.get(0) : afterBlock(height - ACTIVATION_DELAY);
    }

    public Register latest() {
      return states.get(states.size() - 1);
    }

    public List<Long> changeHeights() {
      return heights.subList(1, heights.size());
    }
  }

  /** The Merkle root of a block's action leaves (LeavesRoot). */
  public static String actionsRoot(String hashName, List<String> leaves) {
    List<byte[]> hashes = new ArrayList<>();
    for (String leaf : leaves) hashes.add(Merkle.leafHash(hashName, leaf.getBytes(StandardCharsets.UTF_8)));
    return Hashes.hex(Merkle.root(hashName, hashes));
  }
}
