#include "node/p2p/tls.h"

#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>
#include <exception>
#include <memory>
#include <string>

#include "common/check.h"
#include "crypto/hash.h"
#include "node/p2p/transport.h"

namespace evidence::node::p2p {
namespace {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

constexpr long kCertificateValiditySeconds = 20L * 365 * 24 * 3600;

// SSL_CTX ex_data: the context's own protocol in ALPN wire form (length byte,
// name), freed with the context.
void FreeProtocol(void*, void* pointer, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::string*>(pointer);
}
int ContextProtocolIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeProtocol);
  return index;
}
// SSL ex_data: the std::string* of SetAlpnOfferSink (not owned).
int OfferSinkIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Listener: select our protocol if the dialler offers it, else fail the handshake
// and leave the dialler's offer in the session's sink for the refusal message.
int SelectProtocol(SSL* ssl, const unsigned char** out, unsigned char* out_length,
                   const unsigned char* offer, unsigned int offer_length, void*) {
  const auto* ours = static_cast<const std::string*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ContextProtocolIndex()));
  EVIDENCE_CHECK(ours != nullptr && !ours->empty());
  unsigned char* selected = nullptr;
  unsigned char selected_length = 0;
  if (SSL_select_next_proto(&selected, &selected_length,
                            reinterpret_cast<const unsigned char*>(ours->data()),
                            static_cast<unsigned int>(ours->size()), offer,
                            offer_length) == OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    *out_length = selected_length;
    return SSL_TLSEXT_ERR_OK;
  }
  if (auto* sink = static_cast<std::string*>(SSL_get_ex_data(ssl, OfferSinkIndex()))) {
    sink->clear();
    // The offer is a list of (length byte, name); at most 64 KiB, the extension's bound.
    for (unsigned int at = 0; at < offer_length;) {
      const unsigned int length = offer[at];
      if (length == 0 || at + 1 + length > offer_length) break;
      if (!sink->empty()) sink->append(", ");
      for (unsigned int i = 0; i < length; ++i) {
        const unsigned char c = offer[at + 1 + i];
        sink->push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
      }
      at += 1 + length;
      if (sink->size() > 512) break;
    }
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// A self-signed certificate for `key`. Validity dates are generous and not
// relied on: peers pin the key, not the certificate.
Result<X509Ptr> MakeSelfSignedCertificate(const crypto::PrivateKey& node_key,
                                          std::string_view common_name) {
  auto* pkey = static_cast<EVP_PKEY*>(node_key.native_handle());
  X509Ptr certificate(X509_new());
  if (!certificate) return Status::Internal("X509_new failed");
  X509* x = certificate.get();
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) {
    return Status::Internal("RAND_bytes failed for the certificate serial");
  }
  serial >>= 1;  // a positive serial number
  X509_NAME* name = X509_get_subject_name(x);
  const std::string cn = common_name.empty() ? std::string("evidence-node") : std::string(common_name);
  const bool ok =
      X509_set_version(x, 2) == 1 &&
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(x), kCertificateValiditySeconds) != nullptr &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) == 1 &&
      X509_set_issuer_name(x, name) == 1 && X509_set_pubkey(x, pkey) == 1;
  if (!ok) return Status::Internal("building the node certificate failed");
  // Ed25519 signs the message itself (no digest); P-256 uses SHA-256.
  const EVP_MD* md =
      node_key.algorithm() == crypto::SignatureAlgorithm::kEd25519 ? nullptr : EVP_sha256();
  if (X509_sign(x, pkey, md) <= 0) return Status::Internal("signing the node certificate failed");
  return certificate;
}

}  // namespace

std::string KeyIdOfNativeKey(const void* evp_pkey) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(static_cast<const EVP_PKEY*>(evp_pkey), &der);
  if (length <= 0) return std::string();
  const crypto::Digest digest =
      crypto::Hash(crypto::HashAlgorithm::kSha256, ByteView(der, static_cast<size_t>(length)));
  OPENSSL_free(der);
  return crypto::DigestHex(digest);
}

std::string KeyIdOfCertificate(X509* certificate) {
  if (certificate == nullptr) return std::string();
  EVP_PKEY* key = X509_get0_pubkey(certificate);
  return key == nullptr ? std::string() : KeyIdOfNativeKey(key);
}

void SetAlpnOfferSink(SSL* ssl, std::string* sink) {
  EVIDENCE_CHECK(SSL_set_ex_data(ssl, OfferSinkIndex(), sink) == 1);
}

std::string SelectedProtocol(const SSL* ssl) {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl, &data, &length);
  return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), length);
}

bool IsNoApplicationProtocolAlert(const boost::system::error_code& error) {
  return error.category() == boost::asio::error::get_ssl_category() &&
         ERR_GET_LIB(static_cast<unsigned long>(error.value())) == ERR_LIB_SSL &&
         ERR_GET_REASON(static_cast<unsigned long>(error.value())) ==
             SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL;
}

Result<std::unique_ptr<boost::asio::ssl::context>> MakeTlsContext(
    const crypto::PrivateKey& node_key, std::string_view common_name, std::string_view protocol) {
  if (protocol.empty() || protocol.size() > 255) {
    return Status::InvalidArgument("p2p protocol name must be 1..255 bytes");
  }
  if (node_key.algorithm() == crypto::SignatureAlgorithm::kSm2) {
    return Status::InvalidArgument(
        "node key " + node_key.key_id() +
        " is SM2, which OpenSSL 3.0 does not support in TLS 1.3; give the node a p256 or "
        "ed25519 node key (SM2 stays available for vote and agency keys)");
  }
  EVIDENCE_ASSIGN_OR_RETURN(X509Ptr certificate,
                            MakeSelfSignedCertificate(node_key, common_name));
  std::unique_ptr<boost::asio::ssl::context> context;
  try {
    context = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("creating the TLS context failed: ") + e.what());
  }
  SSL_CTX* ctx = context->native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    return Status::Internal("restricting the TLS context to TLS 1.3 failed");
  }
  auto* pkey = static_cast<EVP_PKEY*>(node_key.native_handle());
  if (SSL_CTX_use_certificate(ctx, certificate.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, pkey) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return Status::Internal("loading the node certificate and key into TLS failed");
  }
  // Tickets and resumption would skip the certificate check on reconnect.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  // ALPN: the protocol version of the frames and envelope (docs/p2p-wire-format.md).
  auto wire = std::make_unique<std::string>(1, static_cast<char>(protocol.size()));
  wire->append(protocol);
  if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire->data()),
                              static_cast<unsigned int>(wire->size())) != 0 ||
      SSL_CTX_set_ex_data(ctx, ContextProtocolIndex(), wire.get()) != 1) {
    return Status::Internal("setting the p2p protocol (ALPN) failed");
  }
  static_cast<void>(wire.release());  // owned by the context now (FreeProtocol)
  SSL_CTX_set_alpn_select_cb(ctx, SelectProtocol, nullptr);
  boost::system::error_code ec;
  context->set_verify_mode(
      boost::asio::ssl::verify_peer | boost::asio::ssl::verify_fail_if_no_peer_cert, ec);
  if (ec) return Status::Internal("setting the TLS verify mode failed: " + ec.message());
  return context;
}

}  // namespace evidence::node::p2p
