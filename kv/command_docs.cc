// Copyright 2026 The Colony Authors.
#include "kv/command_docs.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/base/internal/raw_logging.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "kv/glob.h"
#include "kv/kv_server.h"

namespace colony::kv {
namespace {

// ---- The syntax parser ----

bool IsNameChar(char c) {
  return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' ||
         c == '-' || c == ':' || c == '/';
}

bool IsTokenChar(char c) {
  return absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '_' ||
         c == '-';
}

bool IsVersionChar(char c) { return absl::ascii_isdigit(c) || c == '.'; }

// SyntaxParser is a recursive-descent parser of one syntax string:
//
//   items    := item*                       (top level, block)
//   choices  := item ('|' item)+            (oneof)
//   item     := '[' element suffix* ']' suffix* | element suffix*
//   element  := TOKEN? name '(' (items | choices) ')'
//             | TOKEN? name ('#' type)?
//             | TOKEN | name '=' TOKEN
//   suffix   := '...' '*'? | '@' version | '^' version
class SyntaxParser {
 public:
  explicit SyntaxParser(absl::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<DocArg>> Parse() {
    std::vector<DocArg> args;
    bool oneof = false;
    if (!ParseItems('\0', &args, &oneof)) return Failure();
    if (oneof) {
      Fail("'|' outside a group");
      return Failure();
    }
    return args;
  }

 private:
  absl::Status Failure() const {
    return absl::InvalidArgumentError(
        absl::StrCat(error_, " at offset ", error_pos_, " of \"", text_, "\""));
  }

  bool Fail(absl::string_view what) {
    if (error_.empty()) {
      error_ = std::string(what);
      error_pos_ = pos_;
    }
    return false;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  bool Consume(absl::string_view s) {
    SkipSpace();
    if (!absl::StartsWith(text_.substr(pos_), s)) return false;
    pos_ += s.size();
    return true;
  }

  absl::string_view Run(bool (*accept)(char)) {
    const size_t start = pos_;
    while (pos_ < text_.size() && accept(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // ParseItems() reads items up to `close` (')' or the end), separated by
  // spaces (a block) or by '|' (a oneof: *oneof is set).
  bool ParseItems(char close, std::vector<DocArg>* out, bool* oneof) {
    *oneof = false;
    bool any_space = false;
    while (Peek() != close) {
      if (Peek() == '\0') return Fail("missing ')'");
      if (!out->empty()) {
        if (Consume("|")) {
          *oneof = true;
        } else {
          any_space = true;
        }
      }
      if (*oneof && any_space) return Fail("'|' mixed with a sequence");
      out->emplace_back();
      if (!ParseItem(&out->back())) return false;
    }
    return true;
  }

  bool ParseItem(DocArg* arg) {
    if (Consume("[")) {
      if (!ParseElement(arg) || !ParseSuffixes(arg)) return false;
      if (!Consume("]")) return Fail("missing ']'");
      arg->optional = true;
    } else if (!ParseElement(arg)) {
      return false;
    }
    return ParseSuffixes(arg);
  }

  // ParseToken() reads a TOKEN (a word in upper case or a quoted string)
  // into *token; false if none is here.
  bool ParseToken(std::string* token) {
    const char c = Peek();
    if (c == '"') {
      const size_t end = text_.find('"', pos_ + 1);
      if (end == absl::string_view::npos || end == pos_ + 1) {
        return Fail("bad quoted token");
      }
      *token = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return true;
    }
    if (!absl::ascii_isupper(c)) return false;
    *token = std::string(Run(IsTokenChar));
    return true;
  }

  bool ParseElement(DocArg* arg) {
    std::string token;
    const bool has_token = ParseToken(&token);
    if (!error_.empty()) return false;
    const char c = Peek();
    if (!absl::ascii_islower(c)) {
      if (!has_token) return Fail("expected an argument");
      // A token alone.
      arg->name = absl::AsciiStrToLower(token);
      arg->type = DocArgType::kPureToken;
      arg->token = std::move(token);
      return true;
    }
    arg->name = std::string(Run(IsNameChar));
    arg->token = std::move(token);
    if (pos_ < text_.size() && text_[pos_] == '=') {
      if (has_token) return Fail("a token before name=TOKEN");
      ++pos_;
      if (!ParseToken(&arg->token)) return Fail("expected a token after '='");
      arg->type = DocArgType::kPureToken;
      return true;
    }
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      bool oneof = false;
      if (!ParseItems(')', &arg->args, &oneof)) return false;
      ++pos_;  // ')'
      if (arg->args.empty()) return Fail("an empty group");
      arg->type = oneof ? DocArgType::kOneOf : DocArgType::kBlock;
      return true;
    }
    if (pos_ < text_.size() && text_[pos_] == '#') {
      ++pos_;
      const absl::string_view type = Run(IsNameChar);
      static const struct {
        const char* word;
        DocArgType type;
      } kTypes[] = {
          {"string", DocArgType::kString},   {"int", DocArgType::kInteger},
          {"double", DocArgType::kDouble},   {"key", DocArgType::kKey},
          {"pattern", DocArgType::kPattern}, {"time", DocArgType::kUnixTime}};
      for (const auto& t : kTypes) {
        if (type == t.word) {
          arg->type = t.type;
          return true;
        }
      }
      return Fail("unknown type");
    }
    arg->type = DocArgType::kString;
    return true;
  }

  bool ParseSuffixes(DocArg* arg) {
    while (true) {
      if (Consume("...")) {
        arg->multiple = true;
        if (pos_ < text_.size() && text_[pos_] == '*') {
          ++pos_;
          arg->multiple_token = true;
        }
      } else if (Consume("@")) {
        arg->since = std::string(Run(IsVersionChar));
        if (arg->since.empty()) return Fail("expected a version after '@'");
      } else if (Consume("^")) {
        arg->deprecated_since = std::string(Run(IsVersionChar));
        if (arg->deprecated_since.empty()) {
          return Fail("expected a version after '^'");
        }
      } else {
        return true;
      }
    }
  }

  absl::string_view text_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

void NumberKeys(std::vector<DocArg>& args, int* next) {
  for (DocArg& a : args) {
    if (a.type == DocArgType::kKey) a.key_spec_index = (*next)++;
    NumberKeys(a.args, next);
  }
}

// ---- The table ----

using command_docs_internal::DocSource;

CommandDoc BuildDoc(const DocSource& src) {
  CommandDoc doc;
  doc.name = src.name;
  doc.summary = src.summary;
  doc.since = src.since;
  doc.group = src.group;
  if (src.complexity != nullptr) doc.complexity = src.complexity;
  if (src.history != nullptr) {
    for (absl::string_view line : absl::StrSplit(src.history, '\n')) {
      std::pair<absl::string_view, absl::string_view> v =
          absl::StrSplit(line, absl::MaxSplits(' ', 1));
      doc.history.emplace_back(v.first, v.second);
    }
  }
  if (src.deprecated != nullptr) {
    std::pair<absl::string_view, absl::string_view> v =
        absl::StrSplit(src.deprecated, absl::MaxSplits(' ', 1));
    doc.deprecated_since = std::string(v.first);
    doc.replaced_by = std::string(v.second);
  }
  absl::StatusOr<std::vector<DocArg>> args = ParseDocArgs(src.syntax);
  if (!args.ok()) {
    // The table is part of the program: a wrong entry is a bug.
    ABSL_RAW_LOG(FATAL, "COMMAND DOCS entry %s: %s", src.name,
                 std::string(args.status().message()).c_str());
  }
  doc.args = *std::move(args);
  return doc;
}

class DocTable {
 public:
  DocTable() {
    for (const DocSource& src : command_docs_internal::DocSources()) {
      docs_.push_back(std::make_unique<CommandDoc>(BuildDoc(src)));
      by_name_[docs_.back()->name] = docs_.back().get();
    }
  }

  const CommandDoc* Find(absl::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }

 private:
  std::vector<std::unique_ptr<CommandDoc>> docs_;
  absl::flat_hash_map<std::string, const CommandDoc*> by_name_;
};

const DocTable& Table() {
  static const DocTable* const table = new DocTable();
  return *table;
}

// ---- The reply ----

void WriteArgs(RespWriter& w, const std::vector<DocArg>& args) {
  w.Array(args.size());
  for (const DocArg& a : args) {
    const bool group =
        a.type == DocArgType::kOneOf || a.type == DocArgType::kBlock;
    const bool flags = a.optional || a.multiple || a.multiple_token;
    w.Map(2 + (a.key_spec_index >= 0) + !a.token.empty() + !a.since.empty() +
          !a.deprecated_since.empty() + flags + group);
    w.Bulk("name");
    w.Bulk(a.name);
    w.Bulk("type");
    w.Bulk(DocArgTypeName(a.type));
    if (a.key_spec_index >= 0) {
      w.Bulk("key_spec_index");
      w.Integer(a.key_spec_index);
    }
    if (!a.token.empty()) {
      w.Bulk("token");
      w.Bulk(a.token);
    }
    if (!a.since.empty()) {
      w.Bulk("since");
      w.Bulk(a.since);
    }
    if (!a.deprecated_since.empty()) {
      w.Bulk("deprecated_since");
      w.Bulk(a.deprecated_since);
    }
    if (flags) {
      w.Bulk("flags");
      w.Set(a.optional + a.multiple + a.multiple_token);
      if (a.optional) w.Simple("optional");
      if (a.multiple) w.Simple("multiple");
      if (a.multiple_token) w.Simple("multiple_token");
    }
    if (group) {
      w.Bulk("arguments");
      WriteArgs(w, a.args);
    }
  }
}

// GroupFromCategories() names a group for a command the table lacks, from
// its ACL categories.
std::string GroupFromCategories(const CommandSpec& spec) {
  static const struct {
    const char* category;
    const char* group;
  } kGroups[] = {{"@string", "string"},
                 {"@list", "list"},
                 {"@hash", "hash"},
                 {"@set", "set"},
                 {"@sortedset", "sorted-set"},
                 {"@pubsub", "pubsub"},
                 {"@transaction", "transactions"},
                 {"@connection", "connection"},
                 {"@keyspace", "generic"}};
  for (absl::string_view cat :
       absl::StrSplit(spec.acl_categories, ' ', absl::SkipEmpty())) {
    for (const auto& g : kGroups) {
      if (cat == g.category) return g.group;
    }
  }
  return "server";
}

bool HasCategory(const CommandSpec& spec, absl::string_view category) {
  for (absl::string_view cat :
       absl::StrSplit(spec.acl_categories, ' ', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&cat, "@") &&
        absl::EqualsIgnoreCase(cat, category)) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::string_view DocArgTypeName(DocArgType type) {
  switch (type) {
    case DocArgType::kString:
      return "string";
    case DocArgType::kInteger:
      return "integer";
    case DocArgType::kDouble:
      return "double";
    case DocArgType::kKey:
      return "key";
    case DocArgType::kPattern:
      return "pattern";
    case DocArgType::kUnixTime:
      return "unix-time";
    case DocArgType::kPureToken:
      return "pure-token";
    case DocArgType::kOneOf:
      return "oneof";
    case DocArgType::kBlock:
      return "block";
  }
  return "string";
}

absl::StatusOr<std::vector<DocArg>> ParseDocArgs(absl::string_view syntax) {
  absl::StatusOr<std::vector<DocArg>> args = SyntaxParser(syntax).Parse();
  if (args.ok()) {
    int next = 0;
    NumberKeys(*args, &next);
  }
  return args;
}

const CommandDoc* FindCommandDoc(absl::string_view name) {
  return Table().Find(name);
}

void WriteCommandDoc(RespWriter& w, const CommandSpec& spec) {
  const CommandDoc* doc = FindCommandDoc(spec.name);
  const bool subs = !spec.subcommands.empty();
  if (doc == nullptr) {
    w.Map(1 + subs);
    w.Bulk("group");
    w.Bulk(GroupFromCategories(spec));
  } else {
    const bool deprecated = !doc->deprecated_since.empty();
    w.Map(3 + !doc->complexity.empty() + 3 * deprecated +
          !doc->history.empty() + !doc->args.empty() + subs);
    w.Bulk("summary");
    w.Bulk(doc->summary);
    w.Bulk("since");
    w.Bulk(doc->since);
    w.Bulk("group");
    w.Bulk(doc->group);
    if (!doc->complexity.empty()) {
      w.Bulk("complexity");
      w.Bulk(doc->complexity);
    }
    if (deprecated) {
      w.Bulk("doc_flags");
      w.Set(1);
      w.Simple("deprecated");
      w.Bulk("deprecated_since");
      w.Bulk(doc->deprecated_since);
      w.Bulk("replaced_by");
      w.Bulk(doc->replaced_by);
    }
    if (!doc->history.empty()) {
      w.Bulk("history");
      w.Set(doc->history.size());
      for (const auto& [version, what] : doc->history) {
        w.Array(2);
        w.Bulk(version);
        w.Bulk(what);
      }
    }
    if (!doc->args.empty()) {
      w.Bulk("arguments");
      WriteArgs(w, doc->args);
    }
  }
  if (subs) {
    w.Bulk("subcommands");
    w.Map(spec.subcommands.size());
    for (const auto& sub : spec.subcommands) {
      w.Bulk(sub->name);
      WriteCommandDoc(w, *sub);
    }
  }
}

const CommandSpec* FindCommandByFullName(const CommandTable& table,
                                         absl::string_view name) {
  const size_t bar = name.find('|');
  if (bar == absl::string_view::npos) return table.Find(name);
  const absl::string_view sub = name.substr(bar + 1);
  if (absl::StrContains(sub, '|')) return nullptr;
  const CommandSpec* parent = table.Find(name.substr(0, bar));
  if (parent == nullptr) return nullptr;
  return CommandTable::FindSub(*parent, sub);
}

void CommandDocs(CommandContext& ctx) {
  const CommandTable& table = ctx.server.commands();
  std::vector<const CommandSpec*> specs;
  if (ctx.args.size() == 2) {
    for (const auto& spec : table.all()) specs.push_back(spec.get());
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      if (const CommandSpec* s = FindCommandByFullName(table, ctx.args[i])) {
        specs.push_back(s);
      }
    }
  }
  ctx.reply.Map(specs.size());
  for (const CommandSpec* spec : specs) {
    ctx.reply.Bulk(spec->name);
    WriteCommandDoc(ctx.reply, *spec);
  }
}

void CommandList(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kCategory, kPattern };
  Filter filter = Filter::kNone;
  absl::string_view arg;
  if (ctx.args.size() != 2) {
    if (ctx.args.size() != 5 ||
        !absl::EqualsIgnoreCase(ctx.args[2], "FILTERBY")) {
      ctx.SyntaxError();
      return;
    }
    const absl::string_view type = ctx.args[3];
    if (absl::EqualsIgnoreCase(type, "MODULE")) {
      filter = Filter::kModule;
    } else if (absl::EqualsIgnoreCase(type, "ACLCAT")) {
      filter = Filter::kCategory;
    } else if (absl::EqualsIgnoreCase(type, "PATTERN")) {
      filter = Filter::kPattern;
    } else {
      ctx.SyntaxError();
      return;
    }
    arg = ctx.args[4];
  }
  auto pass = [&](const CommandSpec& spec) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;  // no command comes from a module
      case Filter::kCategory:
        return HasCategory(spec, arg);
      case Filter::kPattern:
        return GlobMatch(arg, spec.name, /*nocase=*/true);
    }
    return false;
  };
  std::vector<const CommandSpec*> names;
  for (const auto& spec : ctx.server.commands().all()) {
    if (pass(*spec)) names.push_back(spec.get());
    for (const auto& sub : spec->subcommands) {
      if (pass(*sub)) names.push_back(sub.get());
    }
  }
  ctx.reply.Array(names.size());
  for (const CommandSpec* spec : names) ctx.reply.Bulk(spec->name);
}

}  // namespace colony::kv
