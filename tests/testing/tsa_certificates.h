// Test institutions for RFC 3161 tests: a CA and a TSA certificate made with
// OpenSSL's X.509 API (P-256, the TSA's extended key usage as asked).
//
// Thread-safety: pure functions.
#pragma once

#include <string>

namespace evidence::testing {

struct TsaInstitution {
  std::string ca_pem;        // the institution's self-signed CA certificate
  std::string tsa_key_pem;   // the TSA's private key (PKCS#8)
  std::string tsa_cert_pem;  // the TSA's certificate, issued by the CA
};

// `extended_key_usage` in openssl's config syntax, e.g. "critical,timeStamping".
TsaInstitution MakeTsaInstitution(const std::string& name,
                                  const std::string& extended_key_usage = "critical,timeStamping");

}  // namespace evidence::testing
