// Copyright 2026 The Colony Authors.
//
// Config: colonyd's configuration, where every Abseil flag linked into the
// binary is a config key of the same name.
//
// A key gets its value from, lowest to highest precedence:
//   1. the flag's default (ABSL_FLAG's third argument);
//   2. the config file named by `--config=FILE`: one `key value` per line,
//      `#` starts a comment, blank lines are ignored, the value is the rest
//      of the line with surrounding blanks (and one pair of double quotes)
//      removed;
//   3. the environment: `COLONYD_<KEY>` with the key upper-cased
//      (`COLONYD_LOG_LEVEL=debug`);
//   4. the command line: `--key=value`, `--key value`, `--key` and
//      `--nokey` for booleans; dashes in a key read as underscores.
// Every error names the key and where the bad value came from
// ("colonyd.conf:12: workers: ...", "environment COLONYD_WORKERS: ...",
// "command line --workers: ...").
//
// The command line also takes options that are not keys: `--config=FILE`,
// `--check-config` (validate and exit), `--print-config` (print every key,
// its value and the value's source, then exit) and `--help`.
//
// A documented subset of keys is mutable at run time (see
// MarkMutable()): Set() changes one (the admin endpoint's POST /config),
// Reload() re-reads the file (SIGHUP). Both validate every new value first
// and change nothing when one is bad; then they run the observers of the
// keys whose value changed. A key that is not mutable keeps its value; a
// reload that would change it logs that a restart is needed.
//
// Thread-safety: the flags themselves may be read with absl::GetFlag() from
// any thread at any time. Config's methods are thread-safe; observers run
// on the thread that called Set() or Reload(), one change at a time.
//
// Lifetime: one Config per process, alive while anything may call it.
#ifndef COLONY_DAEMON_CONFIG_H_
#define COLONY_DAEMON_CONFIG_H_

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace colony {
namespace daemon {

// Where a key's value came from.
enum class ConfigSource {
  kDefault,
  kFile,
  kEnvironment,
  kCommandLine,
  kRuntime
};

// ConfigSourceName() is "default", "file", "env", "flag" or "runtime".
std::string_view ConfigSourceName(ConfigSource source);

// What the command line asked for besides keys.
struct CommandLine {
  std::string config_file;  // --config
  bool check_config = false;
  bool print_config = false;
  bool help = false;
  std::vector<std::string> positional;  // arguments that are not options
};

// One key as PrintConfig() and ConfigJson() show it.
struct ConfigEntry {
  std::string key;
  std::string value;
  std::string default_value;
  std::string help;
  std::string type;  // "bool", "int", "string", "duration", ...
  ConfigSource source = ConfigSource::kDefault;
  std::string origin;  // "colonyd.conf:12", "COLONYD_WORKERS", "--workers"
  bool mutable_at_runtime = false;
};

class Config {
 public:
  // A validator gets a value that parsed as the flag's type and may still
  // refuse it (a log level name, an address).
  using Validator = std::function<absl::Status(std::string_view value)>;
  // An observer runs after a key changed at run time.
  using Observer = std::function<void(std::string_view key)>;

  // Config() knows every flag registered in the binary; `environment` is
  // a list of "NAME=value" strings (environ), `program` the name used in
  // messages ("colonyd").
  Config(std::string program, std::vector<std::string> environment);

  Config(const Config&) = delete;
  Config& operator=(const Config&) = delete;

  // AddValidator() adds a check for `key`, used by every later Load(),
  // Set() and Reload().
  void AddValidator(std::string_view key, Validator validator);

  // MarkMutable() lets `key` change at run time.
  void MarkMutable(std::string_view key);

  // OnChange() calls `observer` after `key` changed through Set() or
  // Reload().
  void OnChange(std::string_view key, Observer observer);

  // Load() parses `argv` (argv[0] is skipped), reads the config file and
  // the environment, and sets every flag. On error nothing is guaranteed
  // about the flags (the process is expected to exit). Returns what the
  // command line asked for besides keys.
  absl::StatusOr<CommandLine> Load(const std::vector<std::string>& argv);

  // Set() changes a mutable key at run time (source kRuntime). Fails with
  // NotFound for an unknown key, FailedPrecondition for one that is not
  // mutable, InvalidArgument for a bad value; then nothing changed.
  absl::Status Set(std::string_view key, std::string_view value);

  // Reload() re-reads the config file. A bad file (unreadable, a syntax
  // error, an unknown key, a bad value) changes nothing and is returned.
  // Keys set on the command line or in the environment keep those values.
  // Returns the keys that changed.
  absl::StatusOr<std::vector<std::string>> Reload();

  // Entries() lists every key, sorted.
  std::vector<ConfigEntry> Entries() const;

  // PrintConfig() is `--print-config`'s text: "key = value  # source".
  std::string PrintConfig() const;

  // Help() is `--help`'s text: every key with its type, default and help.
  std::string Help() const;

  // ConfigJson() is every key as a JSON object:
  // {"key": {"value": ..., "default": ..., "source": ..., "mutable": ...}}.
  std::string ConfigJson() const;

  // config_file() is the file given with --config ("" for none).
  std::string config_file() const;

 private:
  struct Assignment {
    std::string value;
    ConfigSource source;
    std::string origin;  // for messages
  };

  // ParseFile() reads `path` into key -> assignment, checking syntax and
  // that every key exists.
  absl::StatusOr<std::map<std::string, Assignment>> ParseFile(
      const std::string& path) const;
  // Apply() validates and sets one value; the error names the origin.
  absl::Status Apply(const std::string& key, const Assignment& assignment);
  absl::Status Validate(const std::string& key, std::string_view value) const;
  void Notify(const std::vector<std::string>& keys);

  const std::string program_;
  const std::vector<std::string> environment_;

  // std::mutex rather than absl::Mutex: ThreadSanitizer sees it (the
  // system's Abseil is not instrumented).
  mutable std::mutex mu_;
  std::string config_file_;                                   // guarded by mu_
  std::map<std::string, std::vector<Validator>> validators_;  // guarded by mu_
  std::map<std::string, bool> mutable_;                       // guarded by mu_
  std::map<std::string, std::vector<Observer>> observers_;    // guarded by mu_
  // Where each key's current value came from (absent: the default).
  std::map<std::string, Assignment> sources_;  // guarded by mu_
  // Serializes Set() and Reload() with their observers.
  std::mutex change_mu_;  // taken before mu_
};

// JsonString() quotes and escapes `s` as a JSON string.
std::string JsonString(std::string_view s);

}  // namespace daemon
}  // namespace colony

#endif  // COLONY_DAEMON_CONFIG_H_
