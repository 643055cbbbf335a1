// Copyright 2026 The Colony Authors.

#include "local/internal/slot_table.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/access.h"
#include "coroutine/internal/locals_hooks.h"
#include "coroutine/internal/thread_state.h"

namespace colony::local_internal {
namespace {

using coroutine_internal::Access;

// Slot indices handed out so far. Relaxed: an index is only a number; the
// CoroutineLocal that holds it is published to other threads by whatever
// publishes the CoroutineLocal itself.
std::atomic<uint32_t> slot_count{0};
// Tables attached to coroutines and not yet destroyed (LiveCoroutineTables()):
// a statistic, relaxed.
std::atomic<size_t> coroutine_tables{0};

// Values whose destructors create values again are destroyed in up to this
// many rounds (POSIX's PTHREAD_DESTRUCTOR_ITERATIONS is 4 as well).
constexpr int kDestructorRounds = 4;

// The plain thread's table. Trivially destructible, so it can be read during
// thread exit; the table is destroyed by the pthread key below, whose
// destructor runs after the thread's C++ thread_local destructors (which may
// still use locals).
constinit thread_local LocalTable* thread_table = nullptr;

// DestroyValues() destroys the values of `table`, which belongs to `owner`
// (null for a thread's table).
void DestroyValues(LocalTable* table, const BasicCoroutine* owner) {
  for (int round = 0; table->live > 0; ++round) {
    if (round == kDestructorRounds) {
      coroutine_internal::Fatal(
          "the destructors of the coroutine-local values of %s%s%s kept "
          "creating new values for %d rounds",
          owner != nullptr ? "coroutine '" : "an exiting thread",
          owner != nullptr ? owner->name().c_str() : "",
          owner != nullptr ? "'" : "", kDestructorRounds);
    }
    // Newest slots first. A destructor may use other locals, so re-read the
    // vector (it may grow) and take each value out before destroying it.
    for (size_t i = table->slots.size(); i-- > 0;) {
      if (table->slots[i].value == nullptr) continue;
      const Slot taken = std::exchange(table->slots[i], Slot{});
      --table->live;
      taken.ops->destroy(taken.value);
    }
  }
}

void DestroyThreadTable(void* table) {
  // thread_table still points at `table`, so destructors that use locals
  // find it; one that creates a value again is destroyed in the next round.
  DestroyValues(static_cast<LocalTable*>(table), nullptr);
  thread_table = nullptr;
  delete static_cast<LocalTable*>(table);
}

pthread_key_t ThreadTableKey() {
  static const pthread_key_t key = [] {
    pthread_key_t k;
    if (pthread_key_create(&k, &DestroyThreadTable) != 0) {
      coroutine_internal::Fatal("pthread_key_create failed");
    }
    return k;
  }();
  return key;
}

void DestroyCoroutineLocals(BasicCoroutine* coroutine) {
  auto* const table = static_cast<LocalTable*>(Access::Locals(coroutine));
  // The table stays attached while destructors run, so on the coroutine's
  // own stack a destructor may still use its locals.
  DestroyValues(table, coroutine);
  Access::SetLocals(coroutine, nullptr);
  delete table;
  coroutine_tables.fetch_sub(1, std::memory_order_relaxed);
}

void EnsureSize(LocalTable* table, uint32_t index) {
  const size_t size = table->slots.size();
  if (index < size) return;
  // Doubling, but not past the number of locals that exist.
  const size_t grown =
      std::min<size_t>(std::max<size_t>(2 * size, 8),
                       slot_count.load(std::memory_order_relaxed));
  table->slots.resize(std::max<size_t>(index + 1, grown));
}

void InheritCoroutineLocals(const BasicCoroutine* parent,
                            BasicCoroutine* child) {
  const auto* const from =
      static_cast<const LocalTable*>(Access::Locals(parent));
  auto* to = static_cast<LocalTable*>(Access::Locals(child));
  // Index again on every iteration: a copy constructor may use locals of
  // the parent (when it is the running coroutine) and grow its table.
  for (size_t i = 0; i < from->slots.size(); ++i) {
    const Slot slot = from->slots[i];
    if (slot.value == nullptr || slot.ops->clone == nullptr) continue;
    if (to == nullptr) {
      to = new LocalTable;
      Access::SetLocals(child, to);
      coroutine_tables.fetch_add(1, std::memory_order_relaxed);
    }
    EnsureSize(to, static_cast<uint32_t>(i));
    if (to->slots[i].value != nullptr) continue;  // the child's own wins
    void* const copy = slot.ops->clone(slot.value);
    to->slots[i] = Slot{copy, slot.ops};
    ++to->live;
  }
}

constexpr coroutine_internal::LocalsHooks kHooks = {
    &DestroyCoroutineLocals,
    &InheritCoroutineLocals,
};

// Registered before main() when this file is linked in, and again (a
// no-op) whenever a coroutine gets its first local, so no coroutine can
// have locals without the hooks, whatever the static initialisation order.
[[maybe_unused]] const bool hooks_registered =
    (coroutine_internal::SetLocalsHooks(&kHooks), true);

// CurrentTable() is the current coroutine's (or thread's) table, created if
// needed.
LocalTable& CurrentTable() {
  BasicCoroutine* const current = CurrentCoroutine();
  if (current != nullptr) {
    void* const locals = Access::Locals(current);
    if (locals != nullptr) return *static_cast<LocalTable*>(locals);
    coroutine_internal::SetLocalsHooks(&kHooks);
    auto* const table = new LocalTable;
    Access::SetLocals(current, table);
    coroutine_tables.fetch_add(1, std::memory_order_relaxed);
    return *table;
  }
  if (thread_table != nullptr) return *thread_table;
  const pthread_key_t key = ThreadTableKey();
  auto* const table = new LocalTable;
  thread_table = table;
  pthread_setspecific(key, table);
  return *table;
}

}  // namespace

size_t LiveCoroutineTables() {
  return coroutine_tables.load(std::memory_order_relaxed);
}

uint32_t AllocateSlot() {
  const uint32_t index = slot_count.fetch_add(1, std::memory_order_relaxed);
  if (index >= kMaxSlots) {
    coroutine_internal::Fatal(
        "more than %u CoroutineLocals constructed; their slots are never "
        "reused, so give them static storage duration",
        static_cast<unsigned>(kMaxSlots));
  }
  return index;
}

__attribute__((noinline)) LocalTable* ThreadTableOrNull() {
  // See CurrentCoroutine(): never reuse a thread-local address across calls.
  asm volatile("" ::: "memory");
  return thread_table;
}

void* InstallIfAbsent(uint32_t index, void* value, const ValueOps* ops) {
  LocalTable* table;
  try {
    table = &CurrentTable();
    EnsureSize(table, index);
  } catch (...) {
    ops->destroy(value);
    throw;
  }
  void* const existing = table->slots[index].value;
  if (existing != nullptr) {
    ops->destroy(value);
    return existing;
  }
  table->slots[index] = Slot{value, ops};
  ++table->live;
  return value;
}

void Replace(uint32_t index, void* value, const ValueOps* ops) {
  LocalTable* table;
  try {
    table = &CurrentTable();
    EnsureSize(table, index);
  } catch (...) {
    ops->destroy(value);
    throw;
  }
  const Slot old = std::exchange(table->slots[index], Slot{value, ops});
  if (old.value == nullptr) {
    ++table->live;
  } else {
    old.ops->destroy(old.value);
  }
}

void Erase(uint32_t index) {
  LocalTable* const table = CurrentTableOrNull();
  if (table == nullptr || index >= table->slots.size()) return;
  const Slot old = std::exchange(table->slots[index], Slot{});
  if (old.value == nullptr) return;
  --table->live;
  old.ops->destroy(old.value);
}

LocalsSnapshot::~LocalsSnapshot() { DestroyValues(&table_, nullptr); }

std::unique_ptr<const LocalsSnapshot> SnapshotInheritedLocals() {
  BasicCoroutine* const current = CurrentCoroutine();
  if (current == nullptr || Access::Locals(current) == nullptr) return nullptr;
  auto snapshot = std::make_unique<LocalsSnapshot>();
  LocalTable& to = snapshot->table_;
  const auto* const from =
      static_cast<const LocalTable*>(Access::Locals(current));
  // Index again on every iteration: a copy constructor may use locals of
  // this coroutine and grow its table.
  for (size_t i = 0; i < from->slots.size(); ++i) {
    const Slot slot = from->slots[i];
    if (slot.value == nullptr || slot.ops->clone == nullptr) continue;
    EnsureSize(&to, static_cast<uint32_t>(i));
    to.slots[i] = Slot{slot.ops->clone(slot.value), slot.ops};
    ++to.live;
  }
  if (to.live == 0) return nullptr;
  return snapshot;
}

void InstallSnapshot(const LocalsSnapshot& snapshot) {
  const LocalTable& from = snapshot.table_;
  for (size_t i = 0; i < from.slots.size(); ++i) {
    const Slot slot = from.slots[i];
    if (slot.value == nullptr) continue;
    // Looked up again each time: a copy constructor may use locals.
    LocalTable& to = CurrentTable();
    EnsureSize(&to, static_cast<uint32_t>(i));
    if (to.slots[i].value != nullptr) continue;  // the coroutine's own wins
    InstallIfAbsent(static_cast<uint32_t>(i), slot.ops->clone(slot.value),
                    slot.ops);
  }
}

}  // namespace colony::local_internal
