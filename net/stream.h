// Copyright 2026 The Colony Authors.
//
// Stream: a connected byte stream (TcpStream, UnixStream) and what every
// stream can do: read, write, half-close, close, deadlines.
//
// Every call works from a task (the task suspends while the socket is not
// ready; its worker runs other tasks) and from a plain thread (the thread
// blocks). A task cancelled while it waits unwinds at once from the call
// (CoroutineCancelled, its destructors run); the stream stays usable, and
// the bytes of a partial write are sent or not as the kernel took them.
//
// Deadlines, Go-style: SetReadDeadline()/SetWriteDeadline() apply to the
// operation waiting now and to later ones, until changed; each call may
// also take its own deadline, and the earlier one wins. A deadline already
// past fails at once with DeadlineExceeded.
//
// Thread-safety: one reader and one writer may use a stream at the same
// time, from any tasks or threads; Close() and the deadline setters may be
// called from anywhere at any time (Close() wakes both waiters, which fail
// with a status for which IsClosed() is true). Two concurrent readers (or
// writers) get FailedPrecondition for the second one's wait.
//
// Ordering: bytes written by one Write() are contiguous in the stream;
// WriteAll() and Writev() return once everything is handed to the kernel.
//
// Lifetime: the destructor closes the stream; it must not run while
// another task or thread uses the same object.

#ifndef COLONY_NET_STREAM_H_
#define COLONY_NET_STREAM_H_

#include <sys/uio.h>

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/internal/socket.h"
#include "net/socket_address.h"
#include "time/deadline.h"

namespace colony {

class Stream {
 public:
  Stream() = default;
  Stream(Stream&&) = default;
  Stream& operator=(Stream&&) = default;

  // valid() is true for a stream that was opened (and not moved from).
  bool valid() const { return socket_.valid(); }

  // Read() reads at least one byte into `buffer` (an empty buffer returns
  // 0 at once), waiting until some arrive. Returns 0 at the end of the
  // stream (the peer shut down its writing side): that is not an error.
  absl::StatusOr<size_t> Read(absl::Span<char> buffer,
                              Deadline deadline = Deadline::Infinite());
  // ReadWouldWait() is true when a Read() now would wait for the socket to
  // become readable without trying it first (TCP: the last read returned
  // less than asked, so the kernel's queue was empty, and no readiness
  // came since). A hint for fairness (bytes may arrive at any moment);
  // false for other streams.
  bool ReadWouldWait() const {
    return tcp_ && socket_.ReadWouldWait(read_drained_);
  }
  // ReadFull() fills `buffer` entirely; at the end of the stream before
  // that it fails with OutOfRange (IsEndOfStream()) saying how many bytes
  // came.
  absl::Status ReadFull(absl::Span<char> buffer,
                        Deadline deadline = Deadline::Infinite());
  // Write() writes some of `data` (at least one byte unless empty) and
  // returns how many, waiting while the kernel's buffer is full.
  absl::StatusOr<size_t> Write(absl::string_view data,
                               Deadline deadline = Deadline::Infinite());
  // WriteAll() writes all of `data`.
  absl::Status WriteAll(absl::string_view data,
                        Deadline deadline = Deadline::Infinite());
  // Writev() writes all of `buffers`, in order, with writev() (as few
  // system calls as the kernel allows). At most 1024 buffers.
  absl::Status Writev(absl::Span<const absl::string_view> buffers,
                      Deadline deadline = Deadline::Infinite());
  // ShutdownWrite() sends the end of stream; reading goes on.
  absl::Status ShutdownWrite();
  // PeerGone() looks, without reading or waiting, whether the peer has
  // closed its side (or the connection failed, or it was closed here):
  // bytes already sent by the peer do not count as gone. May be called
  // from any task while another one reads.
  bool PeerGone() const;
  // Close() closes the stream (see the thread-safety note). Ok if it was
  // closed already.
  absl::Status Close() { return socket_.Close(); }

  // SetDeadline() sets both deadlines; SetReadDeadline() and
  // SetWriteDeadline() one each (Deadline::Infinite() clears it).
  void SetDeadline(Deadline deadline) {
    SetReadDeadline(deadline);
    SetWriteDeadline(deadline);
  }
  void SetReadDeadline(Deadline deadline) {
    socket_.SetDeadline(net_internal::Direction::kRead, deadline);
  }
  void SetWriteDeadline(Deadline deadline) {
    socket_.SetDeadline(net_internal::Direction::kWrite, deadline);
  }

  // LocalAddress() and PeerAddress() are the two ends.
  absl::StatusOr<SocketAddress> LocalAddress() const {
    return socket_.LocalAddress();
  }
  absl::StatusOr<SocketAddress> PeerAddress() const {
    return socket_.PeerAddress();
  }

 protected:
  explicit Stream(net_internal::Socket socket) : socket_(std::move(socket)) {}
  // ConnectSocket() opens a socket of `address`'s family and connects it.
  static absl::StatusOr<net_internal::Socket> ConnectSocket(
      const SocketAddress& address, int domain, Deadline deadline);

  net_internal::Socket socket_;
  // A TCP stream reads through Socket::ReadStream(); read_drained_ is its
  // memory of the last read (one reader at a time).
  bool tcp_ = false;
  bool read_drained_ = false;
};

}  // namespace colony

#endif  // COLONY_NET_STREAM_H_
