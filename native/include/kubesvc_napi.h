// Small Node-API helpers the kubesvc addons share (native/*/binding.gyp add this directory).
#ifndef KUBESVC_NAPI_H
#define KUBESVC_NAPI_H

#include <node_api.h>

// The pointer an addon handle (an External) carries; NULL for anything else.
static inline void *kubesvc_external(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return data;
}

// The pointer an addon handle carries when it was tagged `tag` (napi_type_tag_object) when made;
// NULL for anything else, another addon's handles or another kind of this addon's included.
static inline void *kubesvc_tagged_external(napi_env env, napi_value v, const napi_type_tag *tag) {
  bool tagged = false;
  void *data = kubesvc_external(env, v);
  if (data == NULL || napi_check_object_type_tag(env, v, tag, &tagged) != napi_ok || !tagged) return NULL;
  return data;
}

// The handle a function of one argument was called with (tagged `tag`, unless `tag` is NULL);
// NULL when it was called with anything else.
static inline void *kubesvc_handle_arg(napi_env env, napi_callback_info info, const napi_type_tag *tag) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1) return NULL;
  return tag ? kubesvc_tagged_external(env, argv[0], tag) : kubesvc_external(env, argv[0]);
}

// Calls the function `fn` refers to from a libuv callback, as Node's own handles call JavaScript
// (MakeCallback: process.nextTick callbacks and promise jobs it queued run before this returns).
// An exception it throws is the process's uncaught exception, as from any other callback.
static inline void kubesvc_call(napi_env env, napi_async_context context, napi_ref resource, napi_ref fn, size_t argc, const napi_value *argv) {
  napi_value f, recv, result;
  if (napi_get_reference_value(env, fn, &f) != napi_ok || napi_get_reference_value(env, resource, &recv) != napi_ok) return;
  if (napi_make_callback(env, context, recv, f, argc, argv, &result) == napi_pending_exception) {
    napi_value e;
    napi_get_and_clear_last_exception(env, &e);
    napi_fatal_exception(env, e);
  }
}

#endif
