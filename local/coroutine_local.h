// Copyright 2026 The Colony Authors.
//
// CoroutineLocal<T>: a variable with one value per coroutine, the
// coroutine counterpart of `thread_local`.
//
// A coroutine may run on many threads over its life, so `thread_local`
// state leaks between the coroutines that share a thread and is lost when
// one migrates. A CoroutineLocal<T> instead gives each coroutine its own T:
//
//   colony::CoroutineLocal<std::string> request_id(
//       colony::CoroutineLocalOptions{.inherited = true});
//
//   void Handle(Request r) {          // runs in a coroutine
//     *request_id = r.id();           // this coroutine's value
//     Fetch();                        // may suspend and move to another thread
//     Log(*request_id);               // still this coroutine's value
//   }
//
// Each coroutine's value is default-constructed on its first access and
// destroyed when the coroutine ends: when its body returns, fails with an
// exception or is cancelled, on the coroutine's own stack after the body's
// captures were destroyed (so destructors see CurrentCoroutine()). Code
// outside any coroutine gets a per-thread value instead, destroyed when the
// thread exits (the main thread's is never destroyed).
//
// Inheritance: a local constructed with `inherited = true` is copied into a
// child when a scheduler spawns a task from a task (the spawning task's
// value, copy-constructed, at the moment of the spawn), so request ids,
// tracing spans and deadlines follow the work. Other locals start empty in
// the child. Plain threads pass nothing on. See local/context.h for
// type-keyed contexts built on it.
//
// Cost: construction takes a slot index from a global counter; an access
// is a call to CurrentCoroutine() and an indexed load from the coroutine's
// slot table (no hashing, no lock). Slot indices are never reused: give
// CoroutineLocals static storage duration (at most 2^24 may ever be
// constructed), and note that a coroutine's table grows to the highest
// index it touches (16 bytes per slot).
//
// Thread-safety: a CoroutineLocal object may be used from any number of
// threads and coroutines at once; each sees only its own value, which no
// other coroutine or thread touches (except the copy made for a child).
// A reference returned by Get() stays valid across suspensions and
// migration (the value lives on the heap, not in thread-local storage)
// until the value is destroyed by Reset(), Set(), Emplace() or the end of
// the coroutine. Pass it to another coroutine only with care.
//
// Warning: a value's constructor and destructor must not suspend the
// coroutine, and its destructor runs after the owning CoroutineLocal may
// itself have been destroyed. A destructor may use other locals; values it
// creates are destroyed in a further round (at most four rounds in all, then
// the process aborts).

#ifndef COLONY_LOCAL_COROUTINE_LOCAL_H_
#define COLONY_LOCAL_COROUTINE_LOCAL_H_

#include <cstdint>
#include <type_traits>
#include <utility>

#include "absl/base/optimization.h"
#include "coroutine/internal/thread_state.h"
#include "local/internal/slot_table.h"

namespace colony {

// Options for a CoroutineLocal.
struct CoroutineLocalOptions {
  // A child spawned by a coroutine starts with a copy of the coroutine's
  // value (if it has one) instead of an empty slot. Requires a
  // copy-constructible T.
  bool inherited = false;
};

template <typename T>
class CoroutineLocal {
  static_assert(std::is_object_v<T> && !std::is_array_v<T> &&
                    std::is_destructible_v<T>,
                "CoroutineLocal<T> needs a destructible, non-array object "
                "type");

 public:
  // CoroutineLocal() makes a local that is not inherited.
  CoroutineLocal() : CoroutineLocal(CoroutineLocalOptions{}) {}

  // CoroutineLocal(options) makes a local with `options`. Aborts when
  // `options.inherited` is set for a T that cannot be copied.
  explicit CoroutineLocal(CoroutineLocalOptions options)
      : index_(local_internal::AllocateSlot()), ops_(PickOps(options)) {}

  CoroutineLocal(const CoroutineLocal&) = delete;
  CoroutineLocal& operator=(const CoroutineLocal&) = delete;

  // ~CoroutineLocal() leaves existing values alone: each is destroyed when
  // its coroutine ends (or its thread exits).
  ~CoroutineLocal() = default;

  // Get() returns the current coroutine's value (outside coroutines, the
  // thread's), default-constructing it on first use.
  T& Get() const {
    void* const value = local_internal::Find(index_);
    if (ABSL_PREDICT_TRUE(value != nullptr)) return *static_cast<T*>(value);
    return CreateDefault();
  }
  T& operator*() const { return Get(); }
  T* operator->() const { return &Get(); }

  // GetIfPresent() returns the current coroutine's value, or null when it has
  // none yet (it does not construct one).
  T* GetIfPresent() const {
    return static_cast<T*>(local_internal::Find(index_));
  }

  // Emplace() replaces the current coroutine's value with
  // T(std::forward<Args>(args)...), destroying the old one after the new one
  // is in place, and returns the new value.
  template <typename... Args>
  T& Emplace(Args&&... args) const {
    T* const value = new T(std::forward<Args>(args)...);
    local_internal::Replace(index_, value, ops_);
    return *value;
  }

  // Set() replaces the current coroutine's value with `value`.
  T& Set(T value) const requires std::is_move_constructible_v<T> {
    return Emplace(std::move(value));
  }

  // Reset() destroys the current coroutine's value, if any; the next Get()
  // constructs a fresh one.
  void Reset() const { local_internal::Erase(index_); }

  // inherited() is CoroutineLocalOptions::inherited.
  bool inherited() const { return ops_->clone != nullptr; }

 private:
  static const local_internal::ValueOps* PickOps(
      CoroutineLocalOptions options) {
    if (!options.inherited) return &local_internal::kPlainOps<T>;
    if constexpr (std::is_copy_constructible_v<T>) {
      return &local_internal::kInheritedOps<T>;
    } else {
      coroutine_internal::Fatal(
          "CoroutineLocal: an inherited local needs a copy-constructible "
          "type");
    }
  }

  __attribute__((noinline)) T& CreateDefault() const {
    static_assert(std::is_default_constructible_v<T>,
                  "Get() default-constructs the value: give T a default "
                  "constructor, or use GetIfPresent() and Emplace()");
    return *static_cast<T*>(
        local_internal::InstallIfAbsent(index_, new T(), ops_));
  }

  const uint32_t index_;
  const local_internal::ValueOps* const ops_;
};

}  // namespace colony

#endif  // COLONY_LOCAL_COROUTINE_LOCAL_H_
