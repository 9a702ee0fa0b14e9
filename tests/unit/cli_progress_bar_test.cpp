#include <catch2/catch.hpp>
#include <sstream>

#include "cli/progress_bar.hpp"
#include "support/fake_clock.hpp"

using llmgw::cli::format_progress;
using llmgw::cli::ProgressBar;
using std::chrono::milliseconds;

TEST_CASE("the progress line shows count, rate and time left", "[progress]") {
  CHECK(format_progress(0, 10000, "inputs", milliseconds(0)) ==
        "[                        ]  0/10000 inputs");
  CHECK(format_progress(2500, 10000, "inputs", milliseconds(2000)) ==
        "[######                  ]  2500/10000 inputs  1250/s  ETA 6s");
  CHECK(format_progress(100, 10000, "inputs", milliseconds(10000)) ==
        "[                        ]  100/10000 inputs  10/s  ETA 16m30s");
  CHECK(format_progress(10000, 10000, "inputs", milliseconds(500)) ==
        "[########################]  10000/10000 inputs  20000/s");
  CHECK(format_progress(12, 10, "inputs", milliseconds(1000))
            .starts_with("[########################]  10/10"));
}

TEST_CASE("the progress bar redraws in place, at most every 100 ms, and erases itself",
          "[progress]") {
  llmgw::test::FakeClock clock;
  std::ostringstream err;
  {
    ProgressBar bar(err, true, 100, "inputs", clock);
    bar.update(10);
    const std::string first = err.str();
    CHECK(first.starts_with("\r[##"));
    clock.advance(milliseconds(50));
    bar.update(20);
    CHECK(err.str() == first);  // too soon
    clock.advance(milliseconds(60));
    bar.update(30);
    CHECK(err.str().size() > first.size());
    bar.update(100);  // the last one is always drawn
    CHECK(err.str().find("100/100") != std::string::npos);
  }
  const std::string all = err.str();
  CHECK(all.ends_with("\r"));
  CHECK(all.substr(all.rfind('\r', all.size() - 2)).find_first_not_of(" \r") == std::string::npos);
}

TEST_CASE("a disabled progress bar writes nothing", "[progress]") {
  llmgw::test::FakeClock clock;
  std::ostringstream err;
  {
    ProgressBar bar(err, false, 100, "inputs", clock);
    bar.update(50);
    bar.update(100);
  }
  CHECK(err.str().empty());
}
