#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/sql/parts.h"

namespace cdp::store::sql {
namespace {

const Query kPutChannel(
    "INSERT INTO channels (brand_id, channel, config, updated_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (brand_id, channel) DO UPDATE SET config = excluded.config, "
    "updated_at = excluded.updated_at");
const Query kGetChannel("SELECT config FROM channels WHERE brand_id = $1 AND channel = $2");

class PortableChannelStore final : public ChannelStore {
 public:
  explicit PortableChannelStore(Executor& executor) : executor_(executor) {}

  Status PutChannel(std::string_view brand_id, std::string_view channel, std::string_view config,
                    int64_t now) override {
    return executor_.Write([&](Connection& c) -> Status {
      return c.Exec(kPutChannel, Params().Add(brand_id).Add(channel).Add(config).Add(now)).status();
    });
  }

  Result<std::optional<std::string>> GetChannel(std::string_view brand_id,
                                                std::string_view channel) override {
    std::optional<std::string> config;
    Status st = executor_.Read([&](Connection& c) -> Status {
      auto rows = c.Exec(kGetChannel, Params().Add(brand_id).Add(channel));
      if (!rows.ok()) return std::move(rows).take_status();
      if (!rows->empty()) config = rows->Text(0, 0);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return config;
  }

 private:
  Executor& executor_;
};

}  // namespace

std::unique_ptr<ChannelStore> NewChannelStore(Executor& executor) {
  return std::make_unique<PortableChannelStore>(executor);
}

}  // namespace cdp::store::sql
