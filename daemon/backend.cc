// Copyright 2026 The Colony Authors.

#include "daemon/backend.h"

#include <map>
#include <mutex>

namespace colony {
namespace daemon {
namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, BackendFactory> factories;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry;  // never destroyed: used until exit
  return *registry;
}

}  // namespace

void RegisterBackend(std::string name, BackendFactory factory) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.factories[std::move(name)] = std::move(factory);
}

std::vector<std::pair<std::string, BackendFactory>> RegisteredBackends() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  return {r.factories.begin(), r.factories.end()};
}

}  // namespace daemon
}  // namespace colony
