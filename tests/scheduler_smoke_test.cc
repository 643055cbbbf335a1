#include <atomic>

#include "gtest/gtest.h"
#include "scheduler/blocking.h"
#include "scheduler/scheduler.h"
#include "scheduler/task_scope.h"

namespace colony {
namespace {
TEST(Smoke, Basic) {
  auto s = Scheduler::Create({.workers = 2}).value();
  ASSERT_TRUE(s->Start().ok());
  auto h = s->Spawn([] { return 42; });
  EXPECT_EQ(h.Join().value(), 42);
  std::atomic<int> n{0};
  auto h2 = s->Spawn([&] {
    std::vector<JoinHandle<int>> hs;
    for (int i = 0; i < 1000; ++i)
      hs.push_back(Spawn([&, i] {
        Yield();
        n++;
        return i;
      }));
    long sum = 0;
    for (auto& x : hs) sum += x.Join().value();
    colony::SleepFor(absl::Milliseconds(2));
    return sum;
  });
  EXPECT_EQ(h2.Join().value(), 999 * 1000 / 2);
  EXPECT_EQ(n.load(), 1000);
  auto h3 = s->Spawn([] {
    colony::SleepFor(absl::Seconds(100));
    return 1;
  });
  absl::SleepFor(absl::Milliseconds(5));
  h3.Cancel("test");
  auto r = h3.Join();
  EXPECT_TRUE(r.cancelled()) << r;
  auto h4 = s->Spawn([] { return SpawnBlocking([] { return 7; }); });
  EXPECT_EQ(h4.Join().value(), 7);
  EXPECT_TRUE(s->Stop().ok());
}
}  // namespace
}  // namespace colony
