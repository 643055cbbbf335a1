// Copyright 2026 The Colony Authors.
//
// PrefetchPipelinedKeys(): which keys of a pipelined batch it prefetches,
// and that it changes nothing.
#include "kv/key_prefetch.h"

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "kv/command.h"
#include "kv/keyspace.h"

namespace colony::kv {
namespace {

// Command() is `args` in multibulk form.
std::string Command(std::initializer_list<absl::string_view> args) {
  std::string out = absl::StrCat("*", args.size(), "\r\n");
  for (absl::string_view a : args) {
    absl::StrAppend(&out, "$", a.size(), "\r\n", a, "\r\n");
  }
  return out;
}

class KeyPrefetchTest : public testing::Test {
 protected:
  KeyPrefetchTest() {
    commands_.Add("get", 2, kReadOnly, {1, 1, 1}, nullptr);
    commands_.Add("mset", -3, kWrite, {1, -1, 2}, nullptr);
    commands_.Add("ping", -1, 0, {}, nullptr);
    commands_.Add("flushdb", -1, kWrite | kDbWide, {}, nullptr);
    commands_.Add("lmpop", -4, kWrite, {0, 0, 0, 1}, nullptr);
  }

  int Prefetch(absl::string_view input) {
    return PrefetchPipelinedKeys(commands_, keyspace_, 0, input);
  }

  CommandTable commands_;
  Keyspace keyspace_;
};

TEST_F(KeyPrefetchTest, PrefetchesTheKeysOfABatch) {
  EXPECT_EQ(Prefetch(Command({"GET", "a"}) + Command({"get", "b"})), 2);
  // MSET's keys are every other argument.
  EXPECT_EQ(Prefetch(Command({"MSET", "a", "1", "b", "2", "c", "3"}) +
                     Command({"GET", "d"})),
            4);
}

TEST_F(KeyPrefetchTest, ASingleCommandIsNotPrefetched) {
  EXPECT_EQ(Prefetch(Command({"GET", "a"})), 0);
  // The second command is incomplete: a batch of one.
  const std::string second = Command({"GET", "b"});
  EXPECT_EQ(Prefetch(Command({"GET", "a"}) + second.substr(0, 10)), 0);
}

TEST_F(KeyPrefetchTest, PassesOverCommandsWithoutPlainKeys) {
  EXPECT_EQ(
      Prefetch(Command({"PING"}) + Command({"NOSUCH", "x"}) +
               Command({"FLUSHDB"}) + Command({"LMPOP", "1", "l", "LEFT"}) +
               Command({"GET", "a"})),
      1);
  EXPECT_EQ(Prefetch(Command({"PING"}) + Command({"PING"})), 0);
}

TEST_F(KeyPrefetchTest, StopsAtTheFirstThingItDoesNotRead) {
  EXPECT_EQ(Prefetch(Command({"GET", "a"}) + Command({"GET", "b"}) +
                     "GET c\r\n" + Command({"GET", "d"})),
            2);
}

TEST_F(KeyPrefetchTest, BoundsTheKeysOfOneScan) {
  std::string batch;
  for (int i = 0; i < 3 * kMaxPrefetchKeys; ++i) {
    batch += Command({"GET", absl::StrCat("key:", i)});
  }
  EXPECT_EQ(Prefetch(batch), kMaxPrefetchKeys);
}

TEST_F(KeyPrefetchTest, ChangesNothing) {
  Shard& shard = keyspace_.ShardFor(0, "a");
  shard.Insert("a", Entry(), 0);
  const size_t size = shard.map.size();
  EXPECT_EQ(Prefetch(Command({"GET", "a"}) + Command({"GET", "zz"})), 2);
  EXPECT_EQ(shard.map.size(), size);
  EXPECT_NE(shard.Find("a"), nullptr);
  EXPECT_EQ(keyspace_.ShardFor(0, "zz").Find("zz"), nullptr);
}

// The second pass looks keys up under their shard's lock only if it is
// free: a shard another thread holds, or this thread holds through a
// LockSet (a run of commands on one shard), is passed over, not waited
// for (either would hang here).
TEST_F(KeyPrefetchTest, NeverWaitsForAShardsLock) {
  const std::string value(300, 'v');
  Shard& a = keyspace_.ShardFor(0, "a");
  Shard& b = keyspace_.ShardFor(0, "b");
  a.Insert("a", Entry(value), 0);
  b.Insert("b", Entry(value), 0);
  const std::string batch = Command({"GET", "a"}) + Command({"GET", "b"});
  absl::Notification b_locked, done;
  std::thread other([&] {
    b.mu.Lock();
    b_locked.Notify();
    done.WaitForNotification();
    b.mu.Unlock();
  });
  b_locked.WaitForNotification();
  {
    LockSet held;
    held.Add(&a);
    held.Lock();
    EXPECT_EQ(Prefetch(batch), 2);
  }
  done.Notify();
  other.join();
  EXPECT_EQ(a.Find("a")->str(), value);
  EXPECT_EQ(b.Find("b")->str(), value);
}

}  // namespace
}  // namespace colony::kv
