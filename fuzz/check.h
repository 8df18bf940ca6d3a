// What the fuzz targets share: a property check that stops the run when it fails, and the
// round trip of a JSON document through the strict parser. Used only by fuzz/*_fuzz.cc.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cdp::fuzz {

// The fuzzer's bytes as text (a request body, a template, a timestamp).
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// When `holds` is false: prints `what` (and `detail`, when given) and aborts, which makes
// libFuzzer save the input as a crash reproducer.
void Check(bool holds, std::string_view what, std::string_view detail = {});

// `value` was accepted by ParseJson. Checks that its serialized text is accepted too and
// parses back to an equal value, so what the API echoes or stores reads back unchanged.
void CheckJsonRoundTrip(const boost::json::value& value);

}  // namespace cdp::fuzz
