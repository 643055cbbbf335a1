// Copyright 2026 The Colony Authors.
#include "kv/aof.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"
#include "sync/locks/event.h"

namespace colony::kv {
namespace {

constexpr auto kRetry = std::chrono::seconds(1);
// Also how often an idle writer looks at its state.
constexpr auto kEverySec = std::chrono::seconds(1);
// Under everysec and no, appends gather this long (or up to kWriteBatch
// bytes) before the writer writes them: one write and one wake-up of the
// writer thread per batch instead of per command.
constexpr auto kWriteDelay = std::chrono::milliseconds(1);
constexpr size_t kWriteBatch = 256 << 10;
// Under always, the longest the writer waits for more connections to
// join the next fsync.
constexpr auto kMaxGather = std::chrono::milliseconds(2);

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// FsyncDir() makes a rename in `path`'s directory durable.
void FsyncDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void AppendCommand(std::string* out, absl::Span<const std::string> args) {
  absl::StrAppend(out, "*", args.size(), "\r\n");
  for (const std::string& a : args) {
    absl::StrAppend(out, "$", a.size(), "\r\n");
    out->append(a);
    out->append("\r\n");
  }
}

Aof::Fsync Aof::ParseFsync(absl::string_view s) {
  if (s == "always") return Fsync::kAlways;
  if (s == "no") return Fsync::kNo;
  return Fsync::kEverySec;
}

absl::StatusOr<std::unique_ptr<Aof>> Aof::Open(const std::string& path,
                                               Fsync fsync) {
  // A file-size limit (RLIMIT_FSIZE) must fail the write, not kill us.
  ::signal(SIGXFSZ, SIG_IGN);
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("can't open the append only file", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const absl::Status s = Errno("can't stat", path);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<Aof>(new Aof(path, fd, st.st_size, fsync));
}

Aof::Aof(std::string path, int fd, int64_t size, Fsync fsync)
    : path_(std::move(path)),
      fsync_(fsync),
      base_size_(size),
      delta_(size),
      fd_(fd) {
  writer_ = std::thread([this] { Run(); });
}

Aof::~Aof() { Close(); }

void Aof::Close() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) {
      lock.unlock();
      if (writer_.joinable()) writer_.join();
      return;
    }
    stop_ = true;
    cv_.notify_all();
  }
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

uint64_t Aof::Append(absl::Span<const Propagated> commands, bool multi) {
  std::unique_lock<std::mutex> lock(mu_);
  const size_t before = buffer_.size();
  if (multi) AppendCommand(&buffer_, {std::string("MULTI")});
  for (const Propagated& p : commands) {
    if (p.db != last_db_) {
      AppendCommand(&buffer_, {std::string("SELECT"), absl::StrCat(p.db)});
      last_db_ = p.db;
    }
    AppendCommand(&buffer_, p.args);
  }
  if (multi) AppendCommand(&buffer_, {std::string("EXEC")});
  if (before == 0) first_append_ = std::chrono::steady_clock::now();
  appended_ += buffer_.size() - before;
  const uint64_t seq = appended_;
  // The writer wakes by itself kWriteDelay after the first append; under
  // always the connection's WaitDurable() wakes it.
  if (before < kWriteBatch && buffer_.size() >= kWriteBatch) {
    cv_.notify_one();
  }
  return seq;
}

uint64_t Aof::appended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return appended_;
}

int64_t Aof::current_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(appended_) + delta_;
}

uint64_t Aof::MarkSnapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  last_db_ = -1;
  return appended_;
}

void Aof::Wait(uint64_t seq, bool sync) {
  if (seq == 0) return;
  const bool always = sync || fsync_.load() == Fsync::kAlways;
  // Shared: if the waiting task is cancelled, the writer still holds it.
  auto event = std::make_shared<Event>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;  // closed: nobody would wake us
    if (always) {
      if (synced_ >= seq) return;
    } else {
      if (written_ >= seq || appended_ - written_ < kMaxBacklog) return;
    }
    waiters_.push_back(Waiter{seq, always, event});
    // Under always the writer gathers waiters (see Run()); it needs a
    // wake-up only once as many are waiting as it woke last time.
    if (!always || waiters_.size() >= gather_target_) cv_.notify_one();
  }
  event->Wait();
}

size_t Aof::Wake(std::unique_lock<std::mutex>& lock) {
  size_t woken_sync = 0;
  auto it = waiters_.begin();
  while (it != waiters_.end()) {
    if ((it->sync ? synced_ : written_) >= it->seq) {
      woken_sync += it->sync ? 1 : 0;
      it->event->Set();
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  return woken_sync;
}

int Aof::WriteAll(absl::string_view data, size_t* written) {
  *written = 0;
  while (*written < data.size()) {
    const ssize_t n =
        ::write(fd_, data.data() + *written, data.size() - *written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return ENOSPC;
    *written += static_cast<size_t>(n);
  }
  return 0;
}

void Aof::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  auto last_fsync = std::chrono::steady_clock::now();
  bool failing = false;
  // When the last fsync ended, and how long the writer may gather waiters
  // for the next one.
  auto last_round_end = last_fsync;
  std::chrono::steady_clock::duration gather_window{};
  for (;;) {
    // Wait for something to do: bytes to write, an fsync due, a rewrite
    // to finish, or the end.
    for (;;) {
      const Fsync policy = fsync_.load();
      bool sync_waiter = false;
      for (const Waiter& w : waiters_) sync_waiter |= w.sync;
      const bool fsync_due =
          synced_ < written_ &&
          (policy == Fsync::kAlways || sync_waiter ||
           (policy == Fsync::kEverySec &&
            std::chrono::steady_clock::now() - last_fsync >= kEverySec));
      if (rewrite_ != nullptr || stop_) break;
      if (sync_waiter && !failing) {
        // Group commit: the connections woken by the last fsync send their
        // next writes a round trip later. Wait for as many waiters as that
        // fsync woke, for at most as long as it took (capped), so one
        // fsync covers them all instead of every other round covering
        // half of them.
        const auto due = last_round_end + gather_window;
        if (waiters_.size() >= gather_target_ ||
            std::chrono::steady_clock::now() >= due) {
          break;
        }
        cv_.wait_until(lock, due);
        continue;
      }
      if (fsync_due || !waiters_.empty() || buffer_.size() >= kWriteBatch) {
        break;
      }
      if (!buffer_.empty()) {
        const auto due = first_append_ + kWriteDelay;
        if (policy == Fsync::kAlways ||
            std::chrono::steady_clock::now() >= due) {
          break;
        }
        cv_.wait_until(lock, due);
        continue;
      }
      // Idle: the next waiter wakes the writer at once.
      gather_target_ = 1;
      cv_.wait_for(lock, kEverySec);
    }
    if (stop_ && buffer_.empty() && rewrite_ == nullptr &&
        (synced_ == written_ || failing)) {
      break;
    }
    std::string chunk;
    chunk.swap(buffer_);
    const Fsync policy = fsync_.load();
    bool stopping = stop_;
    for (const Waiter& w : waiters_) stopping |= w.sync;
    lock.unlock();
    size_t n = 0;
    int err = chunk.empty() ? 0 : WriteAll(chunk, &n);
    bool synced_now = false;
    const auto round_start = std::chrono::steady_clock::now();
    if (err == 0 &&
        (policy == Fsync::kAlways || stopping ||
         (policy == Fsync::kEverySec &&
          std::chrono::steady_clock::now() - last_fsync >= kEverySec))) {
      if (::fdatasync(fd_) != 0) {
        err = errno;
      } else {
        synced_now = true;
        last_fsync = std::chrono::steady_clock::now();
      }
    }
    lock.lock();
    written_ += n;
    if (n < chunk.size()) {
      // Keep what did not go out, ahead of what came meanwhile.
      buffer_.insert(0, chunk, n, std::string::npos);
    }
    if (synced_now) synced_ = written_;
    if (err != 0) {
      if (!failing) {
        spdlog::error("kv: writing the append only file {}: {}", path_,
                      std::strerror(err));
      }
      failing = true;
      write_errno_.store(err);
      Wake(lock);
      if (stop_) break;
      cv_.wait_for(lock, kRetry);
      continue;
    }
    if (failing) {
      spdlog::info("kv: writing the append only file {} works again", path_);
      failing = false;
      write_errno_.store(0);
    }
    const size_t woken = Wake(lock);
    if (synced_now) {
      last_round_end = std::chrono::steady_clock::now();
      gather_window = std::min<std::chrono::steady_clock::duration>(
          last_round_end - round_start, kMaxGather);
      gather_target_ = std::max<size_t>(woken, 1);
    }
    if (rewrite_ != nullptr) {
      RewriteRequest* r = rewrite_;
      lock.unlock();
      r->result = DoFinishRewrite(*r);
      lock.lock();
      r->done = true;
      rewrite_ = nullptr;
      rewrite_cv_.notify_all();
    }
  }
  // Stopped: release anybody still waiting.
  for (Waiter& w : waiters_) w.event->Set();
  waiters_.clear();
  if (rewrite_ != nullptr) {
    rewrite_->result = absl::CancelledError("the append only file closed");
    rewrite_->done = true;
    rewrite_ = nullptr;
    rewrite_cv_.notify_all();
  }
}

absl::Status Aof::FinishRewrite(const std::string& temp_path,
                                uint64_t snapshot_seq) {
  RewriteRequest request{temp_path, snapshot_seq, absl::OkStatus()};
  std::unique_lock<std::mutex> lock(mu_);
  if (stop_) return absl::CancelledError("the append only file closed");
  while (rewrite_ != nullptr) rewrite_cv_.wait(lock);
  rewrite_ = &request;
  cv_.notify_all();
  while (!request.done) rewrite_cv_.wait(lock);
  return request.result;
}

absl::Status Aof::DoFinishRewrite(RewriteRequest& request) {
  // The writer thread: the file holds everything up to `end`; later
  // appends wait in the buffer and go to the new file.
  uint64_t end;
  int64_t delta;
  {
    std::lock_guard<std::mutex> lock(mu_);
    end = written_;
    delta = delta_;
  }
  const int tmp =
      ::open(request.temp_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (tmp < 0) return Errno("can't open", request.temp_path);
  const int old = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (old < 0) {
    const absl::Status s = Errno("can't open", path_);
    ::close(tmp);
    return s;
  }
  // Copy the old file's tail [snapshot_seq, end).
  std::string block(1 << 20, '\0');
  int64_t at = static_cast<int64_t>(request.snapshot_seq) + delta;
  const int64_t stop = static_cast<int64_t>(end) + delta;
  absl::Status status;
  while (at < stop && status.ok()) {
    const size_t want =
        static_cast<size_t>(std::min<int64_t>(stop - at, block.size()));
    const ssize_t n = ::pread(old, block.data(), want, at);
    if (n <= 0) {
      status = Errno("can't read", path_);
      break;
    }
    size_t off = 0;
    while (off < static_cast<size_t>(n)) {
      const ssize_t w = ::write(tmp, block.data() + off, n - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        status = Errno("can't write", request.temp_path);
        break;
      }
      off += static_cast<size_t>(w);
    }
    at += n;
  }
  ::close(old);
  struct stat st;
  if (status.ok() && ::fdatasync(tmp) != 0) {
    status = Errno("can't fsync", request.temp_path);
  }
  if (status.ok() && ::fstat(tmp, &st) != 0) {
    status = Errno("can't stat", request.temp_path);
  }
  if (status.ok() && ::rename(request.temp_path.c_str(), path_.c_str()) != 0) {
    status = Errno("can't rename over", path_);
  }
  if (!status.ok()) {
    ::close(tmp);
    ::unlink(request.temp_path.c_str());
    return status;
  }
  FsyncDir(path_);
  ::close(fd_);
  fd_ = tmp;
  {
    std::lock_guard<std::mutex> lock(mu_);
    delta_ = static_cast<int64_t>(st.st_size) - static_cast<int64_t>(end);
    synced_ = written_;
  }
  base_size_.store(st.st_size);
  return absl::OkStatus();
}

}  // namespace colony::kv
