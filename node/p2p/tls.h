// TLS 1.3 context for the p2p transport (internal to node/p2p): a self-signed
// X.509 certificate made in memory from the node key, mutual authentication
// required, and key ids of certificates for pinning.
//
// Thread-safety: MakeTlsContext builds a new context; the context is then used
// read-only by the transport's I/O thread. KeyIdOfCertificate is thread-safe.
#pragma once

#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/signature.h"

namespace evidence::node::p2p {

// TLS 1.3 only, verify_peer | verify_fail_if_no_peer_cert (the per-connection
// verify callback does the pinning), certificate and key from `node_key`.
// InvalidArgument for SM2 keys.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeTlsContext(
    const crypto::PrivateKey& node_key, std::string_view common_name);

// Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo of the certificate's
// key (the same value as crypto::PublicKey::key_id); empty if it has none.
std::string KeyIdOfCertificate(X509* certificate);

}  // namespace evidence::node::p2p
