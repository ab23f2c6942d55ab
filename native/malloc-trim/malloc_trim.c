// glibc's malloc_trim(0) for kubesvc, as a Node-API addon (Node 20 has no FFI).
//
// glibc returns freed memory to the kernel on its own only from the top of each arena. After a
// crowd of TLS connections leaves, their freed sessions lie between live allocations, so the
// process keeps them resident indefinitely. malloc_trim(0) walks every arena and releases each
// whole free page (MADV_DONTNEED) wherever it lies. That walk and its system calls take from a
// few to a few hundred milliseconds (bench/README.md), so it runs on libuv's thread pool, not on
// the event loop: the API server and DNS keep answering meanwhile. kubesvc calls it rarely, once
// after a crowd of connections has gone (src/util/release-memory.ts).
#include <stdlib.h>
#include <node_api.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int released;
} trim_job;

static void execute(napi_env env, void *data) {
  (void)env;
  trim_job *job = data;
#if defined(__GLIBC__)
  job->released = malloc_trim(0);
#endif
}

static void complete(napi_env env, napi_status status, void *data) {
  trim_job *job = data;
  napi_value result;
  // Cancelled (the environment is going away): resolve all the same, with "nothing released".
  if (napi_get_boolean(env, status == napi_ok && job->released != 0, &result) == napi_ok) {
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

// trim() -> Promise<boolean>: true when memory was returned to the kernel, false when there was
// none to return (or the C library is not glibc, which has its own ways or needs none).
static napi_value trim(napi_env env, napi_callback_info info) {
  (void)info;
  trim_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, NULL, "malloc_trim: out of memory");
    return NULL;
  }
  napi_value promise, name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok) {
    free(job);
    return NULL;
  }
  if (napi_create_string_utf8(env, "kubesvc.malloc_trim", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, job, &job->work) != napi_ok) {
    free(job);
    napi_throw_error(env, NULL, "malloc_trim: cannot queue the work");
    return NULL;
  }
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    napi_delete_async_work(env, job->work);
    free(job);
    napi_throw_error(env, NULL, "malloc_trim: cannot queue the work");
    return NULL;
  }
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, trim, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "trim", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
