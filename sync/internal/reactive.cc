// Copyright 2026 The Colony Authors.
