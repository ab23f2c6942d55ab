// glibc's malloc_trim(0) for kubesvc, as a Node-API addon (Node 20 has no FFI).
//
// glibc returns freed memory to the kernel on its own only from the top of each arena. After a
// crowd of TLS connections leaves, their freed sessions lie between live allocations, so the
// process keeps them resident indefinitely. malloc_trim(0) walks every arena and releases each
// whole free page (MADV_DONTNEED) wherever it lies. It walks the heap, so kubesvc calls it
// rarely: once after a crowd of connections has gone (src/util/release-memory.ts).
#include <node_api.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// trim() -> true when memory was returned to the kernel, false when there was none to return
// (or the C library is not glibc, whose allocator needs no help of this kind or offers none).
static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#if defined(__GLIBC__)
  released = malloc_trim(0);
#endif
  napi_value result;
  if (napi_get_boolean(env, released != 0, &result) != napi_ok) return NULL;
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, Trim, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "trim", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
