#include "crypto/timestamp.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>

#include "common/check.h"
#include "common/encoding.h"

namespace evidence::crypto {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

void FreeBio(BIO* bio) { BIO_free(bio); }
using BioPtr = Owned<BIO, FreeBio>;
using X509Ptr = Owned<X509, X509_free>;
using PkeyPtr = Owned<EVP_PKEY, EVP_PKEY_free>;
using TsReqPtr = Owned<TS_REQ, TS_REQ_free>;
using TsRespPtr = Owned<TS_RESP, TS_RESP_free>;
using TsRespCtxPtr = Owned<TS_RESP_CTX, TS_RESP_CTX_free>;
using TsVerifyCtxPtr = Owned<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using TsImprintPtr = Owned<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>;
using AlgorPtr = Owned<X509_ALGOR, X509_ALGOR_free>;
using ObjectPtr = Owned<ASN1_OBJECT, ASN1_OBJECT_free>;
using OctetsPtr = Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using ExtensionPtr = Owned<X509_EXTENSION, X509_EXTENSION_free>;
using BignumPtr = Owned<BIGNUM, BN_free>;
using StorePtr = Owned<X509_STORE, X509_STORE_free>;

std::string OpenSslErrors() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out;
}

Status Failure(StatusCode code, std::string_view what) {
  std::string detail = OpenSslErrors();
  std::string message(what);
  if (!detail.empty()) message += " (" + detail + ")";
  return Status(code, message);
}

BioPtr MemoryBio(std::string_view text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  EVIDENCE_CHECK(bio != nullptr);
  return bio;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<size_t>(length)) : std::string();
}

std::string NameLine(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  EVIDENCE_CHECK(bio != nullptr);
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return BioText(bio.get());
}

const EVP_MD* ImprintMd(HashAlgorithm algorithm) {
  return algorithm == HashAlgorithm::kSm3 ? EVP_sm3() : EVP_sha256();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 1024 * 1024) return Status::InvalidArgument(path + " is over 1 MiB");
  return text;
}

// The OCTET STRING of the record id, DER-encoded: the value of the extension.
Result<ExtensionPtr> RecordIdExtension(const Digest& record_id) {
  OctetsPtr inner(ASN1_OCTET_STRING_new());
  if (!inner || !ASN1_OCTET_STRING_set(inner.get(), record_id.data(), record_id.size())) {
    return Failure(StatusCode::kInternal, "cannot build the record id");
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_ASN1_OCTET_STRING(inner.get(), &der);
  if (der_length <= 0) return Failure(StatusCode::kInternal, "cannot encode the record id");
  OctetsPtr value(ASN1_OCTET_STRING_new());
  const bool set = value && ASN1_OCTET_STRING_set(value.get(), der, der_length);
  OPENSSL_free(der);
  if (!set) return Failure(StatusCode::kInternal, "cannot build the record id extension");
  ObjectPtr oid(OBJ_txt2obj(std::string(kTimestampRecordIdOid).c_str(), 1));
  if (!oid) return Failure(StatusCode::kInternal, "bad record id OID");
  ExtensionPtr extension(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, value.get()));
  if (!extension) return Failure(StatusCode::kInternal, "cannot build the record id extension");
  return extension;
}

// The request the TSA answers: imprint, certReq (so the token carries the TSA's
// certificate and `openssl ts -verify -CAfile CA.pem` needs nothing else), and
// the record id extension, which the extension callback copies into TSTInfo.
Result<Bytes> EncodeRequest(const TimestampRequest& request) {
  TsReqPtr req(TS_REQ_new());
  AlgorPtr algorithm(X509_ALGOR_new());
  TsImprintPtr imprint(TS_MSG_IMPRINT_new());
  if (!req || !algorithm || !imprint) return Failure(StatusCode::kInternal, "out of memory");
  X509_ALGOR_set_md(algorithm.get(), ImprintMd(request.imprint_algorithm));
  Digest digest = request.imprint;
  if (!TS_REQ_set_version(req.get(), 1) || !TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) ||
      !TS_MSG_IMPRINT_set_msg(imprint.get(), digest.data(), static_cast<int>(digest.size())) ||
      !TS_REQ_set_msg_imprint(req.get(), imprint.get()) || !TS_REQ_set_cert_req(req.get(), 1)) {
    return Failure(StatusCode::kInternal, "cannot build the time-stamp request");
  }
  EVIDENCE_ASSIGN_OR_RETURN(ExtensionPtr extension, RecordIdExtension(request.record_id));
  if (!TS_REQ_add_ext(req.get(), extension.get(), -1)) {
    return Failure(StatusCode::kInternal, "cannot add the record id extension");
  }
  unsigned char* der = nullptr;
  const int length = i2d_TS_REQ(req.get(), &der);
  if (length <= 0) return Failure(StatusCode::kInternal, "cannot encode the time-stamp request");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

ASN1_INTEGER* SerialCallback(TS_RESP_CTX*, void* data) {
  const auto* request = static_cast<const TimestampRequest*>(data);
  BignumPtr number(BN_bin2bn(request->serial.data(), static_cast<int>(request->serial.size()),
                             nullptr));
  if (!number) return nullptr;
  return BN_to_ASN1_INTEGER(number.get(), nullptr);  // the context frees it
}

int TimeCallback(TS_RESP_CTX*, void* data, long* seconds, long* microseconds) {
  const auto* request = static_cast<const TimestampRequest*>(data);
  *seconds = static_cast<long>(request->gen_time_ms / 1000);
  *microseconds = static_cast<long>(request->gen_time_ms % 1000) * 1000;
  return 1;
}

// Only our own request extension is accepted; it goes into TSTInfo as it is.
int ExtensionCallback(TS_RESP_CTX* context, X509_EXTENSION* extension, void*) {
  ObjectPtr oid(OBJ_txt2obj(std::string(kTimestampRecordIdOid).c_str(), 1));
  if (oid && OBJ_cmp(X509_EXTENSION_get_object(extension), oid.get()) == 0 &&
      TS_TST_INFO_add_ext(TS_RESP_CTX_get_tst_info(context), extension, -1)) {
    return 1;
  }
  TS_RESP_CTX_set_status_info(context, TS_STATUS_REJECTION, "unsupported extension");
  TS_RESP_CTX_add_failure_info(context, TS_INFO_UNACCEPTED_EXTENSION);
  return 0;
}

Result<TsRespPtr> DecodeResponse(ByteView der) {
  const unsigned char* p = der.data();
  TsRespPtr response(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  if (!response || p != der.data() + der.size()) {
    OpenSslErrors();
    return Status::InvalidArgument("not a DER TimeStampResp");
  }
  const TS_STATUS_INFO* info = TS_RESP_get_status_info(response.get());
  const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info));
  if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS) {
    return Status::InvalidArgument("the time-stamp response is not granted (status " +
                                   std::to_string(status) + ")");
  }
  if (TS_RESP_get_tst_info(response.get()) == nullptr) {
    return Status::InvalidArgument("the time-stamp response carries no token");
  }
  return response;
}

}  // namespace

Result<Bytes> EncodeTimestampQuery(HashAlgorithm algorithm, const Digest& imprint_digest) {
  TsReqPtr req(TS_REQ_new());
  AlgorPtr md(X509_ALGOR_new());
  TsImprintPtr imprint(TS_MSG_IMPRINT_new());
  if (!req || !md || !imprint) return Failure(StatusCode::kInternal, "out of memory");
  // With an explicit NULL parameter, as `openssl ts -query` writes it (some TSAs
  // expect exactly that form).
  if (!X509_ALGOR_set0(md.get(), OBJ_nid2obj(EVP_MD_get_type(ImprintMd(algorithm))), V_ASN1_NULL,
                       nullptr)) {
    return Failure(StatusCode::kInternal, "cannot set the imprint algorithm");
  }
  Digest digest = imprint_digest;
  if (!TS_REQ_set_version(req.get(), 1) || !TS_MSG_IMPRINT_set_algo(imprint.get(), md.get()) ||
      !TS_MSG_IMPRINT_set_msg(imprint.get(), digest.data(), static_cast<int>(digest.size())) ||
      !TS_REQ_set_msg_imprint(req.get(), imprint.get()) || !TS_REQ_set_cert_req(req.get(), 1)) {
    return Failure(StatusCode::kInternal, "cannot build the time-stamp request");
  }
  unsigned char* der = nullptr;
  const int length = i2d_TS_REQ(req.get(), &der);
  if (length <= 0) return Failure(StatusCode::kInternal, "cannot encode the time-stamp request");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

struct TimestampAuthority::Impl {
  PkeyPtr key;
  X509Ptr certificate;
};

TimestampAuthority::TimestampAuthority(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TimestampAuthority::TimestampAuthority(TimestampAuthority&&) noexcept = default;
TimestampAuthority& TimestampAuthority::operator=(TimestampAuthority&&) noexcept = default;
TimestampAuthority::~TimestampAuthority() = default;

Result<TimestampAuthority> TimestampAuthority::Load(const std::string& key_path,
                                                    const std::string& cert_path) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string key_pem, ReadFile(key_path));
  EVIDENCE_ASSIGN_OR_RETURN(std::string cert_pem, ReadFile(cert_path));
  Result<TimestampAuthority> authority = FromPem(key_pem, cert_pem);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!authority.ok()) {
    return Status::InvalidArgument(key_path + ", " + cert_path + ": " +
                                   authority.status().message());
  }
  return authority;
}

Result<TimestampAuthority> TimestampAuthority::FromPem(std::string_view key_pem,
                                                       std::string_view cert_pem) {
  auto impl = std::make_unique<Impl>();
  BioPtr key_bio = MemoryBio(key_pem);
  impl->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!impl->key) return Failure(StatusCode::kInvalidArgument, "not a PEM private key");
  BioPtr cert_bio = MemoryBio(cert_pem);
  impl->certificate.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!impl->certificate) return Failure(StatusCode::kInvalidArgument, "not a PEM certificate");
  if (X509_check_private_key(impl->certificate.get(), impl->key.get()) != 1) {
    return Failure(StatusCode::kInvalidArgument, "the key is not the certificate's");
  }
  if (X509_check_purpose(impl->certificate.get(), X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
    return Failure(StatusCode::kInvalidArgument,
                   "the certificate lacks the critical extended key usage timeStamping");
  }
  BioPtr pem(BIO_new(BIO_s_mem()));
  EVIDENCE_CHECK(pem && PEM_write_bio_X509(pem.get(), impl->certificate.get()) == 1);
  TimestampAuthority authority(std::move(impl));
  authority.subject_ = NameLine(X509_get_subject_name(authority.impl_->certificate.get()));
  authority.certificate_pem_ = BioText(pem.get());
  return authority;
}

namespace {

Result<X509Ptr> ReadCertificate(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) return Failure(StatusCode::kInvalidArgument, "not a PEM certificate");
  return certificate;
}

std::string CertificatePem(X509* certificate) {
  BioPtr pem(BIO_new(BIO_s_mem()));
  EVIDENCE_CHECK(pem && PEM_write_bio_X509(pem.get(), certificate) == 1);
  return BioText(pem.get());
}

}  // namespace

Result<CaCertificate> ParseCaCertificate(std::string_view pem) {
  if (pem.size() > kCaCertificatePemBytesMax) {
    return Status::InvalidArgument("the CA certificate is over " +
                                   std::to_string(kCaCertificatePemBytesMax) + " bytes");
  }
  EVIDENCE_ASSIGN_OR_RETURN(X509Ptr certificate, ReadCertificate(pem));
  CaCertificate out;
  out.pem = CertificatePem(certificate.get());
  if (out.pem != pem) {
    return Status::InvalidArgument(
        "the CA certificate is not one PEM certificate in canonical form (\"-----BEGIN "
        "CERTIFICATE-----\\n\", base64 in lines of 64 characters, \"-----END "
        "CERTIFICATE-----\\n\", nothing around it)");
  }
  const uint32_t flags = X509_get_extension_flags(certificate.get());
  if ((flags & EXFLAG_INVALID) != 0 || (flags & EXFLAG_BCONS) == 0 || (flags & EXFLAG_CA) == 0) {
    return Status::InvalidArgument("the certificate is not a CA certificate (basicConstraints CA:TRUE)");
  }
  out.subject = NameLine(X509_get_subject_name(certificate.get()));
  unsigned char* der = nullptr;
  const int der_length = i2d_X509(certificate.get(), &der);
  EVIDENCE_CHECK(der_length > 0);
  out.sha256_hex =
      DigestHex(Hash(HashAlgorithm::kSha256, ByteView(der, static_cast<size_t>(der_length))));
  OPENSSL_free(der);
  return out;
}

Status CheckIssuedBy(std::string_view cert_pem, const CaCertificate& ca) {
  EVIDENCE_ASSIGN_OR_RETURN(X509Ptr certificate, ReadCertificate(cert_pem));
  Result<X509Ptr> authority = ReadCertificate(ca.pem);
  EVIDENCE_CHECK_MSG(authority.ok(), "a parsed CA certificate does not parse again");
  if (X509_check_issued(authority->get(), certificate.get()) != X509_V_OK) {
    return Status::InvalidArgument("the certificate is not issued by " + ca.subject);
  }
  EVP_PKEY* ca_key = X509_get0_pubkey(authority->get());
  if (ca_key == nullptr || X509_verify(certificate.get(), ca_key) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("the certificate does not carry the signature of " + ca.subject);
  }
  return Status::Ok();
}

Result<Bytes> TimestampAuthority::Issue(const TimestampRequest& request) const {
  if (request.serial.empty() || request.serial.size() > kTimestampSerialBytesMax) {
    return Status::InvalidArgument("the serial number must be 1.." +
                                   std::to_string(kTimestampSerialBytesMax) + " bytes");
  }
  if (request.gen_time_ms < 0) return Status::InvalidArgument("genTime must not be negative");
  EVIDENCE_ASSIGN_OR_RETURN(Bytes request_der, EncodeRequest(request));
  TsRespCtxPtr context(TS_RESP_CTX_new());
  ObjectPtr policy(OBJ_txt2obj(std::string(kTimestampPolicyOid).c_str(), 1));
  if (!context || !policy) return Failure(StatusCode::kInternal, "cannot make a TSA context");
  // set_signer_cert refuses a certificate without the timeStamping usage.
  if (!TS_RESP_CTX_set_signer_cert(context.get(), impl_->certificate.get()) ||
      !TS_RESP_CTX_set_signer_key(context.get(), impl_->key.get()) ||
      !TS_RESP_CTX_set_signer_digest(context.get(), EVP_sha256()) ||
      !TS_RESP_CTX_set_ess_cert_id_digest(context.get(), EVP_sha256()) ||
      !TS_RESP_CTX_set_def_policy(context.get(), policy.get()) ||
      !TS_RESP_CTX_add_md(context.get(), EVP_sha256()) ||
      !TS_RESP_CTX_add_md(context.get(), EVP_sm3()) ||
      !TS_RESP_CTX_set_clock_precision_digits(context.get(), 3)) {
    return Failure(StatusCode::kInternal, "cannot set up the TSA context");
  }
  TS_RESP_CTX_add_flags(context.get(), TS_TSA_NAME);
  // genTime, serial and the extension come from the request, not the clock or
  // a counter: the same record gets the same TSTInfo every time.
  TS_RESP_CTX_set_serial_cb(context.get(), SerialCallback, const_cast<TimestampRequest*>(&request));
  TS_RESP_CTX_set_time_cb(context.get(), TimeCallback, const_cast<TimestampRequest*>(&request));
  TS_RESP_CTX_set_extension_cb(context.get(), ExtensionCallback, nullptr);
  BioPtr request_bio(BIO_new_mem_buf(request_der.data(), static_cast<int>(request_der.size())));
  EVIDENCE_CHECK(request_bio != nullptr);
  TsRespPtr response(TS_RESP_create_response(context.get(), request_bio.get()));
  if (!response) return Failure(StatusCode::kInternal, "the TSA made no response");
  unsigned char* der = nullptr;
  const int length = i2d_TS_RESP(response.get(), &der);
  if (length <= 0) return Failure(StatusCode::kInternal, "cannot encode the response");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  // A rejection (bad request or signing failure) is a bug here: we made the request.
  if (Result<TimestampTokenInfo> info = ReadTimestampResponse(out); !info.ok()) {
    return Status::Internal("the TSA refused its own request: " + info.status().message() +
                            " " + OpenSslErrors());
  }
  return out;
}

Result<TimestampTokenInfo> ReadTimestampResponse(ByteView der) {
  EVIDENCE_ASSIGN_OR_RETURN(TsRespPtr response, DecodeResponse(der));
  TS_TST_INFO* tst = TS_RESP_get_tst_info(response.get());
  TimestampTokenInfo info;
  char oid[256];
  if (OBJ_obj2txt(oid, sizeof(oid), TS_TST_INFO_get_policy_id(tst), 1) <= 0) {
    return Status::InvalidArgument("the token's policy is unreadable");
  }
  info.policy_oid = oid;
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst);
  const ASN1_OBJECT* algorithm = nullptr;
  X509_ALGOR_get0(&algorithm, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  const int nid = OBJ_obj2nid(algorithm);
  if (nid != NID_sha256 && nid != NID_sm3) {
    return Status::InvalidArgument("the token's imprint is neither SHA-256 nor SM3");
  }
  info.imprint_algorithm = nid == NID_sm3 ? HashAlgorithm::kSm3 : HashAlgorithm::kSha256;
  const ASN1_OCTET_STRING* message = TS_MSG_IMPRINT_get_msg(imprint);
  if (ASN1_STRING_length(message) != static_cast<int>(kDigestBytes)) {
    return Status::InvalidArgument("the token's imprint is not 32 bytes");
  }
  info.imprint = DigestFromBytes(ByteView(ASN1_STRING_get0_data(message), kDigestBytes));
  BignumPtr serial(ASN1_INTEGER_to_BN(TS_TST_INFO_get_serial(tst), nullptr));
  if (!serial) return Status::InvalidArgument("the token's serial is unreadable");
  Bytes serial_bytes(static_cast<size_t>(BN_num_bytes(serial.get())));
  BN_bn2bin(serial.get(), serial_bytes.data());
  info.serial_hex = HexEncode(serial_bytes);
  const ASN1_GENERALIZEDTIME* time = TS_TST_INFO_get_time(tst);
  info.gen_time.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(time)),
                       static_cast<size_t>(ASN1_STRING_length(time)));
  ObjectPtr record_oid(OBJ_txt2obj(std::string(kTimestampRecordIdOid).c_str(), 1));
  const int at = TS_TST_INFO_get_ext_by_OBJ(tst, record_oid.get(), -1);
  if (at >= 0) {
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(TS_TST_INFO_get_ext(tst, at));
    const unsigned char* p = ASN1_STRING_get0_data(value);
    OctetsPtr inner(d2i_ASN1_OCTET_STRING(nullptr, &p, ASN1_STRING_length(value)));
    if (!inner || ASN1_STRING_length(inner.get()) != static_cast<int>(kDigestBytes)) {
      OpenSslErrors();
      return Status::InvalidArgument("the token's record id extension is malformed");
    }
    info.record_id_hex = HexEncode(ByteView(ASN1_STRING_get0_data(inner.get()), kDigestBytes));
  }
  const GENERAL_NAME* tsa = TS_TST_INFO_get_tsa(tst);
  if (tsa != nullptr && tsa->type == GEN_DIRNAME) info.tsa_name = NameLine(tsa->d.directoryName);
  return info;
}

Status VerifyTimestampResponse(ByteView der, HashAlgorithm algorithm, const Digest& imprint,
                               std::string_view ca_pem) {
  EVIDENCE_ASSIGN_OR_RETURN(TimestampTokenInfo info, ReadTimestampResponse(der));
  if (info.imprint_algorithm != algorithm) {
    return Status::InvalidArgument("the token imprints a " +
                                   std::string(HashAlgorithmName(info.imprint_algorithm)) +
                                   " digest, not " + std::string(HashAlgorithmName(algorithm)));
  }
  EVIDENCE_ASSIGN_OR_RETURN(TsRespPtr response, DecodeResponse(der));
  StorePtr store(X509_STORE_new());
  EVIDENCE_CHECK(store != nullptr);
  BioPtr ca_bio = MemoryBio(ca_pem);
  int certificates = 0;
  while (X509Ptr certificate{PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(store.get(), certificate.get()) != 1) {
      return Failure(StatusCode::kInvalidArgument, "cannot use a CA certificate");
    }
    ++certificates;
  }
  OpenSslErrors();  // the end of the PEM list is reported as an error
  if (certificates == 0) return Status::InvalidArgument("no PEM certificate in the CA file");
  TsVerifyCtxPtr context(TS_VERIFY_CTX_new());
  EVIDENCE_CHECK(context != nullptr);
  TS_VERIFY_CTX_set_flags(context.get(),
                          TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_SIGNER | TS_VFY_IMPRINT);
  auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(imprint.size()));
  EVIDENCE_CHECK(copy != nullptr);
  std::copy(imprint.begin(), imprint.end(), copy);
  TS_VERIFY_CTX_set_imprint(context.get(), copy, static_cast<long>(imprint.size()));
  TS_VERIFY_CTX_set_store(context.get(), store.release());  // the context owns it now
  if (TS_RESP_verify_response(context.get(), response.get()) != 1) {
    return Failure(StatusCode::kInvalidArgument, "the token does not verify");
  }
  return Status::Ok();
}

}  // namespace evidence::crypto
