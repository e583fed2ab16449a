#include "tests/testing/tsa_certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace evidence::testing {
namespace {

void Require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificates: ") + what);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(length));
  BIO_free(bio);
  return out;
}

std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  Require(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "key");
  return BioText(bio);
}

std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  Require(PEM_write_bio_X509(bio, cert) == 1, "certificate");
  return BioText(bio);
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  Require(extension != nullptr, "extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `common_name`, signed by `issuer_key`
// (self-signed when `issuer` is null).
X509* NewCert(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key,
              const std::string& extended_key_usage) {
  X509* cert = X509_new();
  Require(cert != nullptr, "new certificate");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), issuer ? 2 : 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : cert;
  if (issuer == nullptr) {
    AddExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert, signer, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert, signer, NID_ext_key_usage, extended_key_usage);
  }
  Require(X509_sign(cert, issuer_key, EVP_sha256()) > 0, "sign");
  return cert;
}

}  // namespace

TsaInstitution MakeTsaInstitution(const std::string& name, const std::string& extended_key_usage) {
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  EVP_PKEY* tsa_key = EVP_EC_gen("P-256");
  Require(ca_key != nullptr && tsa_key != nullptr, "keys");
  X509* ca = NewCert(ca_key, name, nullptr, ca_key, "");
  X509* tsa = NewCert(tsa_key, name + " TSA", ca, ca_key, extended_key_usage);
  TsaInstitution out{CertPem(ca), KeyPem(tsa_key), CertPem(tsa)};
  X509_free(tsa);
  X509_free(ca);
  EVP_PKEY_free(tsa_key);
  EVP_PKEY_free(ca_key);
  return out;
}

}  // namespace evidence::testing
