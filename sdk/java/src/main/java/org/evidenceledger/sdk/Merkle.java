package org.evidenceledger.sdk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * RFC 6962 / RFC 9162 Merkle trees over the chain's hash: leaf hash H(0x00 || data), node hash
 * H(0x01 || left || right), the empty tree's root H(""). Batch trees (leaves: record ids) and the
 * ledger's log (leaves: records' canonical JSON). Pure functions.
 */
public final class Merkle {
  private Merkle() {}

  private static byte[] concat(byte prefix, byte[]... parts) {
    int length = 1;
    for (byte[] part : parts) length += part.length;
    byte[] out = new byte[length];
    out[0] = prefix;
    int at = 1;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  public static byte[] leafHash(String hash, byte[] data) {
    return Hashes.hash(hash, concat((byte) 0, data));
  }

  public static byte[] nodeHash(String hash, byte[] left, byte[] right) {
    return Hashes.hash(hash, concat((byte) 1, left, right));
  }

  private static int split(int size) {
    int k = 1;
    while (k * 2 < size) k *= 2;
    return k;
  }

  /** The root of the tree of these leaf hashes. */
  public static byte[] root(String hash, List<byte[]> leaves) {
    if (leaves.isEmpty()) return Hashes.hash(hash, new byte[0]);
    return subtree(hash, leaves, 0, leaves.size(), null);
  }

  /** The RFC 9162 inclusion proofs of every leaf, made in one pass (O(n log n)). */
  public static List<List<byte[]>> inclusionProofs(String hash, List<byte[]> leaves) {
    List<List<byte[]>> proofs = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) proofs.add(new ArrayList<>());
    if (!leaves.isEmpty()) subtree(hash, leaves, 0, leaves.size(), proofs);
    return proofs;
  }

  private static byte[] subtree(String hash, List<byte[]> leaves, int lo, int hi,
                                List<List<byte[]>> proofs) {
    if (hi - lo == 1) return leaves.get(lo);
    int k = split(hi - lo);
    byte[] left = subtree(hash, leaves, lo, lo + k, proofs);
    byte[] right = subtree(hash, leaves, lo + k, hi, proofs);
    if (proofs != null) {  // the children's siblings were added first: bottom-up order
      for (int i = lo; i < lo + k; i++) proofs.get(i).add(right);
      for (int i = lo + k; i < hi; i++) proofs.get(i).add(left);
    }
    return nodeHash(hash, left, right);
  }

  /** RFC 9162 §2.1.3.2: the root a proof leads to, or null when it cannot. */
  public static byte[] rootFromInclusion(String hash, byte[] leaf, long index, long size,
                                         List<byte[]> proof) {
    if (index >= size || index < 0) return null;
    long fn = index;
    long sn = size - 1;
    byte[] r = leaf;
    for (byte[] p : proof) {
      if (sn == 0) return null;
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(hash, p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = nodeHash(hash, r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 ? r : null;
  }

  static boolean equal(byte[] a, byte[] b) {
    return a != null && b != null && Arrays.equals(a, b);
  }
}
