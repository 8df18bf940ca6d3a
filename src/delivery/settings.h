// Channel settings per brand, as /channel/email and /channel/sms take them and the store
// keeps them (one JSON document per channel). Plain values.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "core/status.h"
#include "delivery/push/push.h"

namespace cdp::delivery {

// Sending speed, shared by both channels.
struct Pace {
  int connections = 4;         // provider connections used in parallel per campaign, 1..32
  double rate_per_second = 0;  // per brand and channel; 0: as fast as the connections go
  int timeout_seconds = 30;    // per message, 1..300
};

struct EmailSettings {
  std::string host;
  int port = 587;
  std::string security = "starttls";  // none | starttls | tls
  std::string username;
  std::string password;
  std::string from;  // used when a campaign's content names none
  Pace pace;
};

// Twilio's Messages API: POST {url}/2010-04-01/Accounts/{account_sid}/Messages.json with a
// form body To, From, Body and HTTP basic auth account_sid:auth_token.
struct SmsSettings {
  std::string url = "https://api.twilio.com";
  std::string format = "twilio";
  std::string account_sid;
  std::string auth_token;
  std::string from;
  Pace pace;
};

// Push: one document for the three platforms, each optional (absent: not enabled), with
// the pace at the top level: {"web": {"vapid_subject"}, "android": {"project_id",
// "service_account": {"client_email", "private_key", "token_uri"?, ...}, "base_url"?},
// "ios": {"team_id", "key_id", "private_key", "topic", "base_url"?}, "connections"?, ...}.
struct PushSettings {
  WebPushSettings web;
  FcmSettings android;
  ApnsSettings ios;
  Pace pace;
};

// Validate a /channel/email or /channel/sms body (unknown fields refused). Email defaults:
// security starttls, port 587 (465 for tls, 25 for none).
Result<EmailSettings> ParseEmailSettings(const boost::json::object& body);
Result<SmsSettings> ParseSmsSettings(const boost::json::object& body);
// Keys are checked to parse and to be of the platform's type (RSA for FCM, P-256 for APNs).
// A service account's other fields (Google's JSON key file has several) are ignored.
Result<PushSettings> ParsePushSettings(const boost::json::object& body);

// With `redact`, the secret (password, auth_token, private keys) is left out and *_set says whether
// one is stored.
boost::json::object ToJson(const EmailSettings& s, bool redact);
boost::json::object ToJson(const SmsSettings& s, bool redact);
boost::json::object ToJson(const PushSettings& s, bool redact);

}  // namespace cdp::delivery
