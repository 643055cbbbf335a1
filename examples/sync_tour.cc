// Copyright 2026 The Colony Authors.
//
// A tour of sync/: the patterns of docs/sync.md as one program.
//
//   1. A profile service: a task that owns its inbox, found by message
//      type from a task deep below the one that spawned it.
//   2. A sync service that keeps its state private and publishes only the
//      values the rest of the program shows, as signals; an effect prints
//      the banner whenever the username changes.
//   3. A cancel-safe resource: a drop guard restores shared state when the
//      task holding it is cancelled.
//   4. An action whose new call replaces the pending one.
//   5. A multi-step wizard driven from a plain thread by an AsyncRunner.

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "scheduler/scheduler.h"
#include "sync/channel/channel.h"
#include "sync/channel/select.h"
#include "sync/locks/event.h"
#include "sync/reactive/effect.h"
#include "sync/reactive/signal.h"
#include "sync/service/action.h"
#include "sync/service/async_runner.h"
#include "sync/service/service.h"

namespace {

// --- 1. The profile service --------------------------------------------

struct SetUsername {
  std::string name;
};
struct SetAge {
  int age;
};
using ProfileUpdate = std::variant<SetUsername, SetAge>;

void ProfileService(colony::Inbox<ProfileUpdate>& inbox) {
  std::string name = "nobody";
  int age = 0;
  while (std::optional<ProfileUpdate> msg = inbox.Recv()) {
    if (auto* n = std::get_if<SetUsername>(&*msg)) name = n->name;
    if (auto* a = std::get_if<SetAge>(&*msg)) age = a->age;
  }
  std::printf("  profile service drained its inbox: %s, %d\n", name.c_str(),
              age);
}

// Deep code reaches the service by its message type.
void Button() {
  if (auto profile = colony::UseService<ProfileUpdate>()) {
    profile->Send(SetUsername{"Bob"});
    profile->Send(SetAge{42});
  }
}

// --- 2. The sync service and its view signals ----------------------------

colony::Signal<std::string> username(std::string("default"));
colony::Signal<std::vector<std::string>> errors;

enum class SyncAction { kSetUsername, kFail };
struct SyncMsg {
  SyncAction action;
  std::string name;
};

void SyncService(colony::Inbox<SyncMsg>& inbox) {
  int requests = 0;  // private state: only this task touches it
  while (std::optional<SyncMsg> msg = inbox.Recv()) {
    ++requests;
    colony::SleepFor(absl::Milliseconds(1));  // the "server" round trip
    if (msg->action == SyncAction::kSetUsername) {
      username.Set(msg->name);
    } else {
      errors.Set({"Failed to set username"});
    }
  }
  std::printf("  sync service handled %d requests\n", requests);
}

// --- 3. A cancel-safe resource -----------------------------------------

colony::Signal<std::set<std::string>> resources_running;

void FetchBreed(const std::string& breed) {
  resources_running.Update([&](std::set<std::string>& s) { s.insert(breed); });
  // Restores the shared state however this task ends, cancellation
  // included: the guard's destructor runs while the task unwinds.
  struct DropGuard {
    std::string breed;
    ~DropGuard() {
      resources_running.Update(
          [&](std::set<std::string>& s) { s.erase(breed); });
    }
  } guard{breed};
  colony::SleepFor(absl::Seconds(60));  // a slow request; cancelled below
}

}  // namespace

int main() {
  auto created = colony::Scheduler::Create({.workers = 2, .name = "tour"});
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.status().ToString().c_str());
    return 1;
  }
  colony::Scheduler& scheduler = **created;
  if (absl::Status s = scheduler.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }

  std::printf("1. profile service\n");
  scheduler
      .Spawn([&] {
        colony::Service<ProfileUpdate> profile =
            colony::SpawnService<ProfileUpdate>(scheduler, ProfileService);
        // A child of a child still finds the service.
        colony::Spawn([] { colony::Spawn(Button).Join(); }).Join();
        profile.Stop();
      })
      .Join();

  std::printf("2. sync service updating signals\n");
  {
    std::atomic<uint64_t> shown{0};
    colony::Effect banner(scheduler, [&shown] {
      const colony::Versioned<std::string> v = username.GetVersioned();
      std::printf("  banner: Welcome back, %s\n", v.value.c_str());
      shown.store(v.version);
    });
    colony::Service<SyncMsg> sync =
        colony::SpawnService<SyncMsg>(scheduler, SyncService);
    sync.handle().Send({SyncAction::kSetUsername, "alice"});
    sync.handle().Send({SyncAction::kFail, ""});
    sync.handle().Send({SyncAction::kSetUsername, "carol"});
    sync.Stop();
    // The banner effect catches up with the last value; bursts of writes
    // may have coalesced into fewer runs.
    const colony::Versioned<std::string> v = username.GetVersioned();
    while (shown.load() < v.version) absl::SleepFor(absl::Milliseconds(1));
    std::printf("  username=%s (version %llu, %llu banner runs), errors=%zu\n",
                v.value.c_str(), static_cast<unsigned long long>(v.version),
                static_cast<unsigned long long>(banner.runs()),
                errors.Get().size());
  }

  std::printf("3. cancel-safe resource\n");
  {
    colony::JoinHandle<void> fetch =
        scheduler.Spawn([] { FetchBreed("hound"); });
    while (resources_running.Get().empty()) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    std::printf("  running: %zu resource(s)\n", resources_running.Get().size());
    fetch.Cancel("breed changed");
    std::printf("  fetch ended: %s\n",
                fetch.Join().cancelled() ? "cancelled" : "?");
    std::printf("  running after cancel: %zu resource(s)\n",
                resources_running.Get().size());
  }

  std::printf("4. an action replacing its pending call\n");
  {
    colony::Action<std::string, std::string> fetch(
        scheduler, [](std::string breed) -> absl::StatusOr<std::string> {
          colony::SleepFor(absl::Milliseconds(20));
          return "https://images.example/" + breed + ".jpg";
        });
    fetch.Call("hound");
    fetch.Call("husky");  // the hound fetch is cancelled
    std::optional<absl::StatusOr<std::string>> v = fetch.Wait();
    std::printf("  value: %s\n", v && v->ok() ? (*v)->c_str() : "error");
  }

  std::printf("5. a wizard driven from a plain thread\n");
  {
    struct User {
      std::string name, email;
    };
    using Wizard = colony::AsyncRunner<std::string, std::string, User>;
    auto started = Wizard::RunSync(scheduler,
                                   [](Wizard::Suspender& s) {
                                     std::string name = s.Yield("get_name");
                                     std::string email = s.Yield("get_email");
                                     return User{name, email};
                                   },
                                   {.tag = "wizard"});
    if (!started.ok()) return 1;
    auto& [runner, event] = *started;
    const char* answers[] = {"Alice", "alice@example.com"};
    int step = 0;
    while (event.yielded()) {
      std::printf("  [%s] asks %s -> %s\n", event.tag.c_str(),
                  event.yielded_value().c_str(), answers[step]);
      auto next = runner->ResumeSync(answers[step++]);
      if (!next.ok()) return 1;
      event = std::move(*next);
    }
    if (event.completed()) {
      std::printf("  [%s] completed: %s <%s>\n", event.tag.c_str(),
                  event.value().name.c_str(), event.value().email.c_str());
    }
  }

  if (absl::Status s = scheduler.Stop(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
