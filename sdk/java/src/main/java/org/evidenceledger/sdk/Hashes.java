package org.evidenceledger.sdk;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SM3Digest;

/** The chain's hash function, "sha256" (JDK) or "sm3" (BouncyCastle). Thread-safe. */
public final class Hashes {
  private Hashes() {}

  public static final HexFormat HEX = HexFormat.of();

  /** Throws IllegalArgumentException for a name other than sha256 and sm3. */
  public static void check(String name) {
    if (!name.equals("sha256") && !name.equals("sm3")) {
      throw new IllegalArgumentException("unknown hash \"" + name + "\": sha256 or sm3");
    }
  }

  public static byte[] hash(String name, byte[] data) {
    check(name);
    if (name.equals("sm3")) {
      SM3Digest digest = new SM3Digest();
      digest.update(data, 0, data.length);
      byte[] out = new byte[digest.getDigestSize()];
      digest.doFinal(out, 0);
      return out;
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  public static String hex(byte[] data) {
    return HEX.formatHex(data);
  }
}
