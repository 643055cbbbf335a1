// Copyright 2026 The Colony Authors.

#include "scheduler/internal/task_pool.h"

#include <sys/mman.h>

#include <cstdint>
#include <mutex>
#include <new>

#include "absl/base/attributes.h"
#include "absl/base/config.h"
#include "absl/base/optimization.h"

namespace colony::scheduler_internal {
namespace {

#if defined(ABSL_HAVE_ADDRESS_SANITIZER) || defined(ABSL_HAVE_THREAD_SANITIZER)
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif

constexpr size_t kClasses = TaskPool::kMaxPooledSize / TaskPool::kGranule;
// Blocks moved between a thread's list and the shared one at a time.
constexpr uint32_t kBatch = 256;
// A thread's list holds at most this many blocks of one class.
constexpr uint32_t kThreadCacheMax = 4 * kBatch;
// Fresh blocks are carved from slabs of this size.
constexpr size_t kSlabBytes = size_t{1} << 20;

struct FreeBlock {
  FreeBlock* next;
};

// ClassOf() is the size class of `size` (class c holds (c + 1) * 64 bytes).
inline size_t ClassOf(size_t size) {
  return (size + TaskPool::kGranule - 1) / TaskPool::kGranule - 1;
}

// A list of free blocks with its length.
struct FreeList {
  FreeBlock* head = nullptr;
  uint32_t count = 0;

  void Push(FreeBlock* b) {
    b->next = head;
    head = b;
    ++count;
  }
  FreeBlock* Pop() {
    FreeBlock* b = head;
    head = b->next;
    --count;
    return b;
  }
};

// The shared lists, one per class, each with its slab to carve from.
class Shared {
 public:
  // Refill() moves up to kBatch blocks of class `cls` into `into`, carving
  // fresh ones when the shared list runs dry. False when out of memory.
  bool Refill(size_t cls, FreeList* into) {
    std::lock_guard<std::mutex> lock(mu_);
    Class& c = classes_[cls];
    while (into->count < kBatch && c.free.head != nullptr) {
      into->Push(c.free.Pop());
    }
    if (into->count > 0) return true;
    const size_t bytes = (cls + 1) * TaskPool::kGranule;
    for (uint32_t i = 0; i < kBatch; ++i) {
      if (c.slab_next + bytes > c.slab_end) {
        void* slab = mmap(nullptr, kSlabBytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (slab == MAP_FAILED) break;
        c.slab_next = static_cast<char*>(slab);
        c.slab_end = c.slab_next + kSlabBytes;
      }
      into->Push(reinterpret_cast<FreeBlock*>(c.slab_next));
      c.slab_next += bytes;
    }
    return into->count > 0;
  }
  // Spill() moves `n` blocks of `from` (n <= from->count) to the shared
  // list of class `cls`.
  void Spill(size_t cls, FreeList* from, uint32_t n) {
    // Unlink them first, off the lock.
    FreeBlock* first = from->head;
    FreeBlock* last = first;
    for (uint32_t i = 1; i < n; ++i) last = last->next;
    from->head = last->next;
    from->count -= n;
    std::lock_guard<std::mutex> lock(mu_);
    Class& c = classes_[cls];
    last->next = c.free.head;
    c.free.head = first;
    c.free.count += n;
  }

 private:
  struct Class {
    FreeList free;
    char* slab_next = nullptr;
    char* slab_end = nullptr;
  };
  std::mutex mu_;
  Class classes_[kClasses];
};

Shared& TheShared() {
  static Shared* const shared = new Shared;  // never destroyed
  return *shared;
}

// A thread's lists. Trivially constructible, so that a thread-local of it
// needs no guard; the first use registers the destructor that hands the
// blocks back at thread exit.
struct ThreadLists {
  FreeList lists[kClasses];
  bool registered = false;
  bool gone = false;  // destroyed: frees go to the shared lists directly
};

thread_local ThreadLists tls_lists;

struct ThreadListsOwner {
  ~ThreadListsOwner() {
    ThreadLists& t = tls_lists;
    for (size_t cls = 0; cls < kClasses; ++cls) {
      if (t.lists[cls].count > 0) {
        TheShared().Spill(cls, &t.lists[cls], t.lists[cls].count);
      }
    }
    t.gone = true;
  }
};

ABSL_ATTRIBUTE_NOINLINE void RegisterThread(ThreadLists& t) {
  static thread_local ThreadListsOwner owner;
  (void)owner;
  t.registered = true;
}

}  // namespace

void* TaskPool::Allocate(size_t size) {
  if (!kPooled || size > kMaxPooledSize) {
    return ::operator new (size, std::align_val_t{64});
  }
  const size_t cls = ClassOf(size);
  ThreadLists& t = tls_lists;
  if (ABSL_PREDICT_FALSE(!t.registered)) RegisterThread(t);
  FreeList& list = t.lists[cls];
  if (ABSL_PREDICT_FALSE(list.count == 0)) {
    if (t.gone) {
      FreeList one;
      if (!TheShared().Refill(cls, &one)) throw std::bad_alloc();
      void* block = one.Pop();
      if (one.count > 0) TheShared().Spill(cls, &one, one.count);
      return block;
    }
    if (!TheShared().Refill(cls, &list)) throw std::bad_alloc();
  }
  return list.Pop();
}

void TaskPool::Free(void* block, size_t size) noexcept {
  if (!kPooled || size > kMaxPooledSize) {
    ::operator delete (block, std::align_val_t{64});
    return;
  }
  const size_t cls = ClassOf(size);
  ThreadLists& t = tls_lists;
  FreeBlock* b = static_cast<FreeBlock*>(block);
  if (ABSL_PREDICT_FALSE(t.gone)) {
    FreeList one;
    one.Push(b);
    TheShared().Spill(cls, &one, 1);
    return;
  }
  if (ABSL_PREDICT_FALSE(!t.registered)) RegisterThread(t);
  FreeList& list = t.lists[cls];
  list.Push(b);
  if (ABSL_PREDICT_FALSE(list.count > kThreadCacheMax)) {
    TheShared().Spill(cls, &list, kThreadCacheMax / 2);
  }
}

}  // namespace colony::scheduler_internal
