#include "delivery/push/webpush.h"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>

#include "core/ascii.h"
#include "core/base64.h"
#include "delivery/http_post.h"
#include "delivery/push/jwt.h"

namespace cdp::delivery {
namespace {

constexpr size_t kPointBytes = 65;  // 0x04 || X || Y
constexpr size_t kScalarBytes = 32;
constexpr size_t kAuthBytes = 16;
constexpr size_t kSaltBytes = 16;
constexpr size_t kTagBytes = 16;
constexpr size_t kHeaderBytes = kSaltBytes + 4 + 1 + kPointBytes;
constexpr int64_t kJwtLifetimeSeconds = 12 * 3600;
constexpr int64_t kJwtRenewSeconds = 3600;  // sign anew when less than this is left
constexpr size_t kMaxCachedJwts = 64;
static_assert(kHeaderBytes + kMaxWebPushPlaintext + 1 + kTagBytes == kWebPushRecordSize);

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using KeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
// OSSL_PARAM takes non-const pointers even for inputs it only reads.
void* Mutable(std::string_view s) { return const_cast<char*>(s.data()); }

Key NoKey() { return {nullptr, &EVP_PKEY_free}; }

std::optional<std::string> PublicPoint(EVP_PKEY* key) {
  std::string point(kPointBytes, '\0');
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY,
                                      reinterpret_cast<unsigned char*>(point.data()), point.size(),
                                      &len) != 1 ||
      len != kPointBytes || point[0] != 0x04)
    return std::nullopt;
  return point;
}

Key KeyFromParams(OSSL_PARAM* params, int selection) {
  KeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, selection, params) != 1)
    return NoKey();
  return {key, &EVP_PKEY_free};
}

// The browser's key: an uncompressed point that lies on P-256.
Key PublicKeyFromPoint(std::string_view point) {
  if (point.size() != kPointBytes || point[0] != 0x04) return NoKey();
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, Mutable(point), point.size()),
      OSSL_PARAM_construct_end()};
  Key key = KeyFromParams(params, EVP_PKEY_PUBLIC_KEY);
  if (!key) return key;
  KeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), &EVP_PKEY_CTX_free);
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return NoKey();
  return key;
}

// A key pair from its raw private scalar; the public point is computed from it.
Key KeyPairFromScalar(std::string_view scalar) {
  if (scalar.size() != kScalarBytes) return NoKey();
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(
      EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), &EC_GROUP_free);
  std::unique_ptr<BIGNUM, decltype(&BN_clear_free)> d(
      BN_bin2bn(Bytes(scalar), static_cast<int>(scalar.size()), nullptr), &BN_clear_free);
  if (!group || !d || BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
    return NoKey();
  std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> q(EC_POINT_new(group.get()), &EC_POINT_free);
  unsigned char point[kPointBytes];
  if (!q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, point, sizeof point,
                         nullptr) != kPointBytes)
    return NoKey();
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(),
                                                                        &OSSL_PARAM_BLD_free);
  if (!build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) !=
          1)
    return NoKey();
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(build.get()), &OSSL_PARAM_free);
  if (!params) return NoKey();
  return KeyFromParams(params.get(), EVP_PKEY_KEYPAIR);
}

Key NewKeyPair() { return {EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), &EVP_PKEY_free}; }

std::optional<std::string> Ecdh(EVP_PKEY* own, EVP_PKEY* peer) {
  KeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr), &EVP_PKEY_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
    return std::nullopt;
  std::string secret(len, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(secret.data()), &len) != 1)
    return std::nullopt;
  secret.resize(len);
  return secret;
}

// HKDF-SHA-256, extract then expand (RFC 5869).
std::optional<std::string> Hkdf(std::string_view salt, std::string_view ikm, std::string_view info,
                                size_t length) {
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr),
                                                        &EVP_KDF_free);
  if (!kdf) return std::nullopt;
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()),
                                                                &EVP_KDF_CTX_free);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, Mutable(salt), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, Mutable(ikm), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, Mutable(info), info.size()),
      OSSL_PARAM_construct_end()};
  std::string out(length, '\0');
  if (!ctx || EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(),
                             params) != 1)
    return std::nullopt;
  return out;
}

std::optional<std::string> Aes128Gcm(std::string_view key, std::string_view nonce,
                                     std::string_view plaintext) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  std::string out(plaintext.size() + kTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int len = 0, tail = 0;
  if (!ctx || key.size() != 16 || nonce.size() != 12 ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, Bytes(key), Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) !=
          1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + len, &tail) != 1 ||
      static_cast<size_t>(len + tail) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, o + plaintext.size()) != 1)
    return std::nullopt;
  return out;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) return {};
  return out;
}

// RFC 8291 §3.4 and RFC 8188 §2 with the application server's key `as_key` and `salt`.
Result<std::string> Encrypt(std::string_view plaintext, std::string_view ua_public_b64url,
                            std::string_view auth_secret_b64url, EVP_PKEY* as_key,
                            std::string_view salt) {
  if (plaintext.size() > kMaxWebPushPlaintext)
    return Status(Code::kPayloadTooLarge,
                  fmt::format("the notification is {} bytes as JSON; Web Push carries at most {}",
                              plaintext.size(), kMaxWebPushPlaintext));
  const auto ua_public = FromBase64Url(ua_public_b64url);
  Key ua_key = ua_public ? PublicKeyFromPoint(*ua_public) : NoKey();
  if (!ua_key)
    return InvalidArgument("p256dh: not a base64url uncompressed P-256 point (65 bytes)");
  const auto auth = FromBase64Url(auth_secret_b64url);
  if (!auth || auth->size() != kAuthBytes) return InvalidArgument("auth: not 16 bytes base64url");
  const auto as_public = as_key ? PublicPoint(as_key) : std::nullopt;
  if (!as_public || salt.size() != kSaltBytes) return Internal("Web Push encryption: no key");

  const auto ecdh_secret = Ecdh(as_key, ua_key.get());
  if (!ecdh_secret) return InvalidArgument("p256dh: key agreement failed");
  using namespace std::literals;
  const std::string key_info = "WebPush: info\0"s + *ua_public + *as_public;
  const auto ikm = Hkdf(*auth, *ecdh_secret, key_info, 32);
  const auto cek = ikm ? Hkdf(salt, *ikm, "Content-Encoding: aes128gcm\0"sv, 16) : std::nullopt;
  const auto nonce = ikm ? Hkdf(salt, *ikm, "Content-Encoding: nonce\0"sv, 12) : std::nullopt;
  if (!cek || !nonce) return Internal("Web Push encryption: HKDF failed");
  // One record, so it is the last: its padding delimiter is 2, and no padding follows.
  std::string record(plaintext);
  record.push_back('\x02');
  const auto ciphertext = Aes128Gcm(*cek, *nonce, record);
  if (!ciphertext) return Internal("Web Push encryption: AES-GCM failed");

  std::string body(salt);
  for (int shift = 24; shift >= 0; shift -= 8)
    body.push_back(static_cast<char>((kWebPushRecordSize >> shift) & 0xff));
  body.push_back(static_cast<char>(kPointBytes));
  body += *as_public;
  body += *ciphertext;
  return body;
}

}  // namespace

Result<VapidKeys> GenerateVapidKeys() {
  Key key = NewKeyPair();
  const auto point = key ? PublicPoint(key.get()) : std::nullopt;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!point || !bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return Internal("could not generate a VAPID key pair");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return VapidKeys{std::string(data, static_cast<size_t>(len)), Base64Url(*point)};
}

Result<std::string> EncryptPayload(std::string_view plaintext, std::string_view ua_public_b64url,
                                   std::string_view auth_secret_b64url) {
  Key key = NewKeyPair();
  const std::string salt = RandomBytes(kSaltBytes);
  if (!key || salt.empty()) return Internal("Web Push encryption: no random key");
  return Encrypt(plaintext, ua_public_b64url, auth_secret_b64url, key.get(), salt);
}

Result<std::string> EncryptPayload(std::string_view plaintext, std::string_view ua_public_b64url,
                                   std::string_view auth_secret_b64url,
                                   std::string_view as_private_key, std::string_view salt) {
  Key key = KeyPairFromScalar(as_private_key);
  if (!key) return InvalidArgument("application server key: not a P-256 private scalar");
  if (salt.size() != kSaltBytes) return InvalidArgument("salt: not 16 bytes");
  return Encrypt(plaintext, ua_public_b64url, auth_secret_b64url, key.get(), salt);
}

namespace {

// scheme://host[:port] of an http(s) URL (RFC 6454 §6.2: no default port), as VAPID's aud.
Result<std::string> Origin(const std::string& endpoint) {
  const std::optional<UrlParts> url = ParseUrl(endpoint);
  if (!url) return InvalidArgument("endpoint: not a URL");
  const auto& [scheme, host, port] = *url;
  if (!scheme || (AsciiLower(*scheme) != "http" && AsciiLower(*scheme) != "https"))
    return InvalidArgument("endpoint: not an http(s) URL");
  if (!host || host->empty()) return InvalidArgument("endpoint: no host");
  std::string origin = AsciiLower(*scheme) + "://" + AsciiLower(*host);
  const char* default_port = AsciiLower(*scheme) == "https" ? "443" : "80";
  if (port && *port != default_port) origin += ":" + *port;
  return origin;
}

// The JSON text the service worker reads (see webpush.h).
Result<std::string> Payload(const PushNotification& n) {
  boost::json::value data = boost::json::object();
  if (!n.data.empty()) {
    boost::system::error_code ec;
    data = boost::json::parse(n.data, ec);
    if (ec || !data.is_object()) return InvalidArgument("data: not a JSON object");
  }
  boost::json::object out;
  out["title"] = n.title;
  out["body"] = n.body;
  if (!n.url.empty()) out["url"] = n.url;
  if (!n.image.empty()) out["image"] = n.image;
  out["data"] = std::move(data);
  out["message_id"] = n.message_id;
  return boost::json::serialize(out);
}

class WebPushProvider final : public PushProvider {
 public:
  WebPushProvider(const WebPushSettings& settings, const VapidKeys& keys, int timeout_seconds,
                  std::unique_ptr<Clock> own_clock, const Clock& clock)
      : settings_(settings),
        keys_(keys),
        own_clock_(std::move(own_clock)),
        clock_(clock),
        post_(timeout_seconds, HttpPost::Version::kDefault) {
    key_error_ = CheckKeys();
  }
  WebPushProvider(const WebPushProvider&) = delete;
  WebPushProvider& operator=(const WebPushProvider&) = delete;

  PushOutcome Send(const PushSubscription& to, const PushNotification& n) override {
    if (!key_error_.empty()) return Permanent(key_error_);
    auto origin = Origin(to.endpoint);
    if (!origin.ok()) return Permanent(origin.status().message());
    auto payload = Payload(n);
    if (!payload.ok()) return Permanent(payload.status().message());
    auto body = EncryptPayload(*payload, to.p256dh, to.auth);
    if (!body.ok()) return Permanent(body.status().message());
    auto jwt = Jwt(*origin);
    if (!jwt.ok()) return Permanent(jwt.status().message());
    return Post(to.endpoint, *body, *jwt, n.ttl_seconds);
  }

 private:
  static PushOutcome Permanent(std::string why) {
    return {Delivery::Outcome::kPermanent, std::move(why)};
  }

  // Empty when the keys can sign what push services will accept.
  std::string CheckKeys() const {
    const std::string_view subject = settings_.vapid_subject;
    if (!subject.starts_with("mailto:") && !subject.starts_with("https://"))
      return "vapid_subject: must be a mailto: or https: URI";
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(keys_.private_pem.data(), static_cast<int>(keys_.private_pem.size())),
        &BIO_free);
    Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
            &EVP_PKEY_free);
    const auto point = key ? PublicPoint(key.get()) : std::nullopt;
    if (!point) return "VAPID keys: the private key is not a P-256 PEM key";
    if (Base64Url(*point) != keys_.public_key)
      return "VAPID keys: the public key does not belong to the private key";
    return {};
  }

  Result<std::string> Jwt(const std::string& audience) {
    const int64_t now = clock_.NowMicros() / 1000000;
    auto it = jwts_.find(audience);
    if (it != jwts_.end() && it->second.expires - now >= kJwtRenewSeconds) return it->second.token;
    boost::json::object claims;
    claims["aud"] = audience;
    claims["exp"] = now + kJwtLifetimeSeconds;
    claims["sub"] = settings_.vapid_subject;
    auto token = SignJwt(R"({"typ":"JWT","alg":"ES256"})", boost::json::serialize(claims),
                         keys_.private_pem);
    if (!token.ok()) return token;
    if (jwts_.size() >= kMaxCachedJwts) jwts_.clear();
    jwts_[audience] = {*token, now + kJwtLifetimeSeconds};
    return token;
  }

  PushOutcome Post(const std::string& endpoint, const std::string& body, const std::string& jwt,
                   int ttl_seconds) {
    const std::vector<std::string> headers = {
        fmt::format("TTL: {}", std::max(ttl_seconds, 0)),
        "Content-Encoding: aes128gcm",
        "Content-Type: application/octet-stream",
        "Urgency: normal",
        fmt::format("Authorization: vapid t={}, k={}", jwt, keys_.public_key),
        "Expect:",  // the body is small: no 100-continue round trip
    };
    const HttpPost::Answer answer = post_.Post(endpoint, headers, body);
    if (!answer.answered) return {Delivery::Outcome::kTransient, answer.error};
    const long code = answer.status;
    PushOutcome out;
    out.response = AnswerSummary(code, answer.body);
    if (code == 200 || code == 201 || code == 202) {
      out.outcome = Delivery::Outcome::kSent;
    } else if (code == 404 || code == 410) {
      out.outcome = Delivery::Outcome::kPermanent;
      out.gone = true;
    } else if (code == 429 || code >= 500) {
      out.outcome = Delivery::Outcome::kTransient;
    } else {
      out.outcome = Delivery::Outcome::kPermanent;
    }
    return out;
  }

  struct SignedJwt {
    std::string token;
    int64_t expires = 0;  // seconds since the epoch
  };

  WebPushSettings settings_;
  VapidKeys keys_;
  std::unique_ptr<Clock> own_clock_;
  const Clock& clock_;
  HttpPost post_;
  std::string key_error_;
  std::map<std::string, SignedJwt> jwts_;  // by audience (origin)
};

}  // namespace

std::unique_ptr<PushProvider> MakeWebPushProvider(const WebPushSettings& settings,
                                                  const VapidKeys& keys, int timeout_seconds) {
  auto clock = std::make_unique<SystemClock>();
  const Clock& ref = *clock;
  return std::make_unique<WebPushProvider>(settings, keys, timeout_seconds, std::move(clock), ref);
}

std::unique_ptr<PushProvider> MakeWebPushProvider(const WebPushSettings& settings,
                                                  const VapidKeys& keys, int timeout_seconds,
                                                  const Clock& clock) {
  return std::make_unique<WebPushProvider>(settings, keys, timeout_seconds, nullptr, clock);
}

}  // namespace cdp::delivery
