// Copyright 2026 The Colony Authors.

#include "scheduler/dump.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>

#include "absl/debugging/symbolize.h"

namespace colony {
namespace {

// The symbolizer's answers, per call of FormatTaskDump() (stacks repeat).
class SymbolCache {
 public:
  const std::string& Get(uintptr_t pc) {
    auto it = cache_.find(pc);
    if (it == cache_.end()) it = cache_.emplace(pc, SymbolizePc(pc)).first;
    return it->second;
  }

 private:
  std::unordered_map<uintptr_t, std::string> cache_;
};

void AppendFrames(std::string& out, const std::vector<uintptr_t>& pcs,
                  SymbolCache& symbols) {
  for (uintptr_t pc : pcs) {
    char addr[32];
    std::snprintf(addr, sizeof(addr), "    0x%016" PRIxPTR " ", pc);
    out += addr;
    out += symbols.Get(pc);
    out += '\n';
  }
}

std::string Header(const TaskInfo& task) {
  std::string status = TaskStatus(task);
  const std::string waited = FormatWaitDuration(task.wait_ns);
  if (!waited.empty()) status += ", " + waited;
  if (task.cancel_requested) status += ", cancelling";
  char tail[160];
  std::snprintf(tail, sizeof(tail),
                " worker=%d priority=%d parent=%" PRIu64 " scope=0x%" PRIxPTR,
                task.worker, task.priority, task.parent_id, task.scope);
  std::string out = "task " + std::to_string(task.id) + " [" + status +
                    "] name=\"" + task.name + "\"" + tail + "\n";
  return out;
}

}  // namespace

std::string TaskStatus(const TaskInfo& task) {
  if (task.state == CoroutineState::kReady) return "not started";
  if (task.state == CoroutineState::kRunning && !task.runnable) {
    return "running";
  }
  if (task.runnable) return "runnable";
  if (task.state != CoroutineState::kSuspended) {
    std::ostringstream state;
    state << task.state;
    return state.str();
  }
  if (task.io_wait != IoWait::kNone) {
    return std::string("io wait ") +
           (task.io_wait == IoWait::kRead ? "read" : "write") +
           " fd=" + std::to_string(task.io_fd);
  }
  if (!task.wait_reason.empty()) return std::string(task.wait_reason);
  return "parked";
}

std::string FormatWaitDuration(int64_t nanos) {
  const int64_t seconds = nanos / 1'000'000'000;
  if (seconds < 1) return "";
  auto plural = [](int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (seconds < 60) return plural(seconds, "second");
  if (seconds < 3600) return plural(seconds / 60, "minute");
  return plural(seconds / 3600, "hour");
}

std::string SymbolizePc(uintptr_t pc) {
  char name[1024];
  // pc is a return address: the call is the instruction before it.
  if (pc > 0 && absl::Symbolize(reinterpret_cast<const void*>(pc - 1), name,
                                sizeof(name))) {
    return name;
  }
  return "?";
}

std::string FormatTaskDump(const std::vector<TaskInfo>& tasks, bool group) {
  SymbolCache symbols;
  std::string out;
  if (!group) {
    for (const TaskInfo& task : tasks) {
      out += Header(task);
      AppendFrames(out, task.backtrace, symbols);
      out += '\n';
    }
    return out;
  }
  // Status and stack identify a group; std::map keeps the output stable.
  std::map<std::pair<std::string, std::vector<uintptr_t>>,
           std::vector<const TaskInfo*>>
      groups;
  for (const TaskInfo& task : tasks) {
    groups[{TaskStatus(task), task.backtrace}].push_back(&task);
  }
  std::vector<const decltype(groups)::value_type*> order;
  for (const auto& g : groups) order.push_back(&g);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    return a->second.size() > b->second.size();
  });
  constexpr size_t kIdsShown = 8;
  for (const auto* g : order) {
    const std::vector<const TaskInfo*>& members = g->second;
    out += std::to_string(members.size()) +
           (members.size() == 1 ? " task [" : " tasks [") + g->first.first +
           "] ids";
    for (size_t i = 0; i < members.size() && i < kIdsShown; ++i) {
      out += " " + std::to_string(members[i]->id);
    }
    if (members.size() > kIdsShown) out += " ...";
    out += '\n';
    AppendFrames(out, g->first.second, symbols);
    out += '\n';
  }
  return out;
}

}  // namespace colony
