#include "crypto/signature.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/check.h"
#include "common/encoding.h"
#include "crypto/hash.h"

namespace evidence::crypto {
namespace {

// --- RAII owners for OpenSSL objects. ---

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
struct OpenSslFree {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter>;
using OpenSslBytesPtr = std::unique_ptr<unsigned char, OpenSslFree>;

// PEM data that may hold a private key: wiped when freed.
struct PemParts {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  ~PemParts() {
    OPENSSL_free(name);
    OPENSSL_free(header);
    if (data != nullptr) OPENSSL_clear_free(data, static_cast<size_t>(length));
  }
};

// Largest DER ECDSA signature over a 256-bit curve: SEQUENCE of two 33-byte INTEGERs.
constexpr size_t kEcdsaDerSignatureBytesMax = 72;
constexpr size_t kEd25519SignatureBytes = 64;
// PEM texts of keys are small; anything larger is not a key.
constexpr size_t kPemBytesMax = 16 * 1024;

// Drains OpenSSL's thread-local error queue into one line, so a failure never
// leaks stale errors into the next, unrelated operation on this thread.
std::string DrainOpenSslErrors() {
  std::string text;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

Status OpenSslError(StatusCode code, std::string_view what) {
  std::string detail = DrainOpenSslErrors();
  std::string message(what);
  if (!detail.empty()) message += " (OpenSSL: " + detail + ")";
  return Status(code, std::move(message));
}

const EVP_MD* DigestFor(SignatureAlgorithm algorithm) {
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const kSm3 = EVP_MD_fetch(nullptr, "SM3", nullptr);
  switch (algorithm) {
    case SignatureAlgorithm::kP256:
      EVIDENCE_CHECK_MSG(kSha256 != nullptr, "OpenSSL lacks SHA-256");
      return kSha256;
    case SignatureAlgorithm::kSm2:
      EVIDENCE_CHECK_MSG(kSm3 != nullptr, "OpenSSL lacks SM3");
      return kSm3;
    case SignatureAlgorithm::kEd25519:
      return nullptr;  // Ed25519 hashes internally (PureEdDSA)
  }
  EVIDENCE_CHECK_MSG(false, "unknown SignatureAlgorithm");
  return nullptr;
}

std::string GroupName(EVP_PKEY* pkey) {
  char name[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
                                     &length) != 1) {
    DrainOpenSslErrors();
    return {};
  }
  return std::string(name, length);
}

// Maps an OpenSSL key to one of our algorithms; refuses every other kind of key.
Result<SignatureAlgorithm> Classify(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return SignatureAlgorithm::kEd25519;
  if (EVP_PKEY_is_a(pkey, "SM2")) {
    // OpenSSL 3.0 gives every EC key on curve SM2 the SM2 key type.
    if (GroupName(pkey) != "SM2") return Status::InvalidArgument("SM2 key not on curve SM2");
    return SignatureAlgorithm::kSm2;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    std::string group = GroupName(pkey);
    if (group == "prime256v1" || group == "P-256") return SignatureAlgorithm::kP256;
    if (group == "SM2") {
      // Only an in-memory key built as "EC" can get here; decoding makes it SM2.
      return Status::InvalidArgument("EC key on curve SM2 has type EC, not SM2: "
                                     "load it from its PEM or DER encoding");
    }
    return Status::InvalidArgument("EC key on curve \"" + group +
                                   "\" is not supported (only P-256 and SM2)");
  }
  const char* type = EVP_PKEY_get0_type_name(pkey);
  return Status::InvalidArgument(std::string("key type \"") + (type ? type : "unknown") +
                                 "\" is not supported (expected p256, ed25519 or sm2)");
}

// Runs OpenSSL's full key check (point on curve, private/public match).
Status CheckKey(EVP_PKEY* pkey, bool has_private) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (ctx == nullptr) return OpenSslError(StatusCode::kInternal, "EVP_PKEY_CTX_new failed");
  int ok = has_private ? EVP_PKEY_check(ctx.get()) : EVP_PKEY_public_check(ctx.get());
  if (ok != 1) return OpenSslError(StatusCode::kInvalidArgument, "key fails validation");
  return Status::Ok();
}

Result<Bytes> EncodeSpki(EVP_PKEY* pkey) {
  unsigned char* raw = nullptr;
  int length = i2d_PUBKEY(pkey, &raw);
  if (length <= 0) return OpenSslError(StatusCode::kInternal, "cannot encode public key");
  OpenSslBytesPtr owner(raw);
  return Bytes(raw, raw + length);
}

// Sets up a fresh signing/verifying context for one call. The EVP_PKEY_CTX must
// outlive the EVP_MD_CTX (set_pkey_ctx does not transfer ownership).
struct SignContext {
  PkeyCtxPtr pkey_ctx;
  MdCtxPtr md_ctx;
};

Result<SignContext> NewSignContext(EVP_PKEY* pkey, SignatureAlgorithm algorithm, bool sign) {
  SignContext context;
  context.md_ctx.reset(EVP_MD_CTX_new());
  if (context.md_ctx == nullptr) return OpenSslError(StatusCode::kInternal, "EVP_MD_CTX_new");
  if (algorithm == SignatureAlgorithm::kSm2) {
    // OpenSSL 3.0 signs and verifies SM2 only with an explicit distinguishing id.
    context.pkey_ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (context.pkey_ctx == nullptr) return OpenSslError(StatusCode::kInternal, "EVP_PKEY_CTX");
    if (EVP_PKEY_CTX_set1_id(context.pkey_ctx.get(), kSm2DefaultUserId.data(),
                             kSm2DefaultUserId.size()) != 1) {
      return OpenSslError(StatusCode::kInternal, "cannot set the SM2 distinguishing id");
    }
    EVP_MD_CTX_set_pkey_ctx(context.md_ctx.get(), context.pkey_ctx.get());
  }
  const EVP_MD* md = DigestFor(algorithm);
  int ok = sign ? EVP_DigestSignInit(context.md_ctx.get(), nullptr, md, nullptr, pkey)
                : EVP_DigestVerifyInit(context.md_ctx.get(), nullptr, md, nullptr, pkey);
  if (ok != 1) return OpenSslError(StatusCode::kInternal, "cannot initialise signature context");
  return context;
}

// Verification contexts set up once per thread and key, then reused: OpenSSL
// 3.0 looks the algorithms up in its provider tables on every
// (Digest)VerifyInit, a measurable share of one verification (openssl speed
// reuses its contexts too). P-256 verifies the SHA-256 of the message with
// EVP_PKEY_verify; Ed25519 calls its one-shot EVP_DigestVerify again on the
// same context. SM2, which binds its id into the context, is set up per call.
// A context holds a reference to its key, so a cached key's address is never
// reused by another key while its entry lives; a thread keeps a few entries.
class VerifyContexts {
 public:
  // The cached context for `pkey`, made on first use; null if it cannot be.
  EVP_PKEY_CTX* P256(EVP_PKEY* pkey) {
    return Find(pkey, SignatureAlgorithm::kP256).pkey_ctx.get();
  }
  EVP_MD_CTX* Ed25519(EVP_PKEY* pkey) {
    return Find(pkey, SignatureAlgorithm::kEd25519).md_ctx.get();
  }
  // After a failed call the context's state is unknown: make it afresh next time.
  void Forget(EVP_PKEY* pkey) {
    std::erase_if(entries_, [pkey](const Entry& entry) { return entry.pkey == pkey; });
  }

 private:
  static constexpr size_t kEntriesMax = 16;
  struct Entry {
    EVP_PKEY* pkey = nullptr;
    PkeyCtxPtr pkey_ctx;
    MdCtxPtr md_ctx;
  };

  const Entry& Find(EVP_PKEY* pkey, SignatureAlgorithm algorithm) {
    for (const Entry& entry : entries_) {
      if (entry.pkey == pkey) return entry;
    }
    if (entries_.size() == kEntriesMax) entries_.erase(entries_.begin());
    Entry entry;
    entry.pkey = pkey;
    if (algorithm == SignatureAlgorithm::kP256) {
      entry.pkey_ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
      if (entry.pkey_ctx != nullptr && EVP_PKEY_verify_init(entry.pkey_ctx.get()) != 1) {
        entry.pkey_ctx.reset();
      }
    } else {
      entry.md_ctx.reset(EVP_MD_CTX_new());
      if (entry.md_ctx != nullptr &&
          EVP_DigestVerifyInit(entry.md_ctx.get(), nullptr, nullptr, nullptr, pkey) != 1) {
        entry.md_ctx.reset();
      }
    }
    if (entry.pkey_ctx == nullptr && entry.md_ctx == nullptr) DrainOpenSslErrors();
    entries_.push_back(std::move(entry));
    return entries_.back();
  }

  std::vector<Entry> entries_;
};

thread_local VerifyContexts verify_contexts;

// Strict DER: a signature must be exactly the DER encoding of its (r, s).
bool IsStrictDerSignature(ByteView signature) {
  if (signature.empty() || signature.size() > kEcdsaDerSignatureBytesMax) return false;
  const unsigned char* cursor = signature.data();
  EcdsaSigPtr parsed(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(signature.size())));
  if (parsed == nullptr || cursor != signature.data() + signature.size()) return false;
  unsigned char* raw = nullptr;
  int length = i2d_ECDSA_SIG(parsed.get(), &raw);
  if (length <= 0) return false;
  OpenSslBytesPtr owner(raw);
  return static_cast<size_t>(length) == signature.size() &&
         std::memcmp(raw, signature.data(), signature.size()) == 0;
}

// Reads the first PEM block of `pem`, which must be labelled `label`.
Status ReadPemBlock(std::string_view pem, std::string_view label, PemParts& parts) {
  if (pem.size() > kPemBytesMax) {
    return Status::InvalidArgument("PEM text is larger than " + std::to_string(kPemBytesMax) +
                                   " bytes: not a key");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OpenSslError(StatusCode::kInternal, "BIO_new_mem_buf failed");
  if (PEM_read_bio(bio.get(), &parts.name, &parts.header, &parts.data, &parts.length) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        "no PEM block found (expected \"-----BEGIN " + std::string(label) +
                            "-----\")");
  }
  if (label != parts.name) {
    return Status::InvalidArgument("PEM block is \"" + std::string(parts.name) + "\", expected \"" +
                                   std::string(label) + "\"");
  }
  if (parts.header != nullptr && parts.header[0] != '\0') {
    return Status::InvalidArgument("PEM headers (e.g. encryption) are not supported");
  }
  return Status::Ok();
}

// Reads a key file with plain read(2) into one string the caller may wipe
// (no stdio buffer keeps a copy of a private key).
Result<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  std::string text(kPemBytesMax + 1, '\0');
  size_t size = 0;
  int error = 0;
  while (size < text.size()) {
    ssize_t n = ::read(fd, text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = errno;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  if (error != 0) {
    SecureWipe(text.data(), text.size());
    return Status::IoError("cannot read " + path + ": " + std::strerror(error));
  }
  text.resize(size);
  return text;
}

// Creates `path` with `mode` and writes `data`, fsynced. O_EXCL: never
// overwrites a file (a key may exist only once); removes a partial file.
Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    int error = errno;
    std::string message = "cannot create " + path + ": " + std::strerror(error);
    if (error == EEXIST) return Status::AlreadyExists(message + " (refusing to overwrite a key)");
    return Status::IoError(message);
  }
  size_t written = 0;
  int error = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = n < 0 ? errno : EIO;
      break;
    }
    written += static_cast<size_t>(n);
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(path.c_str());
    return Status::IoError("cannot write " + path + ": " + std::strerror(error));
  }
  return Status::Ok();
}

}  // namespace

std::string_view SignatureAlgorithmName(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kP256:
      return "p256";
    case SignatureAlgorithm::kEd25519:
      return "ed25519";
    case SignatureAlgorithm::kSm2:
      return "sm2";
  }
  EVIDENCE_CHECK_MSG(false, "unknown SignatureAlgorithm");
  return {};
}

Result<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view name) {
  if (name == "p256") return SignatureAlgorithm::kP256;
  if (name == "ed25519") return SignatureAlgorithm::kEd25519;
  if (name == "sm2") return SignatureAlgorithm::kSm2;
  return Status::InvalidArgument("unknown signature algorithm \"" + std::string(name) +
                                 "\" (expected p256, ed25519 or sm2)");
}

// ---------------------------------------------------------------- PublicKey

struct PublicKey::Impl {
  PkeyPtr pkey;
};

PublicKey::PublicKey(std::unique_ptr<Impl> impl, SignatureAlgorithm algorithm, Bytes spki_der)
    : impl_(std::move(impl)),
      algorithm_(algorithm),
      spki_der_(std::move(spki_der)),
      key_id_(DigestHex(Hash(HashAlgorithm::kSha256, spki_der_))) {
  EVIDENCE_CHECK(impl_ != nullptr && impl_->pkey != nullptr);
}

PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

// Copies share the immutable EVP_PKEY (reference counted by OpenSSL).
PublicKey::PublicKey(const PublicKey& other)
    : impl_(std::make_unique<Impl>()),
      algorithm_(other.algorithm_),
      spki_der_(other.spki_der_),
      key_id_(other.key_id_) {
  EVIDENCE_CHECK(other.impl_ != nullptr);
  EVIDENCE_CHECK(EVP_PKEY_up_ref(other.impl_->pkey.get()) == 1);
  impl_->pkey.reset(other.impl_->pkey.get());
}

PublicKey& PublicKey::operator=(const PublicKey& other) {
  if (this != &other) *this = PublicKey(other);
  return *this;
}

Result<PublicKey> PublicKey::FromSpkiDer(ByteView der) {
  const unsigned char* cursor = der.data();
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  if (pkey == nullptr) {
    return OpenSslError(StatusCode::kInvalidArgument, "not a DER SubjectPublicKeyInfo");
  }
  if (cursor != der.data() + der.size()) {
    DrainOpenSslErrors();
    return Status::InvalidArgument("trailing bytes after the SubjectPublicKeyInfo");
  }
  EVIDENCE_ASSIGN_OR_RETURN(SignatureAlgorithm algorithm, Classify(pkey.get()));
  if (algorithm != SignatureAlgorithm::kEd25519) {
    EVIDENCE_RETURN_IF_ERROR(CheckKey(pkey.get(), /*has_private=*/false));
    // A decoded EC key re-encodes as it was read (a compressed point, explicit
    // curve parameters): ask for the canonical form, so that the comparison
    // below refuses the others.
    if (EVP_PKEY_set_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1 ||
        EVP_PKEY_set_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_EC_ENCODING,
                                       OSSL_PKEY_EC_ENCODING_GROUP) != 1) {
      return OpenSslError(StatusCode::kInternal, "cannot set the EC key's encoding");
    }
  }
  // One key, one id: only the canonical DER encoding is accepted.
  EVIDENCE_ASSIGN_OR_RETURN(Bytes canonical, EncodeSpki(pkey.get()));
  if (!std::equal(canonical.begin(), canonical.end(), der.begin(), der.end())) {
    return Status::InvalidArgument(
        "public key is not in canonical DER form (uncompressed point, named curve)");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey = std::move(pkey);
  return PublicKey(std::move(impl), algorithm, std::move(canonical));
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  PemParts parts;
  EVIDENCE_RETURN_IF_ERROR(ReadPemBlock(pem, "PUBLIC KEY", parts));
  return FromSpkiDer(ByteView(parts.data, static_cast<size_t>(parts.length)));
}

Result<PublicKey> PublicKey::LoadPem(const std::string& path) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  auto key = FromPem(text);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

std::string PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  EVIDENCE_CHECK(bio != nullptr);
  EVIDENCE_CHECK(PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) == 1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  EVIDENCE_CHECK(length > 0);
  return std::string(data, static_cast<size_t>(length));
}

bool PublicKey::Verify(ByteView message, ByteView signature) const {
  if (algorithm_ == SignatureAlgorithm::kEd25519) {
    if (signature.size() != kEd25519SignatureBytes) return false;
  } else if (!IsStrictDerSignature(signature)) {
    DrainOpenSslErrors();
    return false;
  }
  EVP_PKEY* pkey = impl_->pkey.get();
  int ok = -1;
  EVP_PKEY_CTX* p256 =
      algorithm_ == SignatureAlgorithm::kP256 ? verify_contexts.P256(pkey) : nullptr;
  EVP_MD_CTX* ed25519 =
      algorithm_ == SignatureAlgorithm::kEd25519 ? verify_contexts.Ed25519(pkey) : nullptr;
  if (p256 != nullptr) {
    Digest digest = Hash(HashAlgorithm::kSha256, message);
    ok = EVP_PKEY_verify(p256, signature.data(), signature.size(), digest.data(), digest.size());
  } else if (ed25519 != nullptr) {
    ok = EVP_DigestVerify(ed25519, signature.data(), signature.size(), message.data(),
                          message.size());
  } else {
    auto context = NewSignContext(pkey, algorithm_, /*sign=*/false);
    if (!context.ok()) return false;
    ok = EVP_DigestVerify(context->md_ctx.get(), signature.data(), signature.size(),
                          message.data(), message.size());
  }
  if (ok != 1) {
    DrainOpenSslErrors();
    if (ok < 0) verify_contexts.Forget(pkey);
  }
  return ok == 1;
}

Status PublicKey::SavePem(const std::string& path) const {
  return WriteNewFile(path, ToPem(), 0644);
}

void* PublicKey::native_handle() const { return impl_->pkey.get(); }

// --------------------------------------------------------------- PrivateKey

struct PrivateKey::Impl {
  PkeyPtr pkey;
};

PrivateKey::PrivateKey(std::unique_ptr<Impl> impl, PublicKey public_key)
    : impl_(std::move(impl)), public_key_(std::move(public_key)) {
  EVIDENCE_CHECK(impl_ != nullptr && impl_->pkey != nullptr);
}

PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;  // EVP_PKEY_free clears the key material

namespace {

// Wraps a loaded or generated private EVP_PKEY, deriving its public key.
Result<PublicKey> DerivePublicKey(EVP_PKEY* pkey) {
  EVIDENCE_ASSIGN_OR_RETURN(SignatureAlgorithm algorithm, Classify(pkey));
  if (algorithm != SignatureAlgorithm::kEd25519) {
    EVIDENCE_RETURN_IF_ERROR(CheckKey(pkey, /*has_private=*/true));
  }
  EVIDENCE_ASSIGN_OR_RETURN(Bytes spki, EncodeSpki(pkey));
  EVIDENCE_ASSIGN_OR_RETURN(PublicKey public_key, PublicKey::FromSpkiDer(spki));
  EVIDENCE_CHECK(public_key.algorithm() == algorithm);
  return public_key;
}

}  // namespace

Result<PrivateKey> PrivateKey::Generate(SignatureAlgorithm algorithm) {
  PkeyPtr pkey;
  switch (algorithm) {
    case SignatureAlgorithm::kP256:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
      break;
    case SignatureAlgorithm::kEd25519:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
      break;
    case SignatureAlgorithm::kSm2:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2"));
      break;
  }
  if (pkey == nullptr) {
    return OpenSslError(StatusCode::kInternal,
                        "cannot generate a " + std::string(SignatureAlgorithmName(algorithm)) +
                            " key");
  }
  EVIDENCE_ASSIGN_OR_RETURN(PublicKey public_key, DerivePublicKey(pkey.get()));
  EVIDENCE_CHECK(public_key.algorithm() == algorithm);
  auto impl = std::make_unique<Impl>();
  impl->pkey = std::move(pkey);
  return PrivateKey(std::move(impl), std::move(public_key));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  PemParts parts;
  EVIDENCE_RETURN_IF_ERROR(ReadPemBlock(pem, "PRIVATE KEY", parts));
  const unsigned char* cursor = parts.data;
  PkeyPtr pkey(d2i_AutoPrivateKey(nullptr, &cursor, parts.length));
  if (pkey == nullptr) {
    return OpenSslError(StatusCode::kInvalidArgument, "not a PKCS#8 private key");
  }
  if (cursor != parts.data + parts.length) {
    DrainOpenSslErrors();
    return Status::InvalidArgument("trailing bytes after the PKCS#8 private key");
  }
  EVIDENCE_ASSIGN_OR_RETURN(PublicKey public_key, DerivePublicKey(pkey.get()));
  auto impl = std::make_unique<Impl>();
  impl->pkey = std::move(pkey);
  return PrivateKey(std::move(impl), std::move(public_key));
}

Result<PrivateKey> PrivateKey::LoadPem(const std::string& path) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  auto key = FromPem(text);
  SecureWipe(text.data(), text.size());
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

std::string PrivateKey::ToPem() const {
  // Secure-memory BIO: its buffer is wiped when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  EVIDENCE_CHECK(bio != nullptr);
  EVIDENCE_CHECK(PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0,
                                               nullptr, nullptr) == 1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  EVIDENCE_CHECK(length > 0);
  return std::string(data, static_cast<size_t>(length));
}

Status PrivateKey::SavePem(const std::string& path) const {
  // 0600: only the owner may read a private key.
  std::string pem = ToPem();
  Status status = WriteNewFile(path, pem, 0600);
  SecureWipe(pem.data(), pem.size());
  return status;
}

Result<Bytes> PrivateKey::Sign(ByteView message) const {
  EVIDENCE_ASSIGN_OR_RETURN(SignContext context,
                            NewSignContext(impl_->pkey.get(), algorithm(), /*sign=*/true));
  size_t length = 0;
  if (EVP_DigestSign(context.md_ctx.get(), nullptr, &length, message.data(), message.size()) != 1) {
    return OpenSslError(StatusCode::kInternal, "cannot size the signature");
  }
  Bytes signature(length);
  if (EVP_DigestSign(context.md_ctx.get(), signature.data(), &length, message.data(),
                     message.size()) != 1) {
    return OpenSslError(StatusCode::kInternal, "signing failed");
  }
  signature.resize(length);
  return signature;
}

void* PrivateKey::native_handle() const { return impl_->pkey.get(); }

bool IsDerEcdsaSignature(ByteView signature) { return IsStrictDerSignature(signature); }

Result<Bytes> EcdsaRawToDer(ByteView raw) {
  constexpr size_t kHalf = 32;
  if (raw.size() != 2 * kHalf) {
    return Status::InvalidArgument("a raw r || s signature is 64 bytes, not " +
                                   std::to_string(raw.size()));
  }
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), kHalf, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + kHalf, kHalf, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return OpenSslError(StatusCode::kInternal, "ECDSA_SIG_set0 failed");
  }
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return OpenSslError(StatusCode::kInternal, "i2d_ECDSA_SIG failed");
  OpenSslBytesPtr owner(der);
  return Bytes(der, der + length);
}

}  // namespace evidence::crypto
