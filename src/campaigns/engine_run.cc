#include "campaigns/engine_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>

#include "campaigns/recorder.h"
#include "campaigns/vapid.h"
#include "core/json.h"
#include "core/thread_name.h"
#include "delivery/channel.h"

namespace cdp::campaigns {
namespace {

using delivery::Delivery;
using store::Message;

// How often a campaign that sent every recipient written so far looks for more.
constexpr std::chrono::milliseconds kWaitForRecipients{10};

// The brand's settings for the campaign's channel, as stored now, made into a channel by
// the engine's factory.
Result<delivery::Channel> LoadChannel(const EngineStores& stores,
                                      const delivery::ChannelFactory& channels,
                                      const store::Campaign& c) {
  const bool push = IsPushChannel(c.channel);
  auto config = stores.channels.GetChannel(c.brand_id, push ? "push" : c.channel);
  if (!config.ok()) return std::move(config).take_status();
  if (!*config)
    return delivery::UnconfiguredChannel(
        push ? fmt::format("push for {} is not configured (/channel/push)", c.channel)
             : fmt::format("the {} channel is not configured (/channel/{})", c.channel, c.channel));
  auto doc = ParseJson(**config);
  if (!doc.ok() || !doc->is_object()) return Internal("stored channel settings are not JSON");
  return channels.Make(c.channel, doc->get_object(),
                       [&] { return BrandVapidKeys(stores.brands, c.brand_id); });
}

}  // namespace

Status Engine::Run::Go() {
  auto content_doc = ParseJson(c_.content);
  if (!content_doc.ok()) return Internal("stored content is not JSON");
  auto content = ParseContent(c_.channel, *content_doc);
  if (!content.ok()) return std::move(content).take_status();
  content_ = std::move(content).value();
  auto options_doc = ParseJson(c_.options);
  if (!options_doc.ok()) return Internal("stored options are not JSON");
  auto options = ParseOptions(*options_doc);
  if (!options.ok()) return std::move(options).take_status();
  options_ = std::move(options).value();
  auto target_doc = ParseJson(c_.target);
  if (!target_doc.ok()) return Internal("stored target is not JSON");
  auto target = ParseTarget(*target_doc);
  if (!target.ok()) return std::move(target).take_status();
  subscription_id_ = target->subscription_id;
  if (c_.materialized) return Send();
  // The recipients are written on a thread of their own while the first ones are sent.
  materializing_ = true;
  Status written;
  std::thread writer([&] {
    NameThisThread("cdp-recipients");
    const auto start = std::chrono::steady_clock::now();
    written = Materialize(*target);
    if (written.ok() && c_.materialized)
      spdlog::info("campaign {}/{}: recipients written in {} ms", c_.brand_id, c_.id,
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count());
    materializing_ = false;
  });
  Status sent = Send();
  writer.join();
  // Cancelled meanwhile, or stopping.
  if (written.code() == Code::kFailedPrecondition) return Status::Ok();
  CDP_RETURN_IF_ERROR(written);
  return sent;
}

// Rounds of due messages until none is queued (and every recipient is written), the
// campaign leaves "sending", or the engine stops. Each round is sent in parallel and fully
// recorded before the next is read, so no message is handed to two connections.
Status Engine::Run::Send() {
  auto channel = LoadChannel(e_.stores_, e_.channels_, c_);
  if (!channel.ok()) return std::move(channel).take_status();
  std::vector<std::unique_ptr<delivery::Sender>> senders;
  for (int i = 0; i < channel->pace.connections; ++i) senders.push_back(channel->make_sender());
  auto pacer = e_.PacerFor(c_.brand_id + "/" + c_.channel);
  while (!e_.stopping_) {
    auto current = e_.stores_.campaigns.GetCampaign(c_.brand_id, c_.id);
    if (!current.ok()) return current.status();
    if (current->status != store::kCampaignSending) return Status::Ok();
    auto pending = e_.stores_.campaigns.PendingMessages(c_.brand_id, c_.id, Now(), e_.options_.batch);
    if (!pending.ok()) return pending.status();
    if (pending->empty()) {
      if (materializing_) {  // more recipients are on their way
        std::this_thread::sleep_for(kWaitForRecipients);
        continue;
      }
      if (!c_.materialized) return Status::Ok();  // not all written: Go says why
      auto counts = e_.stores_.campaigns.CountMessages(c_.brand_id, c_.id);
      if (!counts.ok()) return counts.status();
      if (counts->queued == 0) return Finish(*current);
      std::this_thread::sleep_for(std::min(e_.options_.poll, e_.options_.retry_base));
      continue;
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    Status failure;
    std::mutex failure_mu;
    Recorder recorder(e_.stores_.campaigns, c_.brand_id, c_.id);
    auto fail = [&](const Status& st) {
      std::lock_guard lock(failure_mu);
      failure = st;
      failed = true;
    };
    // Each connection knows its next message before sending the current one, so that a
    // sender may start on it early (SMTP pipelining); only one is sent at a time. Before
    // recording an outcome, a connection waits until all but the last
    // `unrecorded_per_connection` of its earlier ones are durable.
    auto work = [&](delivery::Sender& sender) {
      std::deque<uint64_t> unrecorded;  // tickets of sent messages, oldest first
      uint64_t last = 0;
      auto take = [&]() -> std::optional<Prepared> {
        for (size_t i; !e_.stopping_ && !failed && (i = next++) < pending->size();) {
          Prepared p = Prepare((*pending)[i]);
          if (p.out) return p;
          last = recorder.Add(std::move(p.message));  // skipped or deferred: not sent
        }
        return std::nullopt;
      };
      for (auto current = take(); current && !e_.stopping_ && !failed;) {
        auto after = take();
        pacer->Wait(channel->pace.rate_per_second);
        const Delivery d =
            after ? sender.SendWithNext(*current->out, *after->out) : sender.Send(*current->out);
        Message m = Outcome(std::move(*current), d);
        if (unrecorded.size() >= e_.options_.unrecorded_per_connection) {
          if (Status st = recorder.Wait(unrecorded.front()); !st.ok()) fail(st);
          unrecorded.pop_front();
        }
        last = recorder.Add(std::move(m));
        unrecorded.push_back(last);
        current = std::move(after);
      }
      if (Status st = last ? recorder.Wait(last) : Status::Ok(); !st.ok()) fail(st);
    };
    std::vector<std::thread> workers;
    const size_t n = std::min(senders.size(), pending->size());
    for (size_t k = 1; k < n; ++k)
      workers.emplace_back([&work, &sender = *senders[k]] {
        NameThisThread("cdp-sender");
        work(sender);
      });
    work(*senders[0]);
    for (auto& w : workers) w.join();
    if (failed) return failure;
  }
  return Status::Ok();
}

Status Engine::Run::Finish(store::Campaign current) {
  current.status = store::kCampaignSent;
  current.finished_at = current.updated_at = Now();
  Status st = e_.stores_.campaigns.SaveCampaign(current, {store::kCampaignSending});
  if (st.ok())
    spdlog::info("campaign {}/{}: sent in {:.1f} s", c_.brand_id, c_.id,
                 (*current.finished_at - current.started_at.value_or(*current.finished_at)) / 1e6);
  return st.code() == Code::kFailedPrecondition ? Status::Ok() : st;
}

}  // namespace cdp::campaigns
