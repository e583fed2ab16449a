"""Agency signing keys and public keys: Ed25519, ECDSA P-256 and SM2.

Keys are PEM files as `evidence keygen` writes them (unencrypted PKCS#8 private
keys, SubjectPublicKeyInfo public keys). A key id is the hex SHA-256 of the
public key's DER SubjectPublicKeyInfo. Signatures are what the ledger takes:
Ed25519 the 64 raw bytes (RFC 8032); P-256 ECDSA with SHA-256, DER-encoded
SEQUENCE { r, s }; SM2 (GB/T 32918) with SM3 and the distinguishing id
"1234567812345678", DER.

Ed25519 and P-256 go through the ``cryptography`` package. It has no SM2, so
SM2 keys are used through the ``openssl`` command (OpenSSL 3), which the
ledger's own code uses too.
"""
import base64
import hashlib
import os
import subprocess
import tempfile

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

SM2_DISTINGUISHING_ID = "1234567812345678"
ALGORITHMS = ("p256", "ed25519", "sm2")


class KeyFormatError(ValueError):
    """A key file or PEM text that is not a key the ledger takes."""


def _openssl(arguments, files=None):
    """Runs the openssl command in a private temporary directory holding
    ``files`` (name -> bytes, mode 0600); returns (exit code, stdout bytes)."""
    with tempfile.TemporaryDirectory(prefix="evidence-sdk-") as directory:
        for name, data in (files or {}).items():
            path = os.path.join(directory, name)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as f:
                f.write(data)
        try:
            done = subprocess.run(["openssl", *arguments], cwd=directory, capture_output=True,
                                  check=False, timeout=60)
        except FileNotFoundError:
            raise KeyFormatError("SM2 needs the openssl command (OpenSSL 3), which is not installed") \
                from None
        return done.returncode, done.stdout


def _is_sm2(pem, public):
    arguments = ["pkey", "-in", "key.pem", "-noout", "-text_pub"]
    if public:
        arguments.insert(1, "-pubin")
    code, out = _openssl(arguments, {"key.pem": pem})
    return code == 0 and b"ASN1 OID: SM2" in out


# The DER SubjectPublicKeyInfo of a 256-bit curve key with the uncompressed point
# (0x04 || x || y) and a named curve, the only encoding a key id is taken of.
_EC_SPKI_BYTES = 91


def _sm2_spki_der(pem, public):
    arguments = ["pkey", "-in", "key.pem", "-pubout", "-outform", "DER"]
    if public:
        arguments.insert(1, "-pubin")
    code, out = _openssl(arguments, {"key.pem": pem})
    if code != 0 or not out:
        raise KeyFormatError("openssl cannot read the SM2 key")
    if len(out) != _EC_SPKI_BYTES or out[-65] != 0x04:
        raise KeyFormatError("an SM2 key is written with its uncompressed point")
    return out


class PublicKey:
    """A public key from SubjectPublicKeyInfo PEM (e.g. a genesis agency key)."""

    def __init__(self, pem):
        self.pem = pem.encode() if isinstance(pem, str) else bytes(pem)
        self._key = None
        try:
            self._key = serialization.load_pem_public_key(self.pem)
        except UnsupportedAlgorithm:
            if not _is_sm2(self.pem, public=True):
                raise KeyFormatError("not a P-256, Ed25519 or SM2 public key") from None
            self.alg = "sm2"
            self.spki_der = _sm2_spki_der(self.pem, public=True)
        except ValueError as error:
            raise KeyFormatError(f"not a public key PEM: {error}") from None
        if self._key is not None:
            if isinstance(self._key, ed25519.Ed25519PublicKey):
                self.alg = "ed25519"
            elif isinstance(self._key, ec.EllipticCurvePublicKey) and \
                    isinstance(self._key.curve, ec.SECP256R1):
                self.alg = "p256"
                # The canonical encoding has the uncompressed point (OpenSSL keeps a
                # compressed key compressed when it writes it back).
                self._key = ec.EllipticCurvePublicKey.from_encoded_point(
                    ec.SECP256R1(), self._key.public_bytes(
                        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
            else:
                raise KeyFormatError("not a P-256, Ed25519 or SM2 public key")
            self.spki_der = self._key.public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
        self.key_id = hashlib.sha256(self.spki_der).hexdigest()

    def canonical_pem(self):
        """The canonical PEM text of this key: its canonical DER SubjectPublicKeyInfo
        (uncompressed point, named curve) in base64 lines of 64 characters, "\n" line
        ends, as `evidence keygen` and genesis files write it."""
        body = base64.b64encode(self.spki_der).decode()
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        return ("-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) +
                "\n-----END PUBLIC KEY-----\n")

    def verify(self, message, signature):
        """True only when ``signature`` is a valid signature of ``message``."""
        if self.alg == "sm2":
            code, _ = _openssl(["pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin",
                                "-in", "message", "-digest", "sm3", "-pkeyopt",
                                f"distid:{SM2_DISTINGUISHING_ID}", "-sigfile", "signature"],
                               {"key.pem": self.pem, "message": message, "signature": signature})
            return code == 0
        try:
            if self.alg == "ed25519":
                self._key.verify(signature, message)
            else:
                self._key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            return True
        except (InvalidSignature, ValueError):
            return False


class SigningKey:
    """An agency's private key: ``SigningKey.load("agency.pem")``."""

    def __init__(self, pem):
        self._pem = pem.encode() if isinstance(pem, str) else bytes(pem)
        self._key = None
        try:
            self._key = serialization.load_pem_private_key(self._pem, password=None)
        except UnsupportedAlgorithm:
            if not _is_sm2(self._pem, public=False):
                raise KeyFormatError("not a P-256, Ed25519 or SM2 private key") from None
            self.alg = "sm2"
            code, public_pem = _openssl(["pkey", "-in", "key.pem", "-pubout"],
                                        {"key.pem": self._pem})
            if code != 0:
                raise KeyFormatError("openssl cannot read the SM2 key") from None
            self.public_key = PublicKey(public_pem)
        except (ValueError, TypeError) as error:
            raise KeyFormatError(f"not an unencrypted PKCS#8 private key PEM: {error}") from None
        if self._key is not None:
            if isinstance(self._key, ed25519.Ed25519PrivateKey):
                self.alg = "ed25519"
            elif isinstance(self._key, ec.EllipticCurvePrivateKey) and \
                    isinstance(self._key.curve, ec.SECP256R1):
                self.alg = "p256"
            else:
                raise KeyFormatError("not a P-256, Ed25519 or SM2 private key")
            self.public_key = PublicKey(self._key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        self.key_id = self.public_key.key_id

    @classmethod
    def load(cls, path):
        with open(path, "rb") as f:
            return cls(f.read())

    def sign(self, message):
        """The signature of ``message`` in the encoding the ledger takes."""
        if self.alg == "ed25519":
            return self._key.sign(message)
        if self.alg == "p256":
            return self._key.sign(message, ec.ECDSA(hashes.SHA256()))
        code, signature = _openssl(["pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-in",
                                    "message", "-digest", "sm3", "-pkeyopt",
                                    f"distid:{SM2_DISTINGUISHING_ID}"],
                                   {"key.pem": self._pem, "message": message})
        if code != 0 or not signature:
            raise KeyFormatError("openssl could not sign with the SM2 key")
        return signature
