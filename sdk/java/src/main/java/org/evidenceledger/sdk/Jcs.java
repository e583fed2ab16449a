package org.evidenceledger.sdk;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) for the ledger's JSON: no white space, object
 * members sorted by their keys as UTF-16 code units (Java's {@code String.compareTo}), strings
 * escaped as ECMAScript's {@code JSON.stringify} does ({@code \b \t \n \f \r \" \\} short forms,
 * other characters below U+0020 as backslash-u00xx in lower-case hex, everything else raw UTF-8,
 * {@code /} not escaped), and integers only, within +-(2^53 - 1). Thread-safe.
 */
public final class Jcs {
  public static final long INTEGER_MAX = (1L << 53) - 1;

  /** Strict JSON reading: duplicate keys, fractions and trailing data are refused. */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();

  private Jcs() {}

  /** A value that has no canonical form in the ledger's JSON. */
  public static final class CanonicalJsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    public CanonicalJsonException(String message) {
      super(message);
    }
  }

  /** Strict parse of JSON text. */
  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CanonicalJsonException("not strict JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * Strict parse of JSON bytes, as the ledger parses: UTF-8 only (no byte order mark), no
   * duplicate keys, integers only within +-(2^53 - 1), no lone surrogates, at most
   * {@code maxDepth} levels of nesting, nothing after the value.
   */
  public static JsonNode parseStrict(byte[] data, int maxDepth) {
    if (data.length >= 3 && (data[0] & 0xff) == 0xef && (data[1] & 0xff) == 0xbb
        && (data[2] & 0xff) == 0xbf) {
      throw new CanonicalJsonException("a byte order mark before the JSON");
    }
    java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    String text;
    try {
      text = decoder.decode(java.nio.ByteBuffer.wrap(data)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new CanonicalJsonException("not UTF-8");
    }
    JsonNode value = parse(text);
    if (value == null || value.isMissingNode()) throw new CanonicalJsonException("no JSON value");
    checkParsed(value, 0, maxDepth);
    return value;
  }

  private static void checkParsed(JsonNode value, int depth, int maxDepth) {
    if (value.isContainerNode()) {
      if (depth >= maxDepth) {
        throw new CanonicalJsonException("more than " + maxDepth + " levels of nesting");
      }
      for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) checkString(it.next());
      for (JsonNode item : value) checkParsed(item, depth + 1, maxDepth);
    } else if (value.isNumber()) {
      writeNumber(value, new StringBuilder());  // integers within range only
    } else if (value.isTextual()) {
      checkString(value.textValue());
    }
  }

  private static void checkString(String text) {
    writeString(text, new StringBuilder());  // refuses lone surrogates
  }

  /** The canonical JSON of {@code value}, UTF-8. */
  public static byte[] canonicalize(JsonNode value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The canonical JSON of {@code value} as text. */
  public static String canonicalText(JsonNode value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(JsonNode value, StringBuilder out) {
    switch (value.getNodeType()) {
      case NULL -> out.append("null");
      case BOOLEAN -> out.append(value.booleanValue() ? "true" : "false");
      case NUMBER -> writeNumber(value, out);
      case STRING -> writeString(value.textValue(), out);
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < value.size(); i++) {
          if (i > 0) out.append(',');
          write(value.get(i), out);
        }
        out.append(']');
      }
      case OBJECT -> {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) keys.add(it.next());
        keys.sort(String::compareTo);  // UTF-16 code units, as JCS wants
        out.append('{');
        for (int i = 0; i < keys.size(); i++) {
          if (i > 0) out.append(',');
          writeString(keys.get(i), out);
          out.append(':');
          write(value.get(keys.get(i)), out);
        }
        out.append('}');
      }
      default -> throw new CanonicalJsonException(value.getNodeType() + " has no JSON form");
    }
  }

  private static void writeNumber(JsonNode value, StringBuilder out) {
    if (!value.isIntegralNumber()) {
      throw new CanonicalJsonException("numbers must be integers, not " + value);
    }
    BigInteger integer = value.bigIntegerValue();
    if (integer.abs().compareTo(BigInteger.valueOf(INTEGER_MAX)) > 0) {
      throw new CanonicalJsonException("integer " + integer + " is outside +-(2^53-1)");
    }
    out.append(integer.toString());
  }

  private static void writeString(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
          : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)))) {
        throw new CanonicalJsonException("a string holds a lone surrogate");
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
