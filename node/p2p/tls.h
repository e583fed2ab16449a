// TLS 1.3 context for the p2p transport (internal to node/p2p): a self-signed
// X.509 certificate made in memory from the node key, mutual authentication
// required, the p2p protocol version negotiated with ALPN (RFC 7301), and key
// ids of certificates for pinning.
//
// Thread-safety: MakeTlsContext builds a new context; the context is then used
// read-only by the transport's I/O thread. KeyIdOfCertificate, SetAlpnOfferSink
// and SelectedProtocol are thread-safe for distinct SSL objects.
#pragma once

#include <openssl/ssl.h>
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
// ALPN: a dialler offers `protocol` (e.g. "evidence-p2p/1"), a listener selects
// it and fails the handshake (alert no_application_protocol) when the dialler
// offers other protocols only. InvalidArgument for SM2 keys or a `protocol` that
// is empty or longer than 255 bytes.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeTlsContext(
    const crypto::PrivateKey& node_key, std::string_view common_name, std::string_view protocol);

// Where a listener's handshake on `ssl` writes the protocols a dialler offered
// ("a, b") when none of them is ours; `sink` must outlive the handshake.
void SetAlpnOfferSink(SSL* ssl, std::string* sink);

// The protocol the handshake on `ssl` agreed on; empty if none (a peer without ALPN).
std::string SelectedProtocol(const SSL* ssl);

// True if `error` (from a failed handshake) is the peer's no_application_protocol
// alert: the listener speaks none of the protocols we offered.
bool IsNoApplicationProtocolAlert(const boost::system::error_code& error);

// Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo of the certificate's
// key (the same value as crypto::PublicKey::key_id); empty if it has none.
std::string KeyIdOfCertificate(X509* certificate);

}  // namespace evidence::node::p2p
