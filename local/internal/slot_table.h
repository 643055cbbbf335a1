// Copyright 2026 The Colony Authors.
//
// The slot table behind CoroutineLocal: one per coroutine that has touched
// a local (hung off BasicCoroutine's opaque `locals_`), and one per plain
// thread. A CoroutineLocal is given a slot index when it is constructed; the
// table is a vector indexed by it, each slot holding a pointer to a
// heap-allocated value and the functions that destroy or copy it. Not part
// of the public API: see local/coroutine_local.h and docs/local.md.
//
// Thread-safety: a table belongs to its coroutine (or thread) and is read and
// written only by code running in it, except that InheritLocals() reads a
// parent's table from the parent's own thread or while the parent is
// suspended, and a coroutine's table is destroyed on the thread that
// finishes or deletes it; the hand-off of the coroutine orders all of
// these. AllocateSlot() may be called from any thread.

#ifndef COLONY_LOCAL_INTERNAL_SLOT_TABLE_H_
#define COLONY_LOCAL_INTERNAL_SLOT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/access.h"

namespace colony::local_internal {

// How to destroy and copy the values of one CoroutineLocal<T>. `clone` is
// null for a local that is not inherited.
struct ValueOps {
  void (*destroy)(void* value) noexcept;
  void* (*clone)(const void* value);
};

template <typename T>
void DestroyValue(void* value) noexcept {
  delete static_cast<T*>(value);
}

template <typename T>
void* CloneValue(const void* value) {
  return new T(*static_cast<const T*>(value));
}

template <typename T>
inline constexpr ValueOps kPlainOps = {&DestroyValue<T>, nullptr};

// Instantiate only for copy-constructible T.
template <typename T>
inline constexpr ValueOps kInheritedOps = {&DestroyValue<T>, &CloneValue<T>};

struct Slot {
  void* value = nullptr;  // owned; null when the local has no value here
  const ValueOps* ops = nullptr;
};

struct LocalTable {
  // Indexed by slot index; grows, never shrinks, so a slot's address may
  // change but the value it points to never moves.
  std::vector<Slot> slots;
  // How many slots hold a value.
  size_t live = 0;
};

// The largest number of CoroutineLocals a process may construct; their slot
// indices are never reused.
inline constexpr uint32_t kMaxSlots = uint32_t{1} << 24;

// AllocateSlot() returns a fresh slot index. Aborts past kMaxSlots.
uint32_t AllocateSlot();

// LiveCoroutineTables() counts the coroutines whose locals table exists:
// zero again once every coroutine that had a local value has ended (tests
// check that nothing leaked).
size_t LiveCoroutineTables();

// ThreadTableOrNull() is the calling plain thread's table, or null if it has
// none yet. Out of line, so its thread-local address is never reused after a
// switch.
LocalTable* ThreadTableOrNull();

// CurrentTableOrNull() is the running coroutine's table, or the thread's
// outside coroutines; null when there is none yet.
inline LocalTable* CurrentTableOrNull() {
  BasicCoroutine* const current = CurrentCoroutine();
  if (current != nullptr) {
    return static_cast<LocalTable*>(
        coroutine_internal::Access::Locals(current));
  }
  return ThreadTableOrNull();
}

// Find() returns the current coroutine's (or thread's) value in slot
// `index`, or null when it has none. Never allocates.
inline void* Find(uint32_t index) {
  const LocalTable* const table = CurrentTableOrNull();
  if (table == nullptr || index >= table->slots.size()) return nullptr;
  return table->slots[index].value;
}

// InstallIfAbsent() stores `value` (owned, destroyed with `ops`) in slot
// `index` of the current table, creating the table if needed, and returns
// it. If the slot was filled meanwhile (the value's constructor used its
// own local), keeps the existing value, destroys `value` and returns the
// existing one. On an exception (out of memory), `value` is destroyed.
void* InstallIfAbsent(uint32_t index, void* value, const ValueOps* ops);

// Replace() stores `value` in slot `index` of the current table and then
// destroys the value it replaced, if any.
void Replace(uint32_t index, void* value, const ValueOps* ops);

// Erase() empties slot `index` of the current table and then destroys the
// value it held, if any.
void Erase(uint32_t index);

// LocalsSnapshot: copies of a coroutine's inherited values, taken at one
// moment and given later to other coroutines, the way a spawn gives them to
// a child. Work done on behalf of someone (an Effect's runs, on behalf of
// the code that created the Effect) gets its values from a snapshot of
// that someone instead of from whoever happened to spawn it. Immutable
// once taken; may be installed from any number of threads at once.
class LocalsSnapshot {
 public:
  LocalsSnapshot() = default;
  LocalsSnapshot(const LocalsSnapshot&) = delete;
  LocalsSnapshot& operator=(const LocalsSnapshot&) = delete;
  // Destroys the copies, on whichever thread drops the snapshot.
  ~LocalsSnapshot();

 private:
  friend std::unique_ptr<const LocalsSnapshot> SnapshotInheritedLocals();
  friend void InstallSnapshot(const LocalsSnapshot& snapshot);
  LocalTable table_;
};

// SnapshotInheritedLocals() copies the inherited values of the calling
// coroutine; null when it has none, and outside coroutines (a plain thread
// passes nothing on). The copy constructors may throw.
std::unique_ptr<const LocalsSnapshot> SnapshotInheritedLocals();

// InstallSnapshot() gives the calling coroutine a copy of each value of
// `snapshot` in the slots it has no value in. The copy constructors may
// throw; the values copied before stay.
void InstallSnapshot(const LocalsSnapshot& snapshot);

}  // namespace colony::local_internal

#endif  // COLONY_LOCAL_INTERNAL_SLOT_TABLE_H_
