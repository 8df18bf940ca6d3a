#include "campaigns/template.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>

namespace cdp::campaigns {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool KnownTag(std::string_view tag) {
  if (tag == "userId" || tag == kUnsubscribeTag) return true;
  if (tag.starts_with("attributes.")) return tag.size() > 11;
  for (const auto& f : profiles::Fields())
    if (f.name == tag) return true;
  return false;
}

std::string KnownTags() {
  std::string list = fmt::format("userId, {}", kUnsubscribeTag);
  for (const auto& f : profiles::Fields()) list += fmt::format(", {}", f.name);
  return list + ", attributes.<name>";
}

// Parses `| default: "text"` (after the tag). nullopt on any other form.
std::optional<std::string> ParseDefault(std::string_view filter) {
  filter = Trim(filter);
  if (!filter.starts_with("default")) return std::nullopt;
  filter = Trim(filter.substr(7));
  if (!filter.starts_with(':')) return std::nullopt;
  filter = Trim(filter.substr(1));
  if (filter.size() < 2) return std::nullopt;
  const char quote = filter.front();
  if ((quote != '"' && quote != '\'') || filter.back() != quote) return std::nullopt;
  std::string_view inner = filter.substr(1, filter.size() - 2);
  if (inner.find(quote) != std::string_view::npos) return std::nullopt;
  return std::string(inner);
}

// The profile's value for `tag` as text; empty when missing.
std::string ValueOf(const profiles::Profile& p, std::string_view tag) {
  const boost::json::value* v = nullptr;
  if (tag == "userId") return p.user_id.value_or("");
  if (tag.starts_with("attributes.")) {
    v = p.attributes.if_contains(tag.substr(11));
  } else {
    for (const auto& f : profiles::Fields())
      if (f.name == tag) v = &p[f.field];
  }
  if (!v || v->is_null()) return "";
  if (v->is_string()) return std::string(v->get_string());
  return boost::json::serialize(*v);
}

}  // namespace

Result<Template> Template::Parse(std::string_view text, std::string_view where) {
  Template t;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.pieces_.push_back({std::string(text.substr(pos)), "", std::nullopt});
      break;
    }
    if (open > pos) t.pieces_.push_back({std::string(text.substr(pos, open - pos)), "", {}});
    const size_t close = text.find("}}", open + 2);
    const size_t next_open = text.find("{{", open + 2);
    if (close == std::string_view::npos || next_open < close)
      return InvalidArgument(
          fmt::format("{}: '{{{{' at position {} is not closed by '}}}}'", where, open + 1));
    std::string_view inside = text.substr(open + 2, close - open - 2);
    std::string_view tag = inside;
    std::optional<std::string> fallback;
    if (size_t bar = inside.find('|'); bar != std::string_view::npos) {
      tag = inside.substr(0, bar);
      fallback = ParseDefault(inside.substr(bar + 1));
      if (!fallback)
        return InvalidArgument(fmt::format(
            "{}: the filter at position {} must be | default: \"text\"", where, open + 1));
    }
    tag = Trim(tag);
    if (!KnownTag(tag))
      return InvalidArgument(fmt::format("{}: unknown tag '{}' at position {}; tags are {}", where,
                                         tag, open + 1, KnownTags()));
    t.pieces_.push_back({"", std::string(tag), std::move(fallback)});
    pos = close + 2;
  }
  return t;
}

std::string Template::Render(const profiles::Profile& profile, bool html,
                             std::string_view unsubscribe_url) const {
  std::string out;
  for (const Piece& p : pieces_) {
    if (p.tag.empty()) {
      out += p.text;
      continue;
    }
    std::string value =
        p.tag == kUnsubscribeTag ? std::string(unsubscribe_url) : ValueOf(profile, p.tag);
    if (value.empty() && p.fallback) value = *p.fallback;
    out += html ? HtmlEscape(value) : value;
  }
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace cdp::campaigns
