// Copyright 2026 The Colony Authors.

#include "scheduler/internal/task_pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

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
// Blocks per magazine: what moves between a thread and the shared depot
// in one lock.
constexpr uint32_t kMagazineSlots = 254;
// Fresh blocks are carved from slabs of this size.
constexpr size_t kSlabBytes = size_t{1} << 20;

// ClassOf() is the size class of `size` (class c holds (c + 1) * 64 bytes).
inline size_t ClassOf(size_t size) {
  return (size + TaskPool::kGranule - 1) / TaskPool::kGranule - 1;
}

// A magazine: a stack of free blocks of one class, held as pointers, so
// that taking or returning a block never reads the block itself (a free
// list threaded through the blocks makes every allocation wait for a cache
// miss on a block freed long ago).
struct Magazine {
  uint32_t count = 0;
  void* slots[kMagazineSlots];

  bool empty() const { return count == 0; }
  bool full() const { return count == kMagazineSlots; }
};

// The depot: per class, the full (or partly full) magazines given up by
// threads, the empty ones, and the slab fresh blocks are carved from.
class Depot {
 public:
  // TakeFull() gives up `empty` (an empty magazine, or null) and returns a
  // magazine holding at least one block of class `cls`, carving fresh
  // blocks when the depot has none. Null when out of memory.
  Magazine* TakeFull(size_t cls, Magazine* empty) {
    std::lock_guard<std::mutex> lock(mu_);
    Class& c = classes_[cls];
    if (!c.full.empty()) {
      Magazine* m = c.full.back();
      c.full.pop_back();
      if (empty != nullptr) c.empty.push_back(empty);
      return m;
    }
    Magazine* m = empty != nullptr ? empty : NewMagazineLocked(c);
    if (m == nullptr) return nullptr;
    const size_t bytes = (cls + 1) * TaskPool::kGranule;
    uint32_t n = 0;
    for (; n < kMagazineSlots; ++n) {
      if (c.slab_next + bytes > c.slab_end) {
        void* slab = mmap(nullptr, kSlabBytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (slab == MAP_FAILED) break;
        c.slab_next = static_cast<char*>(slab);
        c.slab_end = c.slab_next + kSlabBytes;
      }
      m->slots[n] = c.slab_next;
      c.slab_next += bytes;
    }
    // Reversed, so that the magazine (a stack) hands them out in address
    // order.
    std::reverse(m->slots, m->slots + n);
    m->count = n;
    if (n == 0) {
      c.empty.push_back(m);
      return nullptr;
    }
    return m;
  }
  // TakeEmpty() gives up `full` (a full magazine, or null) and returns an
  // empty magazine. Null when out of memory (`full` is then kept).
  Magazine* TakeEmpty(size_t cls, Magazine* full) {
    std::lock_guard<std::mutex> lock(mu_);
    Class& c = classes_[cls];
    Magazine* m = nullptr;
    if (!c.empty.empty()) {
      m = c.empty.back();
      c.empty.pop_back();
    } else {
      m = NewMagazineLocked(c);
      if (m == nullptr) return nullptr;
    }
    if (full != nullptr) c.full.push_back(full);
    return m;
  }
  // GiveBack() hands a magazine to the depot (a thread exiting).
  void GiveBack(size_t cls, Magazine* m) {
    std::lock_guard<std::mutex> lock(mu_);
    Class& c = classes_[cls];
    (m->empty() ? c.empty : c.full).push_back(m);
  }
  // FreeOne() returns one block straight to the depot (a free on a thread
  // whose magazines are gone).
  void FreeOne(size_t cls, void* block) {
    std::lock_guard<std::mutex> lock(mu_);
    Class& c = classes_[cls];
    if (c.orphans == nullptr) c.orphans = NewMagazineLocked(c);
    if (c.orphans == nullptr) {
      // Out of memory for a magazine: the block leaks, which is the least
      // harm a free can do.
      return;
    }
    c.orphans->slots[c.orphans->count++] = block;
    if (c.orphans->full()) {
      c.full.push_back(c.orphans);
      c.orphans = nullptr;
    }
  }
  // AllocateOne() takes one block for a thread whose magazines are gone.
  void* AllocateOne(size_t cls) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      Class& c = classes_[cls];
      if (c.orphans != nullptr && !c.orphans->empty()) {
        return c.orphans->slots[--c.orphans->count];
      }
    }
    Magazine* m = TakeFull(cls, nullptr);
    if (m == nullptr) return nullptr;
    void* block = m->slots[--m->count];
    GiveBack(cls, m);
    return block;
  }

 private:
  struct Class {
    std::vector<Magazine*> full;
    std::vector<Magazine*> empty;
    Magazine* orphans = nullptr;
    size_t magazines = 0;  // how many exist
    char* slab_next = nullptr;
    char* slab_end = nullptr;
  };

  Magazine* NewMagazineLocked(Class& c) {
    // Reserve room for every magazine of the class in both lists first, so
    // that handing one back later never allocates.
    try {
      c.full.reserve(c.magazines + 1);
      c.empty.reserve(c.magazines + 1);
      Magazine* m = new Magazine;
      ++c.magazines;
      return m;
    } catch (const std::bad_alloc&) {
      return nullptr;
    }
  }

  std::mutex mu_;
  Class classes_[kClasses];
};

Depot& TheDepot() {
  static Depot* const depot = new Depot;  // never destroyed
  return *depot;
}

// A thread's magazines, two per class (Bonwick's "loaded" and "previous":
// a thread that allocates and frees around a magazine boundary swaps them
// instead of going to the depot each time). Trivially constructible, so
// that a thread-local of it needs no guard; the first use registers the
// destructor that hands the magazines back at thread exit.
struct ThreadMagazines {
  Magazine* loaded[kClasses];
  Magazine* previous[kClasses];
  bool registered;
  bool gone;  // destroyed: blocks go to and come from the depot directly
};

thread_local ThreadMagazines tls_magazines;

struct ThreadMagazinesOwner {
  ~ThreadMagazinesOwner() {
    ThreadMagazines& t = tls_magazines;
    for (size_t cls = 0; cls < kClasses; ++cls) {
      for (Magazine** m : {&t.loaded[cls], &t.previous[cls]}) {
        if (*m != nullptr) TheDepot().GiveBack(cls, *m);
        *m = nullptr;
      }
    }
    t.gone = true;
  }
};

ABSL_ATTRIBUTE_NOINLINE void RegisterThread(ThreadMagazines& t) {
  static thread_local ThreadMagazinesOwner owner;
  (void)owner;
  t.registered = true;
}

// RefillSlow() makes t.loaded[cls] non-empty: the previous magazine if it
// has blocks, else a full one from the depot. False when out of memory.
ABSL_ATTRIBUTE_NOINLINE bool RefillSlow(ThreadMagazines& t, size_t cls) {
  if (ABSL_PREDICT_FALSE(!t.registered)) RegisterThread(t);
  Magazine*& loaded = t.loaded[cls];
  Magazine*& previous = t.previous[cls];
  if (previous != nullptr && !previous->empty()) {
    std::swap(loaded, previous);
    return true;
  }
  // Both empty (or missing): keep one empty magazine for frees, give the
  // other up.
  Magazine* give = nullptr;
  if (previous == nullptr) {
    previous = loaded;
  } else {
    give = loaded;
  }
  loaded = TheDepot().TakeFull(cls, give);
  return loaded != nullptr;
}

// SpillSlow() makes t.loaded[cls] non-full: the previous magazine if it
// has room, else an empty one from the depot in exchange for the previous
// (full) one. False when out of memory.
ABSL_ATTRIBUTE_NOINLINE bool SpillSlow(ThreadMagazines& t, size_t cls) {
  if (ABSL_PREDICT_FALSE(!t.registered)) RegisterThread(t);
  Magazine*& loaded = t.loaded[cls];
  Magazine*& previous = t.previous[cls];
  if (previous != nullptr && !previous->full()) {
    std::swap(loaded, previous);
    return true;
  }
  // Both full (or missing): the previous one goes to the depot.
  Magazine* empty = TheDepot().TakeEmpty(cls, previous);
  if (empty == nullptr) return false;
  previous = loaded;  // full, or null on the thread's first free
  loaded = empty;
  return true;
}

}  // namespace

void* TaskPool::Allocate(size_t size) {
  if (!kPooled || size > kMaxPooledSize) {
    return ::operator new (size, std::align_val_t{64});
  }
  const size_t cls = ClassOf(size);
  ThreadMagazines& t = tls_magazines;
  Magazine* m = t.loaded[cls];
  if (ABSL_PREDICT_FALSE(m == nullptr || m->empty())) {
    if (t.gone) {
      void* block = TheDepot().AllocateOne(cls);
      if (block == nullptr) throw std::bad_alloc();
      return block;
    }
    if (!RefillSlow(t, cls)) throw std::bad_alloc();
    m = t.loaded[cls];
  }
  void* block = m->slots[--m->count];
  // The spawn after this one constructs its task in the next block
  // without waiting for memory.
  if (m->count > 0) PrefetchForWrite(m->slots[m->count - 1], size);
  return block;
}

void TaskPool::Free(void* block, size_t size) noexcept {
  if (!kPooled || size > kMaxPooledSize) {
    ::operator delete (block, std::align_val_t{64});
    return;
  }
  const size_t cls = ClassOf(size);
  ThreadMagazines& t = tls_magazines;
  Magazine* m = t.loaded[cls];
  if (ABSL_PREDICT_FALSE(m == nullptr || m->full())) {
    if (t.gone || !SpillSlow(t, cls)) {
      TheDepot().FreeOne(cls, block);
      return;
    }
    m = t.loaded[cls];
  }
  m->slots[m->count++] = block;
}

}  // namespace colony::scheduler_internal
