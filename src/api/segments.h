// The Segment API (docs/segments.md): save rule trees over a brand's profiles and events,
// and count or list their members, evaluated against current data on every call.
#pragma once

#include "api/services.h"
#include "http/message.h"

namespace cdp::api {

// POST /api/v1/segment/create: {"name","rules"} -> {"segment_id"}.
http::Response CreateSegment(const Call& call, Services& services);
// POST /api/v1/segment/update: {"segment_id", "name"?, "rules"?} -> the segment.
http::Response UpdateSegment(const Call& call, Services& services);
// POST /api/v1/segment/delete: {"segment_id"}.
http::Response DeleteSegment(const Call& call, Services& services);
// POST /api/v1/segment/get: {"segment_id"} -> the segment.
http::Response GetSegment(const Call& call, Services& services);
// POST /api/v1/segment/list: {} -> {"segments":[...]}, by name.
http::Response ListSegments(const Call& call, Services& services);
// POST /api/v1/segment/count: {"segment_id"} or {"rules"} -> {"count"}.
http::Response CountSegment(const Call& call, Services& services);
// POST /api/v1/segment/users: {"segment_id"|"rules", "batch_size"?, "cursor"?} -> a page of
// members {"users", "next_cursor"?} in a stable order.
http::Response SegmentUsers(const Call& call, Services& services);

}  // namespace cdp::api
