// Copyright 2026 The Colony Authors.
//
// Aof: the key-value backend's append-only file, in Redis' format (every
// write command as a RESP array, SELECT when the database changes,
// MULTI/EXEC around a transaction's writes).
//
// Commands append under their shards' locks (so the file holds writes to
// a key in the order they executed) into an in-memory buffer; a writer
// thread of the Aof's own writes the buffer to the file and fsyncs it as
// the policy says:
//   - kAlways: after every write; a connection calls WaitDurable() with
//     the sequence number of its last append before it sends its replies
//     (group commit: one fsync covers every connection that waits);
//   - kEverySec: at most once a second;
//   - kNo: never (the kernel decides).
// Under kEverySec and kNo the writer gathers appends for up to 1 ms (or
// 256 KiB) before it writes them, so a crash of the process loses at most
// that much more than the kernel would.
// Nobody waits on the disk under kEverySec/kNo unless the buffer passes
// kMaxBacklog, when appenders wait for the writer to catch up.
//
// A failed write or fsync is retried about once a second; meanwhile
// write_errno() is non-zero (writes are refused with MISCONF by the
// executor) and nothing appended is dropped. Sequence numbers count the
// bytes ever appended; they survive a rewrite, which replaces the file
// (FinishRewrite) on the writer thread.
//
// Thread-safety: every method may be called from any task or thread.
// Lifetime: Close() (or the destructor) writes and fsyncs what is
// buffered and stops the writer.
#ifndef COLONY_KV_AOF_H_
#define COLONY_KV_AOF_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace colony {
class Event;
}  // namespace colony

namespace colony::kv {

// One command to append: its database and arguments.
struct Propagated {
  int db;
  std::vector<std::string> args;
};

class Aof {
 public:
  enum class Fsync { kAlways, kEverySec, kNo };
  // Past this many buffered bytes, appenders wait for the writer.
  static constexpr size_t kMaxBacklog = 64 << 20;

  // Open() opens (creating) `path` for appending and starts the writer.
  static absl::StatusOr<std::unique_ptr<Aof>> Open(const std::string& path,
                                                   Fsync fsync);
  ~Aof();
  Aof(const Aof&) = delete;
  Aof& operator=(const Aof&) = delete;

  // ParseFsync() reads "always", "everysec" or "no".
  static Fsync ParseFsync(absl::string_view s);
  void set_fsync(Fsync fsync) { fsync_.store(fsync); }

  // Append() encodes `commands` (wrapped in MULTI/EXEC when `multi`) into
  // the buffer and returns the sequence number that covers them. Called
  // under the shard locks of the commands' keys; never waits.
  uint64_t Append(absl::Span<const Propagated> commands, bool multi);
  // appended() is the sequence number of everything appended so far.
  uint64_t appended() const;

  // WaitDurable() waits (suspending a task) until sequence `seq` is
  // fsynced under kAlways, or written if the buffer is over kMaxBacklog;
  // returns at once otherwise.
  void WaitDurable(uint64_t seq) { Wait(seq, false); }
  // Sync() waits until everything appended so far is fsynced, whatever
  // the policy (SHUTDOWN).
  void Sync() { Wait(appended(), true); }

  // write_errno() is the errno of the last failed write or fsync; 0 once
  // one succeeded again.
  int write_errno() const { return write_errno_.load(); }
  // current_size() is the file's size including what is buffered;
  // base_size() its size after the last rewrite (or at open).
  int64_t current_size() const;
  int64_t base_size() const { return base_size_.load(); }
  const std::string& path() const { return path_; }

  // MarkSnapshot() is called by a rewrite with every shard locked: it
  // returns the sequence number that separates what the snapshot holds
  // from what it does not, and makes the next append say its database.
  uint64_t MarkSnapshot();
  // FinishRewrite() appends to the file at `temp_path` (holding the
  // snapshot) everything appended since `snapshot_seq`, fsyncs it and
  // renames it over the AOF, which it then continues.
  absl::Status FinishRewrite(const std::string& temp_path,
                             uint64_t snapshot_seq);

  // Close() writes and fsyncs what is buffered and stops the writer.
  void Close();

 private:
  struct Waiter {
    uint64_t seq;
    bool sync;
    std::shared_ptr<Event> event;
  };
  struct RewriteRequest {
    std::string temp_path;
    uint64_t snapshot_seq;
    absl::Status result;
    bool done = false;
  };

  Aof(std::string path, int fd, int64_t size, Fsync fsync);
  void Wait(uint64_t seq, bool sync);
  void Run();
  // WriteAll() writes `data` to fd_; on failure sets *written to how much
  // went out and returns the errno.
  int WriteAll(absl::string_view data, size_t* written);
  // Wake() wakes the waiters whose data is written or synced as they
  // asked; returns how many of them waited for an fsync.
  size_t Wake(std::unique_lock<std::mutex>& lock);
  absl::Status DoFinishRewrite(RewriteRequest& request);

  const std::string path_;
  std::atomic<Fsync> fsync_;
  std::atomic<int> write_errno_{0};
  std::atomic<int64_t> base_size_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string buffer_;  // guarded by mu_
  // When buffer_ last went from empty to not empty.
  std::chrono::steady_clock::time_point first_append_;  // guarded by mu_
  uint64_t appended_ = 0;                               // guarded by mu_
  uint64_t written_ = 0;                                // guarded by mu_
  uint64_t synced_ = 0;                                 // guarded by mu_
  int last_db_ = -1;                                    // guarded by mu_
  bool stop_ = false;                                   // guarded by mu_
  std::vector<Waiter> waiters_;                         // guarded by mu_
  // Under always: how many fsync waiters the writer gathers before the
  // next fsync (as many as the last one woke; 1 when idle).
  size_t gather_target_ = 1;           // guarded by mu_
  RewriteRequest* rewrite_ = nullptr;  // guarded by mu_
  std::condition_variable rewrite_cv_;
  // File offset of sequence number s is s + delta_ (writer thread; read
  // under mu_ for current_size()).
  int64_t delta_;  // guarded by mu_
  int fd_;         // the writer thread's
  std::thread writer_;
};

// AppendCommand() encodes one command as a RESP array onto `out`.
void AppendCommand(std::string* out, absl::Span<const std::string> args);

}  // namespace colony::kv

#endif  // COLONY_KV_AOF_H_
