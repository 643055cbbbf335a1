// Copyright 2026 The Colony Authors.
//
// sync.h: every public header of sync/ at once, for code that uses several
// of its sub-systems. Code that needs one of them includes its headers and
// depends on its target alone (a Mutex user need not link the reactive
// runtime):
//
//   sync/locks/     //sync/locks     Mutex, SharedMutex, CondVar, Semaphore,
//                                    Barrier, Event, Once, WaitGroup
//   sync/channel/   //sync/channel   Channel<T>, Select
//   sync/reactive/  //sync/reactive  Signal, Memo, Effect, Resource
//   sync/service/   //sync/service   Service, Action, AsyncRunner
//
// Thread-safety, ordering and lifetime are documented per primitive, in its
// own header.

#ifndef COLONY_SYNC_SYNC_H_
#define COLONY_SYNC_SYNC_H_

#include "sync/channel/channel.h"
#include "sync/channel/select.h"
#include "sync/locks/barrier.h"
#include "sync/locks/cond_var.h"
#include "sync/locks/event.h"
#include "sync/locks/mutex.h"
#include "sync/locks/once.h"
#include "sync/locks/semaphore.h"
#include "sync/locks/shared_mutex.h"
#include "sync/locks/wait_group.h"
#include "sync/reactive/effect.h"
#include "sync/reactive/memo.h"
#include "sync/reactive/resource.h"
#include "sync/reactive/signal.h"
#include "sync/service/action.h"
#include "sync/service/async_runner.h"
#include "sync/service/service.h"

#endif  // COLONY_SYNC_SYNC_H_
