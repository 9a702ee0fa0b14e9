// What the daemon's log line and metrics take from a served answer's attempts.
#include <catch2/catch.hpp>

#include "daemon/request_record.hpp"

using namespace llmgw;

TEST_CASE("request record: time upstream is the sum of the sent attempts, to the microsecond",
          "[daemon][metrics]") {
  std::vector<AttemptRecord> attempts(3);
  attempts[0].sent = true;
  attempts[0].took = std::chrono::microseconds(400);
  attempts[1].sent = false;  // skipped (circuit open): never on the network
  attempts[1].took = std::chrono::microseconds(9'000);
  attempts[2].sent = true;
  attempts[2].took = std::chrono::microseconds(350);
  Route route;
  route.provider.name = "openai";
  route.model = "gpt-4o-mini";
  LedgerRow row;
  row.attempts = 2;
  daemon::RequestRecord record;
  record.note_answer(row, attempts, route, false);
  CHECK(record.upstream_seconds == Approx(0.00075).margin(1e-12));
  CHECK(record.entry.provider == "openai");
  CHECK(record.entry.model_served == "gpt-4o-mini");
  CHECK(record.entry.attempts == 2);
}
