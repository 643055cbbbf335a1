// Copyright 2026 The Colony Authors.
//
// ThreadParker: a one-token binary semaphore on a futex, the way a plain
// thread (or an idle worker) sleeps until someone has work for it.
//
// Unpark() leaves a token; Park() consumes it, sleeping until there is one
// or the deadline passes. A token given before Park() is not lost, and
// several Unpark()s before a Park() leave one token, so callers must treat
// a return from Park() as "look again" and loop on their own condition.
//
// Memory ordering: Unpark() releases and Park() acquires the state word, so
// everything the unparker wrote before Unpark() is visible after Park()
// returns true.

#ifndef COLONY_SCHEDULER_INTERNAL_THREAD_PARKER_H_
#define COLONY_SCHEDULER_INTERNAL_THREAD_PARKER_H_

#include <atomic>
#include <cstdint>

#include "time/deadline.h"

namespace colony::scheduler_internal {

class ThreadParker {
 public:
  // Park() blocks until a token is available and takes it (true), or until
  // `deadline` is reached (false).
  bool Park(Deadline deadline = Deadline::Infinite());
  // Unpark() gives the token, waking the parked thread if there is one.
  // Safe to call from any thread, also on a parker whose thread is about to
  // stop waiting.
  void Unpark();

 private:
  static constexpr uint32_t kEmpty = 0;
  static constexpr uint32_t kParked = 1;
  static constexpr uint32_t kNotified = 2;
  std::atomic<uint32_t> state_{kEmpty};
};

// FutexWait() sleeps while `*word == expected`, until woken, `deadline`,
// or spuriously. FutexWake() wakes up to
// `waiters` sleepers on `word`; it only passes the address to the kernel,
// so it is safe on memory that may already be gone.
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected,
               Deadline deadline);
void FutexWake(std::atomic<uint32_t>* word, int waiters);

// FutexWaitWord() sleeps while the low 32 bits of `*word` equal those of
// `seen` (or spuriously); FutexWakeWord() wakes every such sleeper.
void FutexWaitWord(std::atomic<uint64_t>* word, uint64_t seen);
void FutexWakeWord(std::atomic<uint64_t>* word);

// CheckThreadMayBlock() is called before the calling thread blocks in a
// wait (FutexWait(), FutexWaitWord()). It aborts with a message naming the
// problem when the thread is a worker running a plain coroutine (a
// Generator body, say) that a task resumed: only the task itself can
// suspend, so the wait would hold the worker and everything queued on it,
// and with one worker it would never end. Elsewhere it does nothing.
void CheckThreadMayBlock();

// ThisThreadParker() is the calling thread's parker.
ThreadParker& ThisThreadParker();

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_THREAD_PARKER_H_
