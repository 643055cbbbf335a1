// Copyright 2026 The Colony Authors.
//
// colonyd's main(): everything lives in daemon/ (the lifecycle) and in the
// backends linked next to this file (see //:colonyd.bzl).

#include "daemon/daemon.h"

int main(int argc, char** argv) {
  return colony::daemon::Daemon().Run(argc, argv);
}
