// ChannelStore: each brand's delivery channel settings (SMTP server, SMS provider, push
// credentials), one JSON document per brand and channel. Used by the Channels API, push
// registration and the campaign engine. Thread-safe; writes are durable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdp::store {

class ChannelStore {
 public:
  virtual ~ChannelStore() = default;

  virtual Status PutChannel(std::string_view brand_id, std::string_view channel,
                            std::string_view config, int64_t now) = 0;
  // nullopt when the brand has not configured the channel.
  virtual Result<std::optional<std::string>> GetChannel(std::string_view brand_id,
                                                        std::string_view channel) = 0;
};

}  // namespace cdp::store
