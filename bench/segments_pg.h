// The PostgreSQL writer of segments_gen: loads the generated rows, with the ids the SQLite
// writer gave them, into a cdp database that `cdp brand create --database URL` has just
// migrated and made the brand in, in the schema of src/store/postgres/migrations.cc.
//
// The database must be the benchmark's alone: the writer refuses one holding a brand not
// named "bench", and deletes the earlier runs' bench brands and every row of the tables it
// loads (profiles, events, event_names, attribute_types). Everything is loaded in one
// transaction, through one COPY per table with the secondary indexes of profiles and
// events dropped and made again at the end; Finish then VACUUMs and ANALYZEs the tables.
//
// Call AddAttributeType, then every AddProfile, then every AddEvent, then Finish. Any error
// prints PostgreSQL's message and exits the process with status 1 (a benchmark tool). Not
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "segments_rows.h"

struct pg_conn;

namespace segments_bench {

class PgWriter {
 public:
  PgWriter(const std::string& url, std::string brand);
  ~PgWriter();
  PgWriter(const PgWriter&) = delete;
  PgWriter& operator=(const PgWriter&) = delete;

  void AddAttributeType(std::string_view scope, std::string_view name, std::string_view type);
  void AddProfile(int64_t id, const ProfileRow& row);
  void AddEvent(int64_t id, const EventRow& row);
  // Ends the load: the brand's event names (first seen at their earliest event), the identity
  // sequences moved past the ids given, the indexes made, committed, VACUUM ANALYZE.
  void Finish();

 private:
  enum class Copying { kNone, kProfiles, kEvents };
  void Run(const std::string& sql);
  void StartCopy(Copying table);
  void Flush();
  void EndCopy();

  pg_conn* conn_ = nullptr;
  std::string brand_;
  Copying copying_ = Copying::kNone;
  std::string buf_;
  std::vector<std::string> index_definitions_;
  std::map<std::string, int64_t, std::less<>> first_seen_;
};

}  // namespace segments_bench
