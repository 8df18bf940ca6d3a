// delivery/smtp_client against a real SMTP server: the python3-aiosmtpd sink of the end-to-end
// tests (tests/support/smtp_sink.py), with pipelining, TLS and AUTH turned on or off.
#include "delivery/email/smtp_client.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "delivery/email/mime.h"
#include "support/server_process.h"
#include "support/sinks.h"

namespace cdp::delivery {
namespace {

using cdp::testing::SmtpSink;
using cdp::testing::TempDir;
using Kind = SmtpResult::Kind;
using std::chrono::seconds;

std::string Mail(const std::string& to, const std::string& subject, const std::string& text) {
  Outgoing m;
  m.to = to;
  m.subject = subject;
  m.text = text;
  m.message_id = "id." + to;
  return ComposeMail(m, "news@brand.test", RfcDateNow());
}

SmtpOptions Plain(const SmtpSink& sink) {
  SmtpOptions o;
  o.host = "127.0.0.1";
  o.port = sink.port();
  o.security = "none";
  o.timeout = std::chrono::milliseconds(5000);
  return o;
}

// A self-signed certificate for `names` (127.0.0.1 and localhost), written into `dir`.
struct Certificate {
  std::string cert, key;
  explicit Certificate(const std::string& dir,
                       const std::string& names = "IP:127.0.0.1,DNS:localhost")
      : cert(dir + "/cert.pem"), key(dir + "/key.pem") {
    const std::string command = fmt::format(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName={} -keyout {} -out {} 2>/dev/null",
        names, key, cert);
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
  }
  std::string Options(const std::string& tls, const std::string& extra = "") const {
    return fmt::format(R"({{"tls":"{}","cert":"{}","key":"{}"{}}})", tls, cert, key, extra);
  }
};

std::string To(const boost::json::value& record) {
  return std::string(record.at("to").at(0).as_string());
}

TEST(SmtpClient, PipelinesARunOfMessagesOverOneConnection) {
  TempDir dir;
  SmtpSink sink(dir.path());
  SmtpClient client(Plain(sink));
  const SmtpEnvelope a{"news@brand.test", "a@x.test"}, b{"news@brand.test", "b@x.test"},
      c{"news@brand.test", "c@x.test"};
  EXPECT_EQ(client.Send(a, Mail("a@x.test", "one", "1"), &b).kind, Kind::kAccepted);
  EXPECT_EQ(client.Send(b, Mail("b@x.test", "two", "2"), &c).kind, Kind::kAccepted);
  const SmtpResult last = client.Send(c, Mail("c@x.test", "three", "3"));
  EXPECT_EQ(last.kind, Kind::kAccepted);
  EXPECT_EQ(last.response, "250 Message accepted");
  auto records = sink.WaitFor(3, seconds(10));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(To(records[0]), "a@x.test");
  EXPECT_EQ(records[1].at("subject"), "two");
  EXPECT_EQ(records[2].at("from"), "news@brand.test");
  EXPECT_EQ(records[2].at("text"), "3");
}

TEST(SmtpClient, SendsCommandByCommandWhenTheServerDoesNotPipeline) {
  TempDir dir;
  SmtpSink sink(dir.path(), "{}", R"({"pipelining":false})");
  SmtpClient client(Plain(sink));
  const SmtpEnvelope a{"news@brand.test", "a@x.test"}, b{"news@brand.test", "b@x.test"};
  EXPECT_EQ(client.Send(a, Mail("a@x.test", "one", "1"), &b).kind, Kind::kAccepted);
  EXPECT_EQ(client.Send(b, Mail("b@x.test", "two", "2")).kind, Kind::kAccepted);
  EXPECT_EQ(sink.WaitFor(2, seconds(10)).size(), 2u);
}

TEST(SmtpClient, FallsBackToHeloWhenEhloIsRefused) {
  TempDir dir;
  SmtpSink sink(dir.path(), "{}", R"({"ehlo":false})");
  SmtpClient client(Plain(sink));
  EXPECT_EQ(client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t")).kind,
            Kind::kAccepted);
  EXPECT_EQ(sink.WaitFor(1, seconds(10)).size(), 1u);
}

TEST(SmtpClient, A5xxIsPermanentA4xxTransientAndTheConnectionGoesOn) {
  TempDir dir;
  SmtpSink sink(dir.path(), R"({"gone@x.test":[550],"later@x.test":[451]})");
  SmtpClient client(Plain(sink));
  const SmtpEnvelope gone{"news@brand.test", "gone@x.test"},
      later{"news@brand.test", "later@x.test"}, fine{"news@brand.test", "fine@x.test"};
  const SmtpResult refused = client.Send(gone, Mail("gone@x.test", "s", "t"), &later);
  EXPECT_EQ(refused.kind, Kind::kPermanent);
  EXPECT_EQ(refused.response, "550 no such mailbox");
  const SmtpResult deferred = client.Send(later, Mail("later@x.test", "s", "t"), &fine);
  EXPECT_EQ(deferred.kind, Kind::kTransient);
  EXPECT_EQ(deferred.response, "451 try again later");
  EXPECT_EQ(client.Send(fine, Mail("fine@x.test", "s", "t")).kind, Kind::kAccepted);
  auto records = sink.WaitFor(1, seconds(10));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(To(records[0]), "fine@x.test");
}

TEST(SmtpClient, AnnouncingOneMessageAndSendingAnotherStillSendsIt) {
  TempDir dir;
  SmtpSink sink(dir.path());
  SmtpClient client(Plain(sink));
  const SmtpEnvelope a{"news@brand.test", "a@x.test"}, b{"news@brand.test", "b@x.test"},
      c{"news@brand.test", "c@x.test"};
  EXPECT_EQ(client.Send(a, Mail("a@x.test", "s", "t"), &b).kind, Kind::kAccepted);
  EXPECT_EQ(client.Send(c, Mail("c@x.test", "s", "t")).kind, Kind::kAccepted);
  auto records = sink.WaitFor(2, seconds(10));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(To(records[1]), "c@x.test");
}

TEST(SmtpClient, KeepsLinesThatStartWithADotIntact) {
  TempDir dir;
  SmtpSink sink(dir.path());
  SmtpClient client(Plain(sink));
  EXPECT_EQ(client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", ".\n..two\n.")).kind,
            Kind::kAccepted);
  auto records = sink.WaitFor(1, seconds(10));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("text"), ".\n..two\n.");
}

TEST(SmtpClient, ReconnectsWhenTheServerClosedTheConnection) {
  TempDir dir;
  SmtpSink sink(dir.path(), "{}", R"({"close_after":1,"pipelining":false})");
  SmtpClient client(Plain(sink));
  EXPECT_EQ(client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t")).kind,
            Kind::kAccepted);
  sink.WaitFor(1, seconds(10));
  usleep(500 * 1000);  // the server has closed the connection
  EXPECT_EQ(client.Send({"news@brand.test", "b@x.test"}, Mail("b@x.test", "s", "t")).kind,
            Kind::kAccepted);
  EXPECT_EQ(sink.WaitFor(2, seconds(10)).size(), 2u);
}

TEST(SmtpClient, ReconnectsWhenTheServerGaveUpOnAPipelinedEnvelope) {
  TempDir dir;
  SmtpSink sink(dir.path(), "{}", R"({"close_after":1})");
  SmtpClient client(Plain(sink));
  const SmtpEnvelope a{"news@brand.test", "a@x.test"}, b{"news@brand.test", "b@x.test"},
      c{"news@brand.test", "c@x.test"};
  EXPECT_EQ(client.Send(a, Mail("a@x.test", "s", "t"), &b).kind, Kind::kAccepted);
  sink.WaitFor(1, seconds(10));
  // b's envelope waits in the server for content that comes too late: the server gives up.
  usleep(1500 * 1000);
  const SmtpResult r = client.Send(b, Mail("b@x.test", "s", "t"), &c);
  EXPECT_EQ(r.kind, Kind::kAccepted) << r.response;
  usleep(1500 * 1000);
  EXPECT_EQ(client.Send(c, Mail("c@x.test", "s", "t")).kind, Kind::kAccepted);
  EXPECT_EQ(sink.WaitFor(3, seconds(10)).size(), 3u);
}

TEST(SmtpClient, UpgradesWithStarttlsAndAuthenticatesWithPlain) {
  TempDir dir;
  Certificate cert(dir.path());
  SmtpSink sink(dir.path(), "{}", cert.Options("starttls", R"(,"auth":{"u":"p4ss"})"));
  SmtpOptions o = Plain(sink);
  o.security = "starttls";
  o.ca_file = cert.cert;
  o.username = "u";
  o.password = "p4ss";
  SmtpClient client(o);
  const SmtpResult r = client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t"));
  EXPECT_EQ(r.kind, Kind::kAccepted) << r.response;
  auto records = sink.WaitFor(1, seconds(10));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("login"), "u");
}

TEST(SmtpClient, AuthenticatesWithLoginWhenPlainIsNotOffered) {
  TempDir dir;
  Certificate cert(dir.path());
  SmtpSink sink(dir.path(), "{}",
                cert.Options("starttls", R"(,"auth":{"u":"p4ss"},"mechanisms":["LOGIN"])"));
  SmtpOptions o = Plain(sink);
  o.security = "starttls";
  o.ca_file = cert.cert;
  o.username = "u";
  o.password = "p4ss";
  SmtpClient client(o);
  const SmtpResult r = client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t"));
  EXPECT_EQ(r.kind, Kind::kAccepted) << r.response;
  auto records = sink.WaitFor(1, seconds(10));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("login"), "u");
}

TEST(SmtpClient, AWrongPasswordIsPermanentWithTheServersAnswer) {
  TempDir dir;
  Certificate cert(dir.path());
  SmtpSink sink(dir.path(), "{}", cert.Options("starttls", R"(,"auth":{"u":"p4ss"})"));
  SmtpOptions o = Plain(sink);
  o.security = "starttls";
  o.ca_file = cert.cert;
  o.username = "u";
  o.password = "wrong";
  SmtpClient client(o);
  const SmtpResult r = client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t"));
  EXPECT_EQ(r.kind, Kind::kPermanent);
  EXPECT_EQ(r.response, "535 5.7.8 Authentication credentials invalid");
}

TEST(SmtpClient, SpeaksImplicitTls) {
  TempDir dir;
  Certificate cert(dir.path());
  SmtpSink sink(dir.path(), "{}", cert.Options("tls"));
  SmtpOptions o = Plain(sink);
  o.security = "tls";
  o.ca_file = cert.cert;
  SmtpClient client(o);
  const SmtpEnvelope a{"news@brand.test", "a@x.test"}, b{"news@brand.test", "b@x.test"};
  EXPECT_EQ(client.Send(a, Mail("a@x.test", "s", "t"), &b).kind, Kind::kAccepted);
  EXPECT_EQ(client.Send(b, Mail("b@x.test", "s", "t")).kind, Kind::kAccepted);
  EXPECT_EQ(sink.WaitFor(2, seconds(10)).size(), 2u);
}

TEST(SmtpClient, RefusesACertificateItCannotVerify) {
  TempDir dir;
  Certificate cert(dir.path());
  SmtpSink sink(dir.path(), "{}", cert.Options("starttls"));
  SmtpOptions o = Plain(sink);
  o.security = "starttls";  // trusting only the system's roots
  SmtpClient client(o);
  const SmtpResult r = client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t"));
  EXPECT_EQ(r.kind, Kind::kTransient);
  EXPECT_NE(r.response.find("certificate is not trusted"), std::string::npos) << r.response;
  EXPECT_TRUE(sink.Records().empty());
}

TEST(SmtpClient, RefusesACertificateForAnotherName) {
  TempDir dir;
  Certificate cert(dir.path(), "DNS:localhost");
  SmtpSink sink(dir.path(), "{}", cert.Options("tls"));
  SmtpOptions o = Plain(sink);  // 127.0.0.1, which the certificate does not name
  o.security = "tls";
  o.ca_file = cert.cert;
  SmtpClient client(o);
  const SmtpResult r = client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t"));
  EXPECT_EQ(r.kind, Kind::kTransient);
  EXPECT_NE(r.response.find("certificate is not trusted"), std::string::npos) << r.response;
  EXPECT_TRUE(sink.Records().empty());
}

TEST(SmtpClient, RequiresStarttlsWhenConfigured) {
  TempDir dir;
  SmtpSink sink(dir.path());
  SmtpOptions o = Plain(sink);
  o.security = "starttls";
  SmtpClient client(o);
  const SmtpResult r = client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t"));
  EXPECT_EQ(r.kind, Kind::kTransient);
  EXPECT_EQ(r.response, "the server does not offer STARTTLS");
  EXPECT_TRUE(sink.Records().empty());
}

TEST(SmtpClient, GivesUpOnAServerThatNeverAnswers) {
  // A listening socket nobody accepts from: the kernel completes the connection, and no
  // greeting ever comes.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  SmtpOptions o;
  o.host = "127.0.0.1";
  o.port = ntohs(addr.sin_port);
  o.security = "none";
  o.timeout = std::chrono::milliseconds(200);
  SmtpClient client(o);
  const SmtpResult r = client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t"));
  EXPECT_EQ(r.kind, Kind::kTransient);
  EXPECT_EQ(r.response, "timed out waiting for the server's answer");
  ::close(fd);
}

TEST(SmtpClient, ARefusedConnectionIsTransient) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  SmtpOptions o;
  o.host = "127.0.0.1";
  o.port = ntohs(addr.sin_port);  // bound, not listening
  o.security = "none";
  SmtpClient client(o);
  const SmtpResult r = client.Send({"news@brand.test", "a@x.test"}, Mail("a@x.test", "s", "t"));
  EXPECT_EQ(r.kind, Kind::kTransient);
  EXPECT_NE(r.response.find("Connection refused"), std::string::npos) << r.response;
  ::close(fd);
}

TEST(DotStuffed, DoublesLeadingDotsAndEndsTheData) {
  EXPECT_EQ(DotStuffed(".a\r\nb.\r\n..c\r\n"), "..a\r\nb.\r\n...c\r\n.\r\n");
  EXPECT_EQ(DotStuffed("no line end"), "no line end\r\n.\r\n");
}

}  // namespace
}  // namespace cdp::delivery
