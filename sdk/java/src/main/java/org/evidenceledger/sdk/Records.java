package org.evidenceledger.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.digests.SM3Digest;

/**
 * Evidence records and batches: build, sign, and the bytes the ledger hashes (docs/api.md, "A
 * record, byte by byte" and "A batch, byte by byte").
 *
 * <pre>
 *   signing bytes = "EVIDENCE-RECORD/v1\n" + JCS(record without "sig")
 *   record id     = hex H(signing bytes), H the chain's hash (sha256 or sm3)
 *   body          = JCS(record with "sig"): the exact bytes sent, and resent
 * </pre>
 *
 * A batch signs many records at once: the RFC 6962 root of their record ids under a header
 * {agency, chain_id, root, size, v: 1} signed as "EVIDENCE-BATCH/v1\n" + JCS(header); every record
 * carries sig.batch {root, size, index, path}. Keep a SignedRecord or SignedBatch until it is
 * committed and resend its body unchanged: signing again takes a new time, hence a new record
 * id, and the ledger would hold the document twice. Pure functions; thread-safe.
 */
public final class Records {
  public static final String SIGNING_DOMAIN = "EVIDENCE-RECORD/v1\n";
  public static final String BATCH_DOMAIN = "EVIDENCE-BATCH/v1\n";
  public static final List<String> KINDS = List.of("enforcement_record", "review_opinion",
      "reconsideration_document", "litigation_document", "other");
  public static final int BATCH_RECORDS_MAX = 10_000;
  /** A POST /v1/batches body stays under the node's 8 MiB limit with room to spare. */
  public static final int BATCH_BODY_BYTES_MAX = 8 * 1024 * 1024 - 64 * 1024;
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private Records() {}

  /** A record that the ledger would refuse, found before signing. */
  public static final class RecordException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    public RecordException(String message) {
      super(message);
    }
  }

  /** What the records of one submission share; set with the fluent setters. */
  public static final class Fields {
    String chainId;
    String agency;
    String kind = "enforcement_record";
    String caseId;
    String stage;
    String mediaType;
    String title;
    List<String> links = List.of();
    Long timeMs;

    public Fields chainId(String value) { chainId = value; return this; }
    public Fields agency(String value) { agency = value; return this; }
    public Fields kind(String value) { kind = value; return this; }
    public Fields caseId(String value) { caseId = value; return this; }
    public Fields stage(String value) { stage = value; return this; }
    public Fields mediaType(String value) { mediaType = value; return this; }
    public Fields title(String value) { title = value; return this; }
    public Fields links(List<String> value) { links = List.copyOf(value); return this; }
    public Fields timeMs(long value) { timeMs = value; return this; }
  }

  /** A signed record: the record (sig included), its id, and the body to send. */
  public record SignedRecord(ObjectNode record, String id, byte[] body) {}

  /** A signed batch: its records, their ids, the batch root (batch_id) and the body to send. */
  public record SignedBatch(List<ObjectNode> records, List<String> ids, String batchId,
                            byte[] body) {}

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern DIGEST = Pattern.compile("(sha256|sm3):[0-9a-f]{64}");
  private static final Pattern BASE64 = Pattern.compile("([A-Za-z0-9+/]{4})*"
      + "([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");
  private static final Set<String> MEMBERS = Set.of("v", "chain_id", "kind", "case_id", "stage",
      "agency", "digest", "size", "media_type", "title", "links", "time", "sig");
  public static final int RECORD_BYTES_MAX = 4096;

  private static void text(JsonNode record, String name, int low, int high, boolean identifier) {
    JsonNode value = record.path(name);
    if (!value.isTextual()) throw new RecordException(name + " must be a string");
    String text = value.textValue();
    int size = text.getBytes(StandardCharsets.UTF_8).length;
    if (size < low || size > high) {
      throw new RecordException(name + " must be " + low + ".." + high + " bytes of UTF-8, not "
          + size);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) throw new RecordException(name + " contains a control character");
    }
    if (identifier && !IDENTIFIER.matcher(text).matches()) {
      throw new RecordException(name + " may hold only A-Z a-z 0-9 . _ -");
    }
  }

  private static long integer(JsonNode value, String name, long low, long high) {
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < low
        || value.asLong() > high) {
      throw new RecordException(name + " must be an integer " + low + ".." + high);
    }
    return value.asLong();
  }

  private static void hex(JsonNode value, String name) {
    if (!value.isTextual() || !HEX64.matcher(value.textValue()).matches()) {
      throw new RecordException(name + " must be 64 lower-case hex digits");
    }
  }

  private static void members(JsonNode value, String where, Set<String> allowed,
                              Set<String> required) {
    if (!value.isObject()) throw new RecordException(where + " must be a JSON object");
    for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) throw new RecordException(where + ": unknown member " + name);
    }
    for (String name : required) {
      if (!value.has(name)) throw new RecordException(where + ": missing member " + name);
    }
  }

  private static void checkSig(JsonNode sig) {
    members(sig, "sig", Set.of("alg", "key", "value", "batch"), Set.of("alg", "key", "value"));
    if (!List.of("p256", "ed25519", "sm2").contains(sig.path("alg").asText())
        || !sig.path("alg").isTextual()) {
      throw new RecordException("sig.alg must be p256, ed25519 or sm2");
    }
    hex(sig.path("key"), "sig.key");
    JsonNode value = sig.path("value");
    if (!value.isTextual() || !BASE64.matcher(value.textValue()).matches()) {
      throw new RecordException("sig.value must be padded base64");
    }
    byte[] decoded = Base64.getDecoder().decode(value.textValue());
    if (!Base64.getEncoder().encodeToString(decoded).equals(value.textValue())) {
      throw new RecordException("sig.value is not canonical base64");
    }
    if (decoded.length < 1 || decoded.length > 256) {
      throw new RecordException("sig.value must be 1..256 bytes");
    }
    if (sig.has("batch")) {
      JsonNode batch = sig.path("batch");
      Set<String> names = Set.of("root", "size", "index", "path");
      members(batch, "sig.batch", names, names);
      hex(batch.path("root"), "sig.batch.root");
      long size = integer(batch.path("size"), "sig.batch.size", 1, BATCH_RECORDS_MAX);
      integer(batch.path("index"), "sig.batch.index", 0, size - 1);
      JsonNode path = batch.path("path");
      if (!path.isArray() || path.size() > 64) {
        throw new RecordException("sig.batch.path must be at most 64 hashes");
      }
      for (JsonNode node : path) hex(node, "sig.batch.path");
    }
  }

  /**
   * The ledger's rules for a record's members (docs/api.md, "A record, byte by byte"); the
   * RecordException says which one is broken. {@code signed}: the record carries its sig.
   */
  public static void check(JsonNode record, boolean signed) {
    Set<String> required = new HashSet<>(MEMBERS);
    if (!signed) required.remove("sig");
    members(record, "record", MEMBERS, required);
    integer(record.path("v"), "v", 1, 1);
    text(record, "chain_id", 1, 64, true);
    if (!KINDS.contains(record.path("kind").asText()) || !record.path("kind").isTextual()) {
      throw new RecordException("kind \"" + record.path("kind").asText() + "\" is not one of "
          + KINDS);
    }
    text(record, "case_id", 1, 256, false);
    text(record, "stage", 1, 64, false);
    text(record, "agency", 1, 128, true);
    if (!record.path("digest").isTextual()
        || !DIGEST.matcher(record.path("digest").textValue()).matches()) {
      throw new RecordException("digest must be sha256:<64 hex> or sm3:<64 hex>, lower case");
    }
    integer(record.path("size"), "size", 0, Jcs.INTEGER_MAX);
    text(record, "media_type", 1, 128, false);
    text(record, "title", 0, 1024, false);
    JsonNode links = record.path("links");
    if (!links.isArray() || links.size() > 16) {
      throw new RecordException("links must be a list of at most 16 record ids");
    }
    Set<String> seen = new HashSet<>();
    for (JsonNode link : links) {
      hex(link, "a link");
      if (!seen.add(link.textValue())) throw new RecordException("a link is repeated");
    }
    integer(record.path("time"), "time", 0, Jcs.INTEGER_MAX);
    if (record.has("sig")) checkSig(record.path("sig"));
    if (signed && Jcs.canonicalize(record).length > RECORD_BYTES_MAX) {
      throw new RecordException("the canonical record is over " + RECORD_BYTES_MAX + " bytes");
    }
  }

  /** "alg:hex" of a document's bytes. */
  public static String digest(String hash, byte[] document) {
    return hash + ":" + Hashes.hex(Hashes.hash(hash, document));
  }

  /** "alg:hex" of a file, read in 64 KiB chunks. */
  public static String fileDigest(Path path, String hash) throws IOException {
    Hashes.check(hash);
    byte[] chunk = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(path)) {
      if (hash.equals("sm3")) {
        SM3Digest digest = new SM3Digest();
        for (int n; (n = in.read(chunk)) > 0; ) digest.update(chunk, 0, n);
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return hash + ":" + Hashes.hex(out);
      }
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (int n; (n = in.read(chunk)) > 0; ) digest.update(chunk, 0, n);
      return hash + ":" + Hashes.hex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** An unsigned record; its case id in canonical form, time now unless set. */
  public static ObjectNode newRecord(Fields fields, String digest, long size) {
    if (!KINDS.contains(fields.kind)) {
      throw new RecordException("kind \"" + fields.kind + "\" is not one of " + KINDS);
    }
    for (String link : fields.links) {
      if (!HEX64.matcher(link).matches()) {
        throw new RecordException("link \"" + link + "\" is not a record id (64 lower-case hex)");
      }
    }
    String caseId = CaseIds.canonical(fields.caseId == null ? "" : fields.caseId);
    if (caseId.isEmpty()) throw new RecordException("case id is empty (or only white space)");
    ObjectNode record = Jcs.MAPPER.createObjectNode();
    record.put("v", 1);
    record.put("chain_id", fields.chainId);
    record.put("kind", fields.kind);
    record.put("case_id", caseId);
    record.put("stage", fields.stage);
    record.put("agency", fields.agency);
    record.put("digest", digest);
    record.put("size", size);
    record.put("media_type", fields.mediaType == null ? "application/octet-stream"
                                                      : fields.mediaType);
    record.put("title", fields.title == null ? "" : fields.title);
    ArrayNode links = record.putArray("links");
    fields.links.forEach(links::add);
    record.put("time", fields.timeMs == null ? System.currentTimeMillis() : fields.timeMs);
    return record;
  }

  /** The unsigned record of a document file (title: the file's name unless set). */
  public static ObjectNode forFile(Path path, Fields fields, String hash) throws IOException {
    String name = path.getFileName().toString();
    String mediaType = fields.mediaType;
    if (mediaType == null) {
      mediaType = name.toLowerCase().endsWith(".ofd") ? "application/ofd"
          : URLConnection.guessContentTypeFromName(name);
    }
    Fields copy = new Fields().chainId(fields.chainId).agency(fields.agency).kind(fields.kind)
        .caseId(fields.caseId).stage(fields.stage).links(fields.links)
        .mediaType(mediaType).title(fields.title == null ? name : fields.title);
    if (fields.timeMs != null) copy.timeMs(fields.timeMs);
    return newRecord(copy, fileDigest(path, hash), Files.size(path));
  }

  private static ObjectNode withoutSig(JsonNode record) {
    ObjectNode copy = ((ObjectNode) record).deepCopy();
    copy.remove("sig");
    return copy;
  }

  private static byte[] withDomain(String domain, byte[] json) {
    byte[] prefix = domain.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[prefix.length + json.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(json, 0, out, prefix.length, json.length);
    return out;
  }

  public static byte[] signingBytes(JsonNode record) {
    return withDomain(SIGNING_DOMAIN, Jcs.canonicalize(withoutSig(record)));
  }

  public static String recordId(JsonNode record, String hash) {
    return Hashes.hex(Hashes.hash(hash, signingBytes(record)));
  }

  /** The batch header's signing bytes. */
  public static byte[] batchSigningBytes(String agency, String chainId, String root, long size) {
    ObjectNode header = Jcs.MAPPER.createObjectNode();
    header.put("agency", agency);
    header.put("chain_id", chainId);
    header.put("root", root);
    header.put("size", size);
    header.put("v", 1);
    return withDomain(BATCH_DOMAIN, Jcs.canonicalize(header));
  }

  private static ObjectNode sig(Keys.SigningKey key, byte[] signature) {
    ObjectNode sig = Jcs.MAPPER.createObjectNode();
    sig.put("alg", key.alg());
    sig.put("key", key.keyId());
    sig.put("value", Base64.getEncoder().encodeToString(signature));
    return sig;
  }

  /** Signs {@code record} alone. */
  public static SignedRecord sign(Keys.SigningKey key, ObjectNode record, String hash) {
    ObjectNode signed = withoutSig(record);
    check(signed, false);
    signed.set("sig", sig(key, key.sign(signingBytes(signed))));
    check(signed, true);
    return new SignedRecord(signed, recordId(signed, hash), Jcs.canonicalize(signed));
  }

  /** Signs 1..10,000 records of one agency and chain as one batch. */
  public static SignedBatch signBatch(Keys.SigningKey key, List<ObjectNode> records, String hash) {
    if (records.isEmpty() || records.size() > BATCH_RECORDS_MAX) {
      throw new RecordException("a batch holds 1.." + BATCH_RECORDS_MAX + " records, not "
          + records.size());
    }
    List<ObjectNode> unsigned = new ArrayList<>();
    List<byte[]> leaves = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String agency = records.get(0).path("agency").asText();
    String chainId = records.get(0).path("chain_id").asText();
    for (ObjectNode record : records) {
      ObjectNode copy = withoutSig(record);
      check(copy, false);
      if (!copy.path("agency").asText().equals(agency)
          || !copy.path("chain_id").asText().equals(chainId)) {
        throw new RecordException("every record of a batch has the same agency and chain_id");
      }
      byte[] id = Hashes.hash(hash, signingBytes(copy));
      if (!seen.add(Hashes.hex(id))) {
        throw new RecordException("a batch names each record once; two records here are the same");
      }
      unsigned.add(copy);
      ids.add(Hashes.hex(id));
      leaves.add(Merkle.leafHash(hash, id));
    }
    String root = Hashes.hex(Merkle.root(hash, leaves));
    byte[] signature = key.sign(batchSigningBytes(agency, chainId, root, records.size()));
    List<List<byte[]>> proofs = Merkle.inclusionProofs(hash, leaves);
    ArrayNode array = Jcs.MAPPER.createArrayNode();
    for (int i = 0; i < unsigned.size(); i++) {
      ObjectNode sig = sig(key, signature);
      ObjectNode batch = sig.putObject("batch");
      batch.put("root", root);
      batch.put("size", unsigned.size());
      batch.put("index", i);
      ArrayNode path = batch.putArray("path");
      for (byte[] node : proofs.get(i)) path.add(Hashes.hex(node));
      unsigned.get(i).set("sig", sig);
      array.add(unsigned.get(i));
    }
    ObjectNode body = Jcs.MAPPER.createObjectNode();
    body.set("records", array);
    return new SignedBatch(List.copyOf(unsigned), List.copyOf(ids), root, Jcs.canonicalize(body));
  }

  /** Signs any number of records as the batches the node's limits need (10,000 records and an
   * 8 MiB body each). */
  public static List<SignedBatch> signBatches(Keys.SigningKey key, List<ObjectNode> records,
                                              String hash) {
    List<SignedBatch> batches = new ArrayList<>();
    List<ObjectNode> current = new ArrayList<>();
    long currentBytes = 0;
    for (ObjectNode record : records) {
      // The record signed, with a full-depth path: an upper bound of its share of the body.
      long recordBytes = Jcs.canonicalize(withoutSig(record)).length + 1500L;
      if (!current.isEmpty() && (current.size() == BATCH_RECORDS_MAX
          || currentBytes + recordBytes > BATCH_BODY_BYTES_MAX)) {
        batches.add(signBatch(key, current, hash));
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(record);
      currentBytes += recordBytes;
    }
    if (!current.isEmpty()) batches.add(signBatch(key, current, hash));
    return batches;
  }
}
