// Relays bytes between two connected TCP sockets in C, for the userspace kube-proxy, as a
// Node-API addon.
//
// The proxy accepts, picks an endpoint and connects in JavaScript, then hands both connections
// here: each socket is duplicated, Node lets go of its own, and from then on the bytes go
// recv -> send on libuv's poll handles, with no stream, Buffer, event or call into JavaScript per
// chunk. Through Node's streams every chunk cost a read into a fresh Buffer, a 'data' event and a
// write request; bench/README.md has what that did to a keep-alive connection's tail latency next
// to HAProxy's. Semantics are the proxy's own: an end is passed on as a half-close
// (shutdown(SHUT_WR)), a full buffer stops reading from its source (backpressure), and an error
// or reset on either side closes both.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

#include "kubesvc_napi.h"

// Bytes read per system call. HAProxy's default buffer is 16 KiB; a bulk transfer moves this
// much per read.
#define BUF 32768
// Reads per direction per wakeup before the event loop gets its turn (epoll is level-triggered:
// what is left wakes the relay again at once).
#define ROUNDS 16

typedef struct relay relay;

typedef struct {
  relay *r;
  uv_poll_t poll;
  int fd;
  int events;
} side_t;

// Reads land here and are sent on at once. Only what the other side cannot take yet is copied
// into a buffer of the connection's own, so an idle connection holds no buffer at all (ten
// thousand kept-alive connections would otherwise hold 64 KiB each). One event loop, one thread:
// one scratch buffer serves every relay.
static char scratch[BUF];

typedef struct {
  char *buf;
  size_t len, off;
  int eof;
  int shut;
  uint64_t bytes;
} direction_t;

struct relay {
  // side[0] is the client, side[1] the endpoint; dir[0] carries client -> endpoint.
  side_t side[2];
  direction_t dir[2];
  napi_env env;
  napi_ref done;
  napi_ref resource;
  napi_async_context context;
  int finished;
  int open_handles;
  int finalized;
};

static void free_if_unused(relay *r) {
  if (r->open_handles == 0 && r->finalized) {
    free(r->dir[0].buf);
    free(r->dir[1].buf);
    free(r);
  }
}

static void on_closed(uv_handle_t *h) {
  side_t *s = h->data;
  relay *r = s->r;
  r->open_handles--;
  free_if_unused(r);
}

static void release_refs(relay *r) {
  if (r->done) napi_delete_reference(r->env, r->done);
  r->done = NULL;
  if (r->resource) napi_delete_reference(r->env, r->resource);
  r->resource = NULL;
  if (r->context) napi_async_destroy(r->env, r->context);
  r->context = NULL;
}

// Closes both sockets (their descriptors at once, the poll handles when libuv is done with them)
// and, when `notify`, tells JavaScript with the byte counts and the error (0: both sides ended).
static void finish(relay *r, int err, int notify) {
  if (r->finished) return;
  r->finished = 1;
  for (int i = 0; i < 2; i++) {
    uv_close((uv_handle_t *)&r->side[i].poll, on_closed);
    close(r->side[i].fd);
    r->side[i].fd = -1;
  }
  if (notify && r->done) {
    napi_env env = r->env;
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) == napi_ok) {
      napi_value argv[3];
      napi_create_double(env, (double)r->dir[0].bytes, &argv[0]);
      napi_create_double(env, (double)r->dir[1].bytes, &argv[1]);
      napi_create_int32(env, err, &argv[2]);
      kubesvc_call(env, r->context, r->resource, r->done, 3, argv);
      napi_close_handle_scope(env, scope);
    }
  }
  release_refs(r);
}

// Moves what can be moved in direction d without blocking; returns 0 or an errno. A read that
// did not fill the buffer is taken to have emptied the socket: the next is left to epoll (level-
// triggered, it wakes the relay again if more came), which saves a read that would find nothing.
static int move(relay *r, int d) {
  direction_t *x = &r->dir[d];
  int src = r->side[d].fd, dst = r->side[1 - d].fd;
  int more = 1;
  for (int round = 0; round < ROUNDS; round++) {
    while (x->off < x->len) {
      ssize_t n = send(dst, x->buf + x->off, x->len - x->off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        x->off += (size_t)n;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return 0;
      } else {
        return n < 0 ? errno : EIO;
      }
    }
    free(x->buf);
    x->buf = NULL;
    x->off = x->len = 0;
    if (x->eof) {
      if (!x->shut) {
        x->shut = 1;
        // The other side may have gone already; its own read reports that.
        shutdown(dst, SHUT_WR);
      }
      return 0;
    }
    if (!more) return 0;
    ssize_t n = recv(src, scratch, BUF, MSG_DONTWAIT);
    if (n > 0) {
      x->bytes += (uint64_t)n;
      more = n == BUF;
      size_t sent = 0;
      while (sent < (size_t)n) {
        ssize_t w = send(dst, scratch + sent, (size_t)n - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
          sent += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
          continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          break;
        } else {
          return w < 0 ? errno : EIO;
        }
      }
      if (sent < (size_t)n) {
        // The other side is full: keep the rest until it can take more, and read no further.
        x->buf = malloc((size_t)n - sent);
        if (x->buf == NULL) return ENOMEM;
        memcpy(x->buf, scratch + sent, (size_t)n - sent);
        x->len = (size_t)n - sent;
        x->off = 0;
        return 0;
      }
    } else if (n == 0) {
      x->eof = 1;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return 0;
    } else {
      return errno;
    }
  }
  // The rounds ran out on the read that found the end: pass it on now, as no event will come
  // for it (the side is not read any more and nothing waits to be written).
  if (x->eof && !x->shut && x->off >= x->len) {
    x->shut = 1;
    shutdown(dst, SHUT_WR);
  }
  return 0;
}

static void on_event(uv_poll_t *h, int status, int events);

// What each side waits for now: readable while its outgoing direction has room and no end yet,
// writable while the other direction has bytes for it.
static void update_interest(relay *r) {
  for (int i = 0; i < 2; i++) {
    int want = 0;
    if (!r->dir[i].eof && r->dir[i].len == 0) want |= UV_READABLE;
    if (r->dir[1 - i].off < r->dir[1 - i].len) want |= UV_WRITABLE;
    side_t *s = &r->side[i];
    if (want == s->events) continue;
    s->events = want;
    if (want) uv_poll_start(&s->poll, want, on_event);
    else uv_poll_stop(&s->poll);
  }
}

static void on_event(uv_poll_t *h, int status, int events) {
  side_t *s = h->data;
  relay *r = s->r;
  if (r->finished) return;
  if (status < 0) {
    finish(r, -status, 1);
    return;
  }
  // A readable side feeds its own direction; a writable side drains the other one into it.
  int i = (int)(s - r->side);
  int err = 0;
  if (events & UV_READABLE) err = move(r, i);
  if (!err && (events & UV_WRITABLE)) err = move(r, 1 - i);
  if (err) {
    finish(r, err, 1);
    return;
  }
  if (r->dir[0].shut && r->dir[1].shut) {
    finish(r, 0, 1);
    return;
  }
  update_interest(r);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  relay *r = data;
  r->finalized = 1;
  if (!r->finished) finish(r, ECANCELED, 0);
  free_if_unused(r);
}

// relay(clientFd, endpointFd, onDone(toEndpoint, toClient, errno), resource) -> handle. The
// descriptors are duplicated: the caller closes its own (destroys its sockets) right after.
static napi_value start_relay(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fds[2];
  napi_valuetype cbType;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 || napi_get_value_int32(env, argv[0], &fds[0]) != napi_ok ||
      napi_get_value_int32(env, argv[1], &fds[1]) != napi_ok || fds[0] < 0 || fds[1] < 0 || napi_typeof(env, argv[2], &cbType) != napi_ok ||
      cbType != napi_function) {
    napi_throw_type_error(env, NULL, "relay(clientFd, endpointFd, onDone, resource)");
    return NULL;
  }
  relay *r = calloc(1, sizeof *r);
  if (r == NULL) {
    napi_throw_error(env, NULL, "tcp-relay: out of memory");
    return NULL;
  }
  r->env = env;
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    free(r);
    napi_throw_error(env, NULL, "tcp-relay: no event loop");
    return NULL;
  }
  for (int i = 0; i < 2; i++) {
    // The duplicate shares the open file description, so Node's O_NONBLOCK with it (and every
    // call here passes MSG_DONTWAIT anyway).
    int fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
    int err = fd < 0 ? errno : -uv_poll_init_socket(loop, &r->side[i].poll, fd);
    if (fd < 0 || err != 0) {
      if (fd >= 0) close(fd);
      if (i == 1) {
        uv_close((uv_handle_t *)&r->side[0].poll, on_closed);
        close(r->side[0].fd);
        r->finished = 1;
        r->finalized = 1;
      } else {
        free(r);
      }
      napi_throw_error(env, NULL, err == EBADF ? "tcp-relay: not an open descriptor" : "tcp-relay: cannot take the socket");
      return NULL;
    }
    r->side[i].fd = fd;
    r->side[i].r = r;
    r->side[i].poll.data = &r->side[i];
    r->open_handles++;
  }
  napi_value name, handle;
  napi_create_string_utf8(env, "kubesvc:tcp-relay", NAPI_AUTO_LENGTH, &name);
  napi_create_reference(env, argv[2], 1, &r->done);
  napi_create_reference(env, argv[3], 1, &r->resource);
  napi_async_init(env, argv[3], name, &r->context);
  if (napi_create_external(env, r, finalize, NULL, &handle) != napi_ok) {
    finish(r, ECANCELED, 0);
    r->finalized = 1;
    free_if_unused(r);
    napi_throw_error(env, NULL, "tcp-relay: cannot create the handle");
    return NULL;
  }
  update_interest(r);
  return handle;
}

// bytes(handle) -> [client -> endpoint, endpoint -> client] so far.
static napi_value relay_bytes(napi_env env, napi_callback_info info) {
  napi_value out, v;
  relay *r = kubesvc_handle_arg(env, info);
  if (r == NULL) {
    napi_throw_type_error(env, NULL, "bytes(handle)");
    return NULL;
  }
  napi_create_array_with_length(env, 2, &out);
  for (uint32_t i = 0; i < 2; i++) {
    napi_create_double(env, (double)r->dir[i].bytes, &v);
    napi_set_element(env, out, i, v);
  }
  return out;
}

// destroy(handle): closes both sockets now; onDone is not called.
static napi_value relay_destroy(napi_env env, napi_callback_info info) {
  relay *r = kubesvc_handle_arg(env, info);
  if (r != NULL) finish(r, ECANCELED, 0);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"relay", NULL, start_relay, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bytes", NULL, relay_bytes, NULL, NULL, NULL, napi_enumerable, NULL},
      {"destroy", NULL, relay_destroy, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
