// RFC 3161 time-stamp tokens (docs/timestamps.md), made and read with OpenSSL's
// TS_* API, never by hand-written ASN.1.
//
// A TimestampAuthority is one institution's TSA: its private key and its
// certificate (X.509 with the critical extended key usage timeStamping, issued by
// the institution's CA). Issue() answers a TimeStampResp (status granted) whose
// TSTInfo is fixed entirely by the request:
//   - messageImprint: the document's digest (SHA-256, or SM3 by its OID);
//   - genTime: `gen_time_ms` as given (the caller passes the record's commit
//     time, not the wall clock), to the millisecond;
//   - serialNumber: `serial` as given (the caller derives it from the record id
//     and the institution);
//   - policy: kTimestampPolicyOid;
//   - tsa: the certificate's subject;
//   - one non-critical extension kTimestampRecordIdOid whose value is the DER
//     OCTET STRING of the record id's bytes.
// So two tokens for one record from one institution carry the same TSTInfo. The
// CMS signature around it is not byte-identical between calls: ECDSA draws a
// fresh nonce, and OpenSSL adds a signingTime attribute (the wall clock when the
// token was signed) to the SignerInfo.
//
// Thread-safety: a TimestampAuthority is immutable after Load; Issue may be called
// from any thread at once (each call has its own TS_RESP_CTX).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"

namespace evidence::crypto {

// 2.25.<UUID> object identifiers (ITU-T X.667: no registration needed).
// The policy under which every token of the ledger is issued: "the imprinted
// document was committed to the evidence ledger no later than genTime".
inline constexpr std::string_view kTimestampPolicyOid = "2.25.107377499907852749600478480159805854700";
// The extension that names the record: its value is an OCTET STRING of the
// record id (the 32 bytes of H(signing bytes)).
inline constexpr std::string_view kTimestampRecordIdOid =
    "2.25.46326100033769457320962255821734832244";

// The serial number is at most this many bytes (RFC 3161 allows up to 20).
inline constexpr size_t kTimestampSerialBytesMax = 20;

struct TimestampRequest {
  HashAlgorithm imprint_algorithm = HashAlgorithm::kSha256;
  Digest imprint{};          // the document's digest
  Bytes serial;              // 1..kTimestampSerialBytesMax bytes, big-endian, positive
  int64_t gen_time_ms = 0;   // unix ms, >= 0
  Digest record_id{};        // carried in the kTimestampRecordIdOid extension
};

// What a token says, read back from its DER (for tests and the CLI).
struct TimestampTokenInfo {
  std::string policy_oid;          // dotted
  HashAlgorithm imprint_algorithm = HashAlgorithm::kSha256;
  Digest imprint{};
  std::string serial_hex;          // lower-case hex of the serial's magnitude
  std::string gen_time;            // GeneralizedTime text, e.g. "20261206173501.123Z"
  std::string record_id_hex;       // from the extension; empty when absent
  std::string tsa_name;            // the tsa field as one line, empty when absent
};

class TimestampAuthority {
 public:
  // PEM files: the private key (PKCS#8) and the certificate. Refused when the
  // key does not match the certificate, or the certificate lacks the critical
  // extended key usage timeStamping (OpenSSL's own TSA signer check).
  static Result<TimestampAuthority> Load(const std::string& key_path,
                                         const std::string& cert_path);
  static Result<TimestampAuthority> FromPem(std::string_view key_pem, std::string_view cert_pem);

  TimestampAuthority(TimestampAuthority&&) noexcept;
  TimestampAuthority& operator=(TimestampAuthority&&) noexcept;
  TimestampAuthority(const TimestampAuthority&) = delete;
  TimestampAuthority& operator=(const TimestampAuthority&) = delete;
  ~TimestampAuthority();

  // DER of a TimeStampResp as described above. InvalidArgument for a bad
  // request (serial size, negative time); Internal when OpenSSL refuses.
  Result<Bytes> Issue(const TimestampRequest& request) const;

  // The certificate's subject, one line (RFC 2253).
  const std::string& subject() const { return subject_; }
  // PEM of the certificate.
  const std::string& certificate_pem() const { return certificate_pem_; }

 private:
  struct Impl;
  explicit TimestampAuthority(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string subject_;
  std::string certificate_pem_;
};

// An institution's CA certificate as genesis and the governance register hold
// it (docs/timestamps.md): the canonical PEM (as OpenSSL writes it: one
// "CERTIFICATE" block, base64 in lines of 64, "\n" line ends) of one X.509
// certificate whose basicConstraints say CA:TRUE.
inline constexpr size_t kCaCertificatePemBytesMax = 8 * 1024;

struct CaCertificate {
  std::string pem;
  std::string subject;  // one line, RFC 2253
  std::string sha256_hex;  // SHA-256 of the DER: the certificate's fingerprint
  bool operator==(const CaCertificate& other) const { return pem == other.pem; }
};

// Refuses text over kCaCertificatePemBytesMax, not one PEM certificate, PEM in
// another form than the canonical one (other line lengths, "\r\n", text
// around it), and a certificate that is not a CA.
Result<CaCertificate> ParseCaCertificate(std::string_view pem);
// Ok when the PEM certificate `cert_pem` names `ca` as its issuer and carries
// its signature; otherwise why not.
Status CheckIssuedBy(std::string_view cert_pem, const CaCertificate& ca);

// DER of a plain TimeStampReq for any RFC 3161 TSA (what `openssl ts -query
// -digest HEX -sha256 -cert -no_nonce` writes): version 1, the SHA-256 (or SM3)
// imprint, certReq true (so the token carries the TSA's certificate), no
// policy, nonce or extension. For anchoring checkpoints (docs/timestamps.md §6).
Result<Bytes> EncodeTimestampQuery(HashAlgorithm algorithm, const Digest& imprint);

// Reads a TimeStampResp (DER): its status must be granted and it must carry a
// token. Checks no signature (use VerifyTimestampResponse for that).
Result<TimestampTokenInfo> ReadTimestampResponse(ByteView der);

// Verifies a TimeStampResp as `openssl ts -verify -digest ... -CAfile` does:
// the token's signature, its signer's certificate chain up to `ca_pem` (one or
// more PEM certificates), the signer's timeStamping usage, and that the imprint
// is `imprint` with `algorithm`. Ok only when all hold; otherwise the reason.
Status VerifyTimestampResponse(ByteView der, HashAlgorithm algorithm, const Digest& imprint,
                               std::string_view ca_pem);

}  // namespace evidence::crypto
