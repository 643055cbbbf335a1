// Copyright 2026 The Colony Authors.

#include "daemon/config.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <optional>
#include <utility>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "spdlog/spdlog.h"

namespace colony {
namespace daemon {
namespace {

// Options that are not keys.
constexpr std::string_view kConfigOption = "config";
constexpr std::string_view kCheckOption = "check_config";
constexpr std::string_view kPrintOption = "print_config";
constexpr std::string_view kHelpOption = "help";

// Longest config file accepted, and longest line.
constexpr size_t kMaxFileBytes = 1 << 20;
constexpr size_t kMaxLineBytes = 64 * 1024;

std::string TypeName(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<bool>()) return "bool";
  if (flag.IsOfType<int32_t>()) return "int";
  if (flag.IsOfType<int64_t>()) return "int64";
  if (flag.IsOfType<uint64_t>()) return "uint64";
  if (flag.IsOfType<uint32_t>()) return "uint32";
  if (flag.IsOfType<double>()) return "double";
  if (flag.IsOfType<std::string>()) return "string";
  if (flag.IsOfType<absl::Duration>()) return "duration";
  if (flag.IsOfType<std::vector<std::string>>()) return "list";
  return "value";
}

absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

std::string NormalizeKey(std::string_view key) {
  return absl::StrReplaceAll(A(key), {{"-", "_"}});
}

std::string EnvName(std::string_view key) {
  return absl::StrCat("COLONYD_", absl::AsciiStrToUpper(A(key)));
}

std::string Unquote(absl::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value.remove_prefix(1);
    value.remove_suffix(1);
  }
  return std::string(value);
}

std::vector<std::string> SortedKeys() {
  std::vector<std::string> keys;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!flag->IsRetired()) keys.emplace_back(name);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

std::string_view ConfigSourceName(ConfigSource source) {
  switch (source) {
    case ConfigSource::kDefault:
      return "default";
    case ConfigSource::kFile:
      return "file";
    case ConfigSource::kEnvironment:
      return "env";
    case ConfigSource::kCommandLine:
      return "flag";
    case ConfigSource::kRuntime:
      return "runtime";
  }
  return "?";
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

Config::Config(std::string program, std::vector<std::string> environment)
    : program_(std::move(program)), environment_(std::move(environment)) {}

void Config::AddValidator(std::string_view key, Validator validator) {
  std::lock_guard<std::mutex> lock(mu_);
  validators_[std::string(key)].push_back(std::move(validator));
}

void Config::MarkMutable(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  mutable_[std::string(key)] = true;
}

void Config::OnChange(std::string_view key, Observer observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_[std::string(key)].push_back(std::move(observer));
}

std::string Config::config_file() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_file_;
}

absl::Status Config::Validate(const std::string& key,
                              std::string_view value) const {
  auto it = validators_.find(key);
  if (it == validators_.end()) return absl::OkStatus();
  for (const Validator& v : it->second) {
    absl::Status s = v(value);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Config::Apply(const std::string& key,
                           const Assignment& assignment) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(key);
  if (flag == nullptr || flag->IsRetired()) {
    return absl::InvalidArgumentError(
        absl::StrCat(assignment.origin, ": unknown key '", key, "'"));
  }
  std::string error;
  const std::string old = flag->CurrentValue();
  if (!flag->ParseFrom(assignment.value, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat(assignment.origin, ": ", key, ": bad value '",
                     assignment.value, "': ", error));
  }
  absl::Status valid = Validate(key, flag->CurrentValue());
  if (!valid.ok()) {
    flag->ParseFrom(old, &error);
    return absl::InvalidArgumentError(
        absl::StrCat(assignment.origin, ": ", key, ": bad value '",
                     assignment.value, "': ", valid.message()));
  }
  sources_[key] = assignment;
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, Config::Assignment>> Config::ParseFile(
    const std::string& path) const {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("config file ", path, ": cannot open"));
  }
  std::map<std::string, Assignment> out;
  std::string line;
  size_t total = 0;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    total += line.size() + 1;
    const std::string where = absl::StrCat(path, ":", number);
    if (total > kMaxFileBytes || line.size() > kMaxLineBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": file too large (limit ", kMaxFileBytes,
                       " bytes, ", kMaxLineBytes, " per line)"));
    }
    absl::string_view text = line;
    // A '#' starts a comment unless inside double quotes.
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '"') quoted = !quoted;
      if (text[i] == '#' && !quoted) {
        text = text.substr(0, i);
        break;
      }
    }
    text = absl::StripAsciiWhitespace(text);
    if (text.empty()) continue;
    size_t space = text.find_first_of(" \t=");
    if (space == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": expected 'key value', got '", text, "' (no value)"));
    }
    std::string key = NormalizeKey(std::string_view(text.data(), space));
    absl::string_view value = text.substr(space + 1);
    value = absl::StripAsciiWhitespace(value);
    if (absl::ConsumePrefix(&value, "=")) {
      value = absl::StripAsciiWhitespace(value);
    }
    if (key == kConfigOption || key == kCheckOption || key == kPrintOption ||
        key == kHelpOption) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": '", key, "' is a command-line option, not a key"));
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(key);
    if (flag == nullptr || flag->IsRetired()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": unknown key '", key, "'"));
    }
    if (out.count(key)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": key '", key,
                                                     "' set twice (first at ",
                                                     out[key].origin, ")"));
    }
    out[key] = Assignment{Unquote(value), ConfigSource::kFile, where};
  }
  return out;
}

absl::StatusOr<CommandLine> Config::Load(const std::vector<std::string>& argv) {
  CommandLine cl;
  std::vector<std::pair<std::string, Assignment>> flags;
  for (size_t i = 1; i < argv.size(); ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      for (++i; i < argv.size(); ++i) cl.positional.push_back(argv[i]);
      break;
    }
    if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-")) {
      cl.positional.emplace_back(argv[i]);
      continue;
    }
    std::string key;
    std::optional<std::string> value;
    size_t eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      key = NormalizeKey(std::string_view(arg.data(), eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      key = NormalizeKey(std::string_view(arg.data(), arg.size()));
    }
    const std::string origin = absl::StrCat("command line --", key);
    if (key == kHelpOption || key == "h") {
      cl.help = true;
      continue;
    }
    if (key == kCheckOption || key == kPrintOption) {
      if (value.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(origin, ": takes no value"));
      }
      (key == kCheckOption ? cl.check_config : cl.print_config) = true;
      continue;
    }
    absl::CommandLineFlag* flag = nullptr;
    if (key != kConfigOption) {
      flag = absl::FindCommandLineFlag(key);
      if (flag == nullptr && absl::StartsWith(key, "no") && !value) {
        absl::CommandLineFlag* negated =
            absl::FindCommandLineFlag(key.substr(2));
        if (negated != nullptr && negated->IsOfType<bool>()) {
          flags.push_back(
              {key.substr(2), {"false", ConfigSource::kCommandLine, origin}});
          continue;
        }
      }
      if (flag == nullptr || flag->IsRetired()) {
        return absl::InvalidArgumentError(
            absl::StrCat(origin, ": unknown key '", key, "' (see --help)"));
      }
    }
    if (!value.has_value()) {
      if (flag != nullptr && flag->IsOfType<bool>()) {
        value = "true";
      } else if (i + 1 < argv.size()) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(origin, ": missing value"));
      }
    }
    if (key == kConfigOption) {
      cl.config_file = *value;
      continue;
    }
    flags.push_back({key, {*value, ConfigSource::kCommandLine, origin}});
  }
  if (cl.help) return cl;

  std::lock_guard<std::mutex> lock(mu_);
  config_file_ = cl.config_file;
  if (!config_file_.empty()) {
    auto file = ParseFile(config_file_);
    if (!file.ok()) return file.status();
    for (const auto& [key, a] : *file) {
      absl::Status s = Apply(key, a);
      if (!s.ok()) return s;
    }
  }
  // The environment: COLONYD_<KEY> for every key.
  std::map<std::string, std::string> env;
  for (const std::string& e : environment_) {
    size_t eq = e.find('=');
    if (eq != std::string::npos && absl::StartsWith(e, "COLONYD_")) {
      env[e.substr(0, eq)] = e.substr(eq + 1);
    }
  }
  for (const std::string& key : SortedKeys()) {
    auto it = env.find(EnvName(key));
    if (it == env.end()) continue;
    absl::Status s = Apply(key, {it->second, ConfigSource::kEnvironment,
                                 absl::StrCat("environment ", it->first)});
    if (!s.ok()) return s;
  }
  for (const auto& [key, a] : flags) {
    absl::Status s = Apply(key, a);
    if (!s.ok()) return s;
  }
  // Defaults must pass the validators too (a bad default is a bug, but it
  // should read as one).
  for (const std::string& key : SortedKeys()) {
    if (sources_.count(key)) continue;
    absl::Status s =
        Validate(key, absl::FindCommandLineFlag(key)->CurrentValue());
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("default of ", key, ": ", s.message()));
    }
  }
  return cl;
}

absl::Status Config::Set(std::string_view key_view, std::string_view value) {
  std::lock_guard<std::mutex> change(change_mu_);
  const std::string key = NormalizeKey(key_view);
  {
    std::lock_guard<std::mutex> lock(mu_);
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(key);
    if (flag == nullptr || flag->IsRetired()) {
      return absl::NotFoundError(absl::StrCat("unknown key '", key, "'"));
    }
    if (!mutable_.count(key)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "key '", key, "' cannot change at run time (restart needed)"));
    }
    const std::string old = flag->CurrentValue();
    absl::Status s =
        Apply(key, {std::string(value), ConfigSource::kRuntime, "runtime set"});
    if (!s.ok()) return s;
    if (flag->CurrentValue() == old) return absl::OkStatus();
  }
  spdlog::info("config: {} set to '{}' at run time", key, value);
  Notify({key});
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Config::Reload() {
  std::lock_guard<std::mutex> change(change_mu_);
  std::vector<std::string> changed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (config_file_.empty()) {
      return absl::FailedPreconditionError("no config file (--config)");
    }
    auto file = ParseFile(config_file_);
    if (!file.ok()) return file.status();
    // What each key should be now: the file's value unless the environment
    // or the command line set it; the default for a key that left the file.
    std::map<std::string, Assignment> wanted;
    for (const std::string& key : SortedKeys()) {
      auto src = sources_.find(key);
      if (src != sources_.end() &&
          (src->second.source == ConfigSource::kEnvironment ||
           src->second.source == ConfigSource::kCommandLine)) {
        continue;
      }
      auto in_file = file->find(key);
      if (in_file != file->end()) {
        wanted[key] = in_file->second;
      } else if (src != sources_.end() &&
                 src->second.source == ConfigSource::kFile) {
        wanted[key] = Assignment{absl::FindCommandLineFlag(key)->DefaultValue(),
                                 ConfigSource::kDefault,
                                 absl::StrCat(config_file_, " (removed)")};
      }
    }
    // Validate everything before changing anything: parse each value into
    // its flag and put the old value back.
    std::vector<std::string> restart_needed;
    std::map<std::string, Assignment> to_apply;
    for (const auto& [key, a] : wanted) {
      absl::CommandLineFlag* flag = absl::FindCommandLineFlag(key);
      const std::string old = flag->CurrentValue();
      std::string error;
      if (!flag->ParseFrom(a.value, &error)) {
        return absl::InvalidArgumentError(absl::StrCat(
            a.origin, ": ", key, ": bad value '", a.value, "': ", error));
      }
      const std::string parsed = flag->CurrentValue();
      absl::Status valid = Validate(key, parsed);
      flag->ParseFrom(old, &error);
      if (!valid.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(a.origin, ": ", key,
                                                       ": bad value '", a.value,
                                                       "': ", valid.message()));
      }
      if (parsed == old) {
        // Same value; keep the record of where it came from current.
        if (a.source == ConfigSource::kDefault) {
          sources_.erase(key);
        } else {
          sources_[key] = a;
        }
        continue;
      }
      if (!mutable_.count(key)) {
        restart_needed.push_back(key);
        continue;
      }
      to_apply[key] = a;
    }
    for (const auto& [key, a] : to_apply) {
      absl::Status s = Apply(key, a);
      if (!s.ok()) return s;  // validated above; cannot happen
      if (a.source == ConfigSource::kDefault) sources_.erase(key);
      changed.push_back(key);
    }
    for (const std::string& key : restart_needed) {
      spdlog::warn(
          "config: {} changed in {} but cannot change at run time; "
          "restart to apply it",
          key, config_file_);
    }
  }
  Notify(changed);
  return changed;
}

void Config::Notify(const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    std::vector<Observer> observers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = observers_.find(key);
      if (it != observers_.end()) observers = it->second;
    }
    for (const Observer& o : observers) o(key);
  }
}

std::vector<ConfigEntry> Config::Entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ConfigEntry> out;
  for (const std::string& key : SortedKeys()) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(key);
    ConfigEntry e;
    e.key = key;
    e.value = flag->CurrentValue();
    e.default_value = flag->DefaultValue();
    e.help = flag->Help();
    e.type = TypeName(*flag);
    auto src = sources_.find(key);
    if (src != sources_.end()) {
      e.source = src->second.source;
      e.origin = src->second.origin;
    }
    e.mutable_at_runtime = mutable_.count(key) > 0;
    out.push_back(std::move(e));
  }
  return out;
}

std::string Config::PrintConfig() const {
  std::string out;
  for (const ConfigEntry& e : Entries()) {
    std::string value = e.value.empty() ? "\"\"" : e.value;
    absl::StrAppend(&out, e.key, " ", value, "  # ",
                    A(ConfigSourceName(e.source)));
    if (!e.origin.empty()) absl::StrAppend(&out, " (", e.origin, ")");
    if (e.mutable_at_runtime) absl::StrAppend(&out, ", mutable");
    out += "\n";
  }
  return out;
}

std::string Config::Help() const {
  std::string out = absl::StrCat(
      "Usage: ", program_,
      " [--config=FILE] [--check-config] [--print-config] [--KEY=VALUE]...\n\n"
      "Every key below is a flag (--key=value), a line of the config file\n"
      "('key value'), and an environment variable (COLONYD_KEY); the\n"
      "command line overrides the environment, which overrides the file.\n"
      "Keys marked 'mutable' change at run time (SIGHUP re-reads the file;\n"
      "POST /config on the admin port).\n\n");
  for (const ConfigEntry& e : Entries()) {
    std::string def = e.default_value.empty() ? "\"\"" : e.default_value;
    absl::StrAppend(&out, "  --", e.key, " (", e.type, ", default ", def,
                    e.mutable_at_runtime ? ", mutable" : "", ")\n      ",
                    e.help, "\n");
  }
  return out;
}

std::string Config::ConfigJson() const {
  std::string out = "{";
  bool first = true;
  for (const ConfigEntry& e : Entries()) {
    if (!first) out += ",";
    first = false;
    absl::StrAppend(
        &out, "\n  ", JsonString(e.key), ": {\"value\": ", JsonString(e.value),
        ", \"default\": ", JsonString(e.default_value),
        ", \"type\": ", JsonString(e.type),
        ", \"source\": ", JsonString(ConfigSourceName(e.source)),
        ", \"mutable\": ", e.mutable_at_runtime ? "true" : "false", "}");
  }
  out += "\n}\n";
  return out;
}

}  // namespace daemon
}  // namespace colony
