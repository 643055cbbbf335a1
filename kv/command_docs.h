// Copyright 2026 The Colony Authors.
//
// Command documentation for COMMAND DOCS and COMMAND LIST: for each command
// the backend knows, its summary, the version that introduced it, its group,
// its complexity, its history and deprecation, and the tree of its
// arguments, replied in the shape Redis 7.0 uses so that tools (redis-cli's
// hints, client code generators, GUIs) read it unchanged.
//
// The table (command_docs_table.cc) gives each command's arguments as one
// syntax string, which ParseDocArgs() turns into the argument tree when
// the table is first used. The syntax follows the notation of the command
// reference, with the names, types and versions the reply needs:
//
//   key#key value [condition(NX | XX)@2.6.12] [GET@6.2.0]
//
//   name           an argument of type "string"
//   name#T         type T: key, int (integer), double, pattern, time
//                  (unix-time) or string
//   TOKEN elem     `elem` is introduced by the token; a TOKEN is a word
//                  starting with an upper-case letter, or a quoted "..."
//   TOKEN          alone (before `|`, `)`, `]`, another token or the
//                  end): a pure-token argument named after the token in
//                  lower case
//   name=TOKEN     a pure-token argument with its own name
//   name(a b)      a block of arguments; name(a | b) one of them (oneof)
//   [elem]         optional
//   elem ...       may repeat; `...*` repeats with its token each time
//                  (multiple_token)
//   elem@7.0.0     the version that added the argument
//   elem^2.8.12    the version that deprecated it
//
// Keys (#key) get their key_spec_index in the order they appear.
//
// Thread-safety: the table is built once, on first use, and is immutable
// afterwards; every function here may be called from any thread.
#ifndef COLONY_KV_COMMAND_DOCS_H_
#define COLONY_KV_COMMAND_DOCS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "kv/command.h"
#include "kv/resp/writer.h"

namespace colony::kv {

// The argument types COMMAND DOCS names.
enum class DocArgType {
  kString,
  kInteger,
  kDouble,
  kKey,
  kPattern,
  kUnixTime,
  kPureToken,
  kOneOf,
  kBlock,
};

// DocArgTypeName() is the type as the reply spells it ("pure-token").
absl::string_view DocArgTypeName(DocArgType type);

// One argument of a command, as COMMAND DOCS describes it.
struct DocArg {
  std::string name;
  DocArgType type = DocArgType::kString;
  int key_spec_index = -1;  // keys only
  std::string token;        // empty: none
  std::string since;
  std::string deprecated_since;
  bool optional = false;
  bool multiple = false;
  bool multiple_token = false;
  std::vector<DocArg> args;  // a oneof's choices or a block's parts
};

// One command's documentation.
struct CommandDoc {
  std::string name;  // "set", "client|kill"
  std::string summary;
  std::string since;
  std::string group;
  std::string complexity;
  std::string deprecated_since;  // empty unless deprecated
  std::string replaced_by;
  std::vector<std::pair<std::string, std::string>> history;  // version, what
  std::vector<DocArg> args;
};

// ParseDocArgs() parses an argument syntax string (see above) into the
// argument tree, or says where the syntax is wrong.
absl::StatusOr<std::vector<DocArg>> ParseDocArgs(absl::string_view syntax);

// FindCommandDoc() is the documentation of the command with this lower-case
// full name ("get", "client|kill"), or nullptr when the table has none.
const CommandDoc* FindCommandDoc(absl::string_view name);

// WriteCommandDoc() writes one command's documentation map, with its
// subcommands' (those registered) nested under "subcommands". A command
// the table lacks gets a map with only its group.
void WriteCommandDoc(RespWriter& w, const CommandSpec& spec);

// FindCommandByFullName() looks a command up by its full name in any case:
// "get", or "client|kill" for a subcommand; nullptr if unknown.
const CommandSpec* FindCommandByFullName(const CommandTable& table,
                                         absl::string_view name);

// CommandDocs() replies to COMMAND DOCS [command-name ...]: a map from
// each known command's full name to its documentation; every command
// when no name is given; unknown names are left out.
void CommandDocs(CommandContext& ctx);

// CommandList() replies to COMMAND LIST [FILTERBY MODULE name | ACLCAT
// category | PATTERN pattern]: the full names of the commands and their
// subcommands that pass the filter.
void CommandList(CommandContext& ctx);

namespace command_docs_internal {

// One command's documentation as the table writes it.
struct DocSource {
  const char* name;
  const char* group;
  const char* since;
  const char* complexity;
  const char* summary;
  const char* syntax;  // arguments, parsed by ParseDocArgs()
  // Lines "VERSION what changed", separated by '\n'; nullptr for none.
  const char* history = nullptr;
  // "VERSION what replaces it" for a deprecated command; nullptr if not.
  const char* deprecated = nullptr;
};

// DocSources() is the table (command_docs_table.cc).
absl::Span<const DocSource> DocSources();

}  // namespace command_docs_internal
}  // namespace colony::kv

#endif  // COLONY_KV_COMMAND_DOCS_H_
