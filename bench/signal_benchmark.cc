// Copyright 2026 The Colony Authors.
#include "benchmark/benchmark.h"
