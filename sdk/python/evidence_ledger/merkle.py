"""RFC 6962 / RFC 9162 Merkle trees over a chain's hash (SHA-256 or SM3).

Leaf hash H(0x00 || data), node hash H(0x01 || left || right); the root of an
empty tree is H(""). Used for batch trees (leaves: record ids) and the ledger's
log (leaves: records' canonical JSON).
"""
import hashlib


def hasher(name):
    """The chain's hash function by name ("sha256" or "sm3"): bytes -> 32 bytes."""
    if name not in ("sha256", "sm3"):
        raise ValueError(f"unknown hash {name!r}: sha256 or sm3")
    return lambda data: hashlib.new(name, data).digest()


def leaf_hash(H, data):
    return H(b"\x00" + data)


def node_hash(H, left, right):
    return H(b"\x01" + left + right)


def _split(size):
    """The largest power of two smaller than ``size`` (size >= 2)."""
    k = 1
    while k * 2 < size:
        k *= 2
    return k


def root(H, leaf_hashes):
    """RFC 6962 root of the leaves (their leaf hashes)."""
    if not leaf_hashes:
        return H(b"")
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = _split(len(leaf_hashes))
    return node_hash(H, root(H, leaf_hashes[:k]), root(H, leaf_hashes[k:]))


def inclusion_proof(H, leaf_hashes, index):
    """RFC 9162 §2.1.3.1 inclusion proof of leaf ``index``."""
    if len(leaf_hashes) <= 1:
        return []
    k = _split(len(leaf_hashes))
    if index < k:
        return inclusion_proof(H, leaf_hashes[:k], index) + [root(H, leaf_hashes[k:])]
    return inclusion_proof(H, leaf_hashes[k:], index - k) + [root(H, leaf_hashes[:k])]


def inclusion_proofs(H, leaf_hashes):
    """The inclusion proofs of every leaf at once: O(n log n) instead of n proofs
    of O(n) each (a batch of 10,000 records needs them all)."""
    proofs = [[] for _ in leaf_hashes]

    def subtree(lo, hi):
        if hi - lo == 1:
            return leaf_hashes[lo]
        k = _split(hi - lo)
        left, right = subtree(lo, lo + k), subtree(lo + k, hi)
        for i in range(lo, lo + k):  # children's siblings were appended first
            proofs[i].append(right)
        for i in range(lo + k, hi):
            proofs[i].append(left)
        return node_hash(H, left, right)

    if leaf_hashes:
        subtree(0, len(leaf_hashes))
    return proofs


def root_from_inclusion(H, leaf, index, size, proof):
    """RFC 9162 §2.1.3.2: the root the proof leads to, or None when it cannot."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(H, p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(H, r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None
