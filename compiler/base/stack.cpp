#include "compiler/base/stack.h"

#include <pthread.h>

namespace edict {

namespace {

struct Call {
  const std::function<int()>* fn;
  int result = 0;
};

void* Trampoline(void* arg) {
  auto* call = static_cast<Call*>(arg);
  call->result = (*call->fn)();
  return nullptr;
}

}  // namespace

int RunWithStack(size_t bytes, const std::function<int()>& fn) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) == 0) {
    if (pthread_attr_setstacksize(&attr, kThreadStackBytes) == 0) pthread_setattr_default_np(&attr);
    pthread_attr_destroy(&attr);
  }
  if (pthread_attr_init(&attr) != 0) return fn();
  if (pthread_attr_setstacksize(&attr, bytes) != 0) {
    pthread_attr_destroy(&attr);
    return fn();
  }
  Call call{&fn};
  pthread_t thread;
  bool started = pthread_create(&thread, &attr, Trampoline, &call) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return fn();
  pthread_join(thread, nullptr);
  return call.result;
}

}  // namespace edict
