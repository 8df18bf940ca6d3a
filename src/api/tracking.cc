#include "api/tracking.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/tracking_browser.h"
#include "auth/write_keys.h"
#include "core/base64.h"
#include "core/json.h"
#include "http/envelope.h"
#include "http/gzip.h"
#include "ratelimit/policy.h"
#include "tracking/call_log.h"
#include "tracking/message.h"

namespace cdp::api {
namespace {

namespace json = boost::json;
using tracking::Type;

// Messages listed in a debugger entry, rejected ones first; the counts cover them all.
constexpr size_t kListedRejected = 50;
constexpr size_t kListedMessages = 20;  // accepted ones

struct Path {
  std::string_view path;
  std::optional<Type> type;  // nullopt: a batch
};
constexpr Path kPaths[] = {
    {"/v1/identify", Type::kIdentify}, {"/v1/track", Type::kTrack}, {"/v1/page", Type::kPage},
    {"/v1/screen", Type::kScreen},     {"/v1/group", Type::kGroup}, {"/v1/alias", Type::kAlias},
    {"/v1/batch", std::nullopt},       {"/v1/b", std::nullopt},     {"/v1/i", Type::kIdentify},
    {"/v1/t", Type::kTrack},           {"/v1/p", Type::kPage},      {"/v1/s", Type::kScreen},
    {"/v1/g", Type::kGroup},           {"/v1/a", Type::kAlias},
};

bool ReadableType(std::string_view content_type) {
  const std::string t = http::MediaType(content_type);
  // RudderStack's node SDK labels its gzipped JSON as a form.
  return t.empty() || t == "application/json" || t == "text/plain" ||
         t == "application/x-www-form-urlencoded" ||
         (t.starts_with("application/") && t.ends_with("+json"));
}

Result<std::string> DecodedBody(const http::Request& req) {
  std::string_view encoding = req.Header("content-encoding");
  if (encoding == "gzip" || encoding == "x-gzip")
    return http::Gunzip(req.body, tracking::kMaxBatchBytes);
  if (!encoding.empty() && encoding != "identity")
    return InvalidArgument(
        fmt::format("Content-Encoding must be gzip or identity, got '{}'", encoding));
  if (req.body.size() > tracking::kMaxBatchBytes)
    return Status(Code::kPayloadTooLarge,
                  fmt::format("a body may be at most {} bytes", tracking::kMaxBatchBytes));
  return req.body;
}

// Basic base64(writeKey + ":"), or the body's "writeKey".
std::optional<std::string> WriteKeyOf(const http::Request& req, const json::object& body) {
  std::string_view authorization = req.Header("authorization");
  if (authorization.size() > 6 && (authorization.substr(0, 6) == "Basic " ||
                                   authorization.substr(0, 6) == "basic ")) {
    auto decoded = FromBase64(authorization.substr(6));
    if (decoded) {
      std::string key = decoded->substr(0, decoded->find(':'));
      if (!key.empty()) return key;
    }
  }
  if (const json::value* v = body.if_contains("writeKey"); v && v->is_string())
    return std::string(v->get_string());
  return std::nullopt;
}

// What the debugger shows of one message.
json::object Summary(const json::object& msg, std::string_view type) {
  json::object o{{"type", type}};
  for (std::string_view key : {"messageId", "userId", "anonymousId", "event", "previousId"})
    if (const json::value* v = msg.if_contains(key)) o[key] = *v;
  return o;
}

// One call's progress: what is answered, and what the debugger records.
struct CallRecord {
  std::string origin;  // the call's Origin header, for CORS on the answer
  store::SourceCall call;
  json::array messages;
  json::array dropped_messages;  // rejected ones, listed first in the debugger
  std::vector<size_t> stored_index;  // for each event sent to the store: its entry in messages

  // Counts a message dropped before the store, and lists it while there is room.
  void Reject(json::object summary, const std::string& reason) {
    ++call.rejected;
    if (dropped_messages.size() == kListedRejected) return;
    summary["outcome"] = "rejected";
    summary["reason"] = reason;
    dropped_messages.push_back(std::move(summary));
  }
};

class Tracking {
 public:
  explicit Tracking(Services& services) : services_(services) {}

  void Handle(const http::Request& req, std::optional<Type> type, http::Reply reply) {
    const int64_t now = services_.clock.NowMicros();
    auto body_text = DecodedBody(req);
    auto fail = [&](const Status& st) {
      http::Response res = http::ErrorResponse(st);
      AddCors(req.Header("origin"), res);
      return res;
    };
    // A body that cannot be read has no writeKey: the debugger shows the call when Basic
    // auth names the source.
    auto unreadable = [&](const Status& st) {
      http::Response res = fail(st);
      auto key = WriteKeyOf(req, json::object());
      if (key && services_.write_keys) {
        if (auto principal = services_.write_keys->Authenticate(*key); principal.ok())
          Record(*principal, req, now, res, st.message());
      }
      return res;
    };
    if (!body_text.ok()) return reply(unreadable(body_text.status()));
    if (!ReadableType(req.Header("content-type")))
      return reply(fail(InvalidArgument(fmt::format(
          "Content-Type must be application/json or text/plain, got '{}'",
          req.Header("content-type")))));
    auto parsed = ParseJson(*body_text);
    if (!parsed.ok()) return reply(unreadable(parsed.status()));
    if (!parsed->is_object())
      return reply(unreadable(InvalidArgument("the body must be a JSON object")));
    const json::object& body = parsed->get_object();
    auto key = WriteKeyOf(req, body);
    if (!key)
      return reply(fail(Unauthenticated(
          "a write key is required: Authorization: Basic base64(WRITE_KEY + \":\"), or "
          "\"writeKey\" in the body")));
    if (!services_.write_keys) return reply(fail(Unauthenticated("Invalid write key")));
    auto principal = services_.write_keys->Authenticate(*key);
    if (!principal.ok()) return reply(fail(principal.status()));
    std::string_view origin = req.Header("origin");
    if (!origin.empty() && !principal->allowed_origins.empty()) {
      bool allowed = false;
      for (const auto& o : principal->allowed_origins) allowed |= (o == origin);
      if (!allowed) {
        Status st(Code::kPermissionDenied,
                  fmt::format("the origin {} may not send to this source", origin));
        http::Response res = http::ErrorResponse(st);
        res.brand_id = principal->brand_id;
        Record(*principal, req, now, res, st.message());
        return reply(std::move(res));
      }
    }
    ratelimit::Decision rate;
    if (services_.rate_limits)
      rate = services_.rate_limits->Admit(principal->brand_id, ratelimit::Group::kTracking);
    if (!rate.allowed) {
      Status st(Code::kResourceExhausted,
                fmt::format("rate limit exceeded: {} tracking calls per minute for this brand; "
                            "retry in {} s",
                            rate.limit, rate.reset_seconds));
      http::Response res = fail(st);
      http::SetRetryAfter(res, rate.reset_seconds);
      res.brand_id = principal->brand_id;
      Record(*principal, req, now, res, st.message());
      return reply(std::move(res));
    }
    Ingest(req, body, body_text->size(), type, *principal, now, std::move(reply));
  }

 private:
  void Ingest(const http::Request& req, const json::object& body, size_t body_bytes,
              std::optional<Type> type, const auth::SourcePrincipal& principal, int64_t now,
              http::Reply reply) {
    auto record = std::make_shared<CallRecord>();
    record->origin = std::string(req.Header("origin"));
    record->call = NewCall(principal, req, now);
    // The messages: the body itself, or its batch.
    std::vector<std::pair<const json::object*, std::optional<Type>>> items;
    std::optional<int64_t> batch_sent_at;
    if (type) {
      items.emplace_back(&body, type);
    } else {
      const json::value* batch = body.if_contains("batch");
      Status bad;
      if (!batch || !batch->is_array()) {
        bad = InvalidArgument("a batch needs \"batch\": an array of messages");
      } else if (batch->get_array().size() > tracking::kMaxBatchMessages) {
        bad = Status(Code::kPayloadTooLarge,
                     fmt::format("a batch may hold at most {} messages, got {}",
                                 tracking::kMaxBatchMessages, batch->get_array().size()));
      }
      if (!bad.ok()) return Finish(record, bad, std::move(reply));
      if (const json::value* sent = body.if_contains("sentAt"))
        batch_sent_at = tracking::ParseIsoTime(*sent);
      for (const json::value& m : batch->get_array()) {
        if (!m.is_object()) {
          record->Reject(json::object{}, "a message must be a JSON object");
          continue;
        }
        const json::value* t = m.get_object().if_contains("type");
        auto named = t && t->is_string() ? tracking::TypeNamed(t->get_string()) : std::nullopt;
        if (!named) {
          record->Reject(Summary(m.get_object(), t && t->is_string() ? t->get_string() : ""),
                         "type must be identify, track, page, screen, group or alias");
          continue;
        }
        items.emplace_back(&m.get_object(), named);
      }
    }
    // Every message is within the per-message limit when the whole body is.
    const bool small = body_bytes <= tracking::kMaxMessageBytes;
    std::vector<events::Event> events;
    events.reserve(items.size());
    Status lone_error;
    for (const auto& [msg, t] : items) {
      const size_t bytes = small ? 0 : json::serialize(*msg).size();
      auto m = tracking::ParseMessage(*msg, *t, now, batch_sent_at, bytes);
      if (!m.ok()) {
        if (type) lone_error = m.status();
        record->Reject(Summary(*msg, tracking::NameOf(*t)), m.status().message());
        continue;
      }
      // Listed in the debugger while there is room; the store's outcome is filled in later.
      // Those with dropped traits or properties have the room of rejected ones.
      const size_t room = m->dropped.empty() ? kListedMessages : kListedRejected;
      const bool listed = record->messages.size() < room;
      record->stored_index.push_back(listed ? record->messages.size() : kListedRejected);
      if (listed) {
        json::object summary = Summary(*msg, tracking::NameOf(*t));
        if (!m->dropped.empty()) {
          json::array dropped;
          for (auto& d : m->dropped) dropped.push_back(json::string(d));
          summary["dropped"] = std::move(dropped);
        }
        summary["outcome"] = "stored";
        record->messages.push_back(std::move(summary));
      }
      events.push_back(std::move(m->event));
    }
    if (!lone_error.ok()) return Finish(record, lone_error, std::move(reply));
    if (events.empty()) return Finish(record, Status::Ok(), std::move(reply));
    services_.store.events.AppendEventsAsync(
        principal.brand_id, std::move(events), now,
        [this, record, lone = type.has_value(), reply = std::move(reply)](
            Result<std::vector<store::EventStore::EventResult>> results) mutable {
          if (!results.ok()) return Finish(record, results.status(), std::move(reply));
          Status lone_error;
          for (size_t k = 0; k < results->size(); ++k) {
            const auto& r = (*results)[k];
            const size_t at = record->stored_index[k];
            json::object* summary =
                at < record->messages.size() ? &record->messages[at].as_object() : nullptr;
            if (!r.status.ok()) {
              ++record->call.rejected;
              if (summary) {
                (*summary)["outcome"] = "rejected";
                (*summary)["reason"] = r.status.message();
              }
              // A lone call the store refused (an attribute of another type) is a 400.
              if (lone) lone_error = r.status;
              continue;
            }
            ++record->call.accepted;
            if (summary && r.outcome == events::EventOutcome::kDuplicate)
              (*summary)["outcome"] = "duplicate";
          }
          Finish(record, lone_error, std::move(reply));
        });
  }

  store::SourceCall NewCall(const auth::SourcePrincipal& principal, const http::Request& req,
                            int64_t now) {
    store::SourceCall call;
    call.brand_id = principal.brand_id;
    call.source_id = principal.source_id;
    call.at = now;
    call.path = req.path;
    return call;
  }

  // Answers the call and records it for the debugger.
  void Finish(const std::shared_ptr<CallRecord>& record, const Status& st, http::Reply reply) {
    http::Response res;
    if (st.ok()) {
      res.body = R"({"success":true})";
    } else {
      res = http::ErrorResponse(st.code() == Code::kInternal ? Unavailable(st.message()) : st);
    }
    AddCors(record->origin, res);
    res.brand_id = record->call.brand_id;
    record->call.status = res.status;
    if (services_.call_log) {
      json::object detail;
      if (!st.ok()) detail["reason"] = st.message();
      json::array listed = std::move(record->dropped_messages);
      for (auto& m : record->messages) listed.push_back(std::move(m));
      detail["messages"] = std::move(listed);
      record->call.detail = json::serialize(detail);
      services_.call_log->Add(std::move(record->call));
    }
    reply(std::move(res));
  }

  // Records a call refused before its messages were read.
  void Record(const auth::SourcePrincipal& principal, const http::Request& req, int64_t now,
              const http::Response& res, const std::string& reason) {
    if (!services_.call_log) return;
    store::SourceCall call = NewCall(principal, req, now);
    call.status = res.status;
    call.detail = json::serialize(json::object{{"reason", reason}});
    services_.call_log->Add(std::move(call));
  }

  Services& services_;
};

}  // namespace

void AddTrackingRoutes(http::Router& router, Services& services) {
  auto tracking = std::make_shared<Tracking>(services);
  for (const Path& p : kPaths) {
    const std::optional<Type> type = p.type;
    router.AddAsync("POST", std::string(p.path),
                    [tracking, type](const http::Request& req, http::Reply reply) {
                      tracking->Handle(req, type, std::move(reply));
                    });
    router.Add("OPTIONS", std::string(p.path), Preflight, http::Execution::kInline);
  }
  router.AddPrefix("GET", "/v1/projects/",
                   [&services](const http::Request& req) { return ProjectSettings(req, services); });
}

}  // namespace cdp::api
