#include "delivery/email/email.h"

#include "delivery/email/mime.h"
#include "delivery/email/smtp_client.h"

namespace cdp::delivery {
namespace {

class SmtpSender final : public Sender {
 public:
  explicit SmtpSender(const EmailSettings& s)
      : from_(s.from),
        client_(SmtpOptions{.host = s.host,
                            .port = s.port,
                            .security = s.security,
                            .username = s.username,
                            .password = s.password,
                            .timeout = std::chrono::seconds(s.pace.timeout_seconds),
                            .ca_file = "",
                            .helo_name = ""}) {}

  Delivery Send(const Outgoing& m) override { return Deliver(m, nullptr); }

  Delivery SendWithNext(const Outgoing& m, const Outgoing& next) override {
    const SmtpEnvelope after = EnvelopeOf(next);
    return Deliver(m, &after);
  }

 private:
  const std::string& FromOf(const Outgoing& m) const { return m.from.empty() ? from_ : m.from; }
  SmtpEnvelope EnvelopeOf(const Outgoing& m) const {
    return {EnvelopeAddress(FromOf(m)), EnvelopeAddress(m.to)};
  }

  Delivery Deliver(const Outgoing& m, const SmtpEnvelope* next) {
    const SmtpResult r = client_.Send(EnvelopeOf(m), ComposeMail(m, FromOf(m), RfcDateNow()), next);
    switch (r.kind) {
      case SmtpResult::Kind::kAccepted:
        return {Delivery::Outcome::kSent, r.response};
      case SmtpResult::Kind::kPermanent:
        return {Delivery::Outcome::kPermanent, r.response};
      case SmtpResult::Kind::kTransient:
        break;
    }
    return {Delivery::Outcome::kTransient, r.response};
  }

  std::string from_;
  SmtpClient client_;
};

}  // namespace

std::unique_ptr<Sender> MakeSmtpSender(const EmailSettings& settings) {
  return std::make_unique<SmtpSender>(settings);
}

}  // namespace cdp::delivery
