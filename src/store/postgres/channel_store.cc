#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/campaign_sql.h"
#include "store/postgres/parts.h"

namespace cdp::store::postgres {
namespace {

const Sql kPutChannel{"cdp_put_channel", campaign_sql::kPutChannel};
const Sql kGetChannel{"cdp_get_channel", campaign_sql::kGetChannel};

class PostgresChannelStore final : public ChannelStore {
 public:
  explicit PostgresChannelStore(Backend& backend) : backend_(backend) {}

  Status PutChannel(std::string_view brand_id, std::string_view channel, std::string_view config,
                    int64_t now) override {
    return backend_.Submit([&](Conn& c) -> Status {
      return c.Exec(kPutChannel, Params().Add(brand_id).Add(channel).Add(config).Add(now)).status();
    });
  }

  Result<std::optional<std::string>> GetChannel(std::string_view brand_id,
                                                std::string_view channel) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::optional<std::string>> {
      auto rows = c.Exec(kGetChannel, Params().Add(brand_id).Add(channel));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return std::optional<std::string>();
      return std::optional<std::string>(std::string(rows->Text(0, 0)));
    });
  }

 private:
  Backend& backend_;
};

}  // namespace

std::unique_ptr<ChannelStore> NewChannelStore(Backend& backend) {
  return std::make_unique<PostgresChannelStore>(backend);
}

}  // namespace cdp::store::postgres
