// Names the calling thread as ps, top -H, perf and gdb show it, so that an operator can
// tell which stage of the server is busy (network, store writer, log sync, ...).
#pragma once

#include <pthread.h>

#include <string>
#include <string_view>

namespace cdp {

// Linux keeps at most 15 bytes of a name: longer ones are cut, not refused.
inline void NameThisThread(std::string_view name) {
  std::string cut(name.substr(0, 15));
  pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace cdp
