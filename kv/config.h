// Copyright 2026 The Colony Authors.
//
// KvConfig: the key-value backend's run-time parameters under Redis'
// names, as CONFIG GET and CONFIG SET see them. Each parameter has a kind
// (integer, memory size with units, yes/no, enum, string) that validates
// what CONFIG SET is given, with Redis' error wording. Parameters Redis
// has but this backend does not act on (encoding thresholds such as
// hash-max-listpack-entries) are accepted and reported, since tools set
// them. The values the hot path reads are mirrored into atomics by the
// server (OnChange).
//
// Thread-safety: every method may be called from any task.
#ifndef COLONY_KV_CONFIG_H_
#define COLONY_KV_CONFIG_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/internal/thread_mutex.h"

namespace colony::kv {

class KvConfig {
 public:
  enum class Kind { kInt, kMemory, kBool, kEnum, kString, kFlags, kImmutable };

  KvConfig();

  // Define() adds a parameter with its default (before use).
  void Define(std::string name, Kind kind, std::string value,
              std::vector<std::string> choices = {}, int64_t min = INT64_MIN,
              int64_t max = INT64_MAX);
  // Alias() makes `alias` another name of `name`.
  void Alias(std::string alias, std::string name);
  // OnChange() calls `fn(value)` now and after each successful Set().
  void OnChange(const std::string& name,
                std::function<void(const std::string&)> fn);

  // Get() lists the parameters matching a glob pattern, sorted.
  std::vector<std::pair<std::string, std::string>> Get(
      absl::string_view pattern) const;
  // Value() is one parameter's value ("" if unknown).
  std::string Value(absl::string_view name) const;
  // Set() validates and sets; the error is the text after "ERR ".
  absl::Status Set(absl::string_view name, absl::string_view value);
  // SetAll() sets several (name, value) pairs, all or none, with Redis'
  // errors (unknown option, duplicate parameter, invalid value).
  absl::Status SetAll(
      const std::vector<std::pair<std::string, std::string>>& pairs);
  // Known() is true for a defined name or alias.
  bool Known(absl::string_view name) const;

  // ParseMemory() reads "100mb", "1gb", "4096" (Redis' units).
  static bool ParseMemory(absl::string_view s, int64_t* bytes);

 private:
  struct Param {
    Kind kind;
    std::string value;
    std::vector<std::string> choices;
    int64_t min, max;
    std::vector<std::function<void(const std::string&)>> observers;
  };
  std::string Canonical(absl::string_view name) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable base_internal::ThreadMutex mu_;
  std::map<std::string, Param> params_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> aliases_ ABSL_GUARDED_BY(mu_);
};

}  // namespace colony::kv

#endif  // COLONY_KV_CONFIG_H_
