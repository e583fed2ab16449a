package org.evidenceledger.sdk;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Agency keys as {@code evidence keygen} writes them (unencrypted PKCS#8 PEM private keys,
 * SubjectPublicKeyInfo PEM public keys): Ed25519, ECDSA P-256 with SHA-256, and SM2 (GB/T 32918)
 * with SM3 and the distinguishing id "1234567812345678", all through BouncyCastle. A key id is the
 * hex SHA-256 of the public key's DER SubjectPublicKeyInfo. Signatures are in the encoding the
 * ledger takes: Ed25519 64 raw bytes, P-256 and SM2 DER SEQUENCE { r, s }. Key objects are
 * immutable and thread-safe.
 */
public final class Keys {
  public static final byte[] SM2_DISTINGUISHING_ID =
      "1234567812345678".getBytes(StandardCharsets.US_ASCII);

  private Keys() {}

  /** A PEM text or file that is not a key the ledger takes. */
  public static final class KeyFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    public KeyFormatException(String message) {
      super(message);
    }
  }

  private static byte[] pemBody(String pem, String label) {
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      PemObject object = reader.readPemObject();
      if (object == null || !object.getType().equals(label)) {
        throw new KeyFormatException("expected a PEM block \"" + label + "\"");
      }
      if (!object.getHeaders().isEmpty()) {
        throw new KeyFormatException("PEM headers (e.g. encryption) are not supported");
      }
      return object.getContent();
    } catch (IOException e) {
      throw new KeyFormatException("not PEM: " + e.getMessage());
    }
  }

  /** "p256", "ed25519" or "sm2" for an algorithm identifier of a key. */
  private static String algorithmOf(AlgorithmIdentifier id) {
    ASN1ObjectIdentifier algorithm = id.getAlgorithm();
    if (algorithm.equals(EdECObjectIdentifiers.id_Ed25519)) return "ed25519";
    if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey) && id.getParameters() != null) {
      Object curve = id.getParameters();
      if (X9ObjectIdentifiers.prime256v1.equals(curve)) return "p256";
      if (GMObjectIdentifiers.sm2p256v1.equals(curve)) return "sm2";
    }
    if (algorithm.equals(SECObjectIdentifiers.secp256r1)) return "p256";
    throw new KeyFormatException("not a P-256, Ed25519 or SM2 key (" + algorithm + ")");
  }

  private static Signer signerFor(String alg) {
    return switch (alg) {
      case "ed25519" -> new Ed25519Signer();
      case "p256" -> new DSADigestSigner(new ECDSASigner(), new SHA256Digest(),
          StandardDSAEncoding.INSTANCE);
      case "sm2" -> new SM2Signer(StandardDSAEncoding.INSTANCE);
      default -> throw new KeyFormatException("unknown algorithm " + alg);
    };
  }

  private static CipherParameters withId(String alg, CipherParameters parameters) {
    return alg.equals("sm2") ? new ParametersWithID(parameters, SM2_DISTINGUISHING_ID) : parameters;
  }

  /** A public key, e.g. an agency key or a validator's vote key from genesis. */
  public static final class PublicKey {
    private final String alg;
    private final AsymmetricKeyParameter key;
    private final String keyId;

    private final byte[] spkiDer;

    private PublicKey(SubjectPublicKeyInfo info) throws IOException {
      this.alg = algorithmOf(info.getAlgorithm());
      this.key = PublicKeyFactory.createKey(info);  // refuses points off the curve
      // The canonical encoding (uncompressed point, named curve), the one a key id is of.
      this.spkiDer = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key).getEncoded("DER");
      this.keyId = Hashes.hex(Hashes.hash("sha256", spkiDer));
    }

    /** The canonical PEM text: the canonical DER SubjectPublicKeyInfo in base64 lines of 64
     * characters with "\n" line ends, as {@code evidence keygen} and genesis files write it. */
    public String canonicalPem() {
      String body = Base64.getEncoder().encodeToString(spkiDer);
      StringBuilder out = new StringBuilder("-----BEGIN PUBLIC KEY-----\n");
      for (int i = 0; i < body.length(); i += 64) {
        out.append(body, i, Math.min(body.length(), i + 64)).append('\n');
      }
      return out.append("-----END PUBLIC KEY-----\n").toString();
    }

    /** From SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"). */
    public static PublicKey fromPem(String pem) {
      try {
        return new PublicKey(SubjectPublicKeyInfo.getInstance(pemBody(pem, "PUBLIC KEY")));
      } catch (IOException | IllegalArgumentException e) {
        if (e instanceof KeyFormatException k) throw k;
        throw new KeyFormatException("not a public key: " + e.getMessage());
      }
    }

    static PublicKey fromInfo(SubjectPublicKeyInfo info) {
      try {
        return new PublicKey(info);
      } catch (IOException e) {
        throw new KeyFormatException("not a public key: " + e.getMessage());
      }
    }

    /** "p256", "ed25519" or "sm2". */
    public String alg() {
      return alg;
    }

    /** Hex SHA-256 of the DER SubjectPublicKeyInfo. */
    public String keyId() {
      return keyId;
    }

    /** True only when {@code signature} is a valid signature of {@code message}. */
    public boolean verify(byte[] message, byte[] signature) {
      Signer signer = signerFor(alg);
      try {
        signer.init(false, withId(alg, key));
        signer.update(message, 0, message.length);
        return signer.verifySignature(signature);
      } catch (RuntimeException e) {  // BouncyCastle throws on malformed signatures
        return false;
      }
    }
  }

  /** An agency's private key: {@code Keys.SigningKey.load(Path.of("agency.pem"))}. */
  public static final class SigningKey {
    private final String alg;
    private final AsymmetricKeyParameter key;
    private final PublicKey publicKey;

    private SigningKey(PrivateKeyInfo info) throws IOException {
      this.alg = algorithmOf(info.getPrivateKeyAlgorithm());
      this.key = PrivateKeyFactory.createKey(info);
      AsymmetricKeyParameter publicParameters;
      if (key instanceof Ed25519PrivateKeyParameters ed) {
        publicParameters = ed.generatePublicKey();
      } else if (key instanceof ECPrivateKeyParameters ec) {
        publicParameters = new ECPublicKeyParameters(
            new FixedPointCombMultiplier().multiply(ec.getParameters().getG(), ec.getD()).normalize(),
            ec.getParameters());
      } else {
        throw new KeyFormatException("not a P-256, Ed25519 or SM2 private key");
      }
      this.publicKey = PublicKey.fromInfo(
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicParameters));
    }

    /** From unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). */
    public static SigningKey fromPem(String pem) {
      try {
        return new SigningKey(PrivateKeyInfo.getInstance(pemBody(pem, "PRIVATE KEY")));
      } catch (IOException | IllegalArgumentException e) {
        if (e instanceof KeyFormatException k) throw k;
        throw new KeyFormatException("not a PKCS#8 private key: " + e.getMessage());
      }
    }

    public static SigningKey load(Path path) throws IOException {
      return fromPem(Files.readString(path, StandardCharsets.US_ASCII));
    }

    public String alg() {
      return alg;
    }

    public String keyId() {
      return publicKey.keyId();
    }

    public PublicKey publicKey() {
      return publicKey;
    }

    /** The signature of {@code message} in the ledger's encoding. */
    public byte[] sign(byte[] message) {
      Signer signer = signerFor(alg);
      CipherParameters parameters = alg.equals("ed25519") ? key
          : new ParametersWithRandom(key, new java.security.SecureRandom());
      signer.init(true, withId(alg, parameters));
      signer.update(message, 0, message.length);
      try {
        return signer.generateSignature();
      } catch (CryptoException e) {
        throw new IllegalStateException("cannot sign with the " + alg + " key", e);
      }
    }
  }
}
