// The userspace kube-proxy's TCP data path in C, as a Node-API addon: it listens on a Service
// address, accepts, connects to the endpoint JavaScript picks, and relays bytes both ways.
//
// JavaScript keeps every decision (which endpoint, how long a dial may take, whether to try the
// next, who may connect at all) and is called three times per connection: accepted, dialed,
// done. Everything per byte and per system call stays here: accept4 in batches, a nonblocking
// connect, then recv -> send with no stream, Buffer, event or call into JavaScript per chunk.
// Through Node's net.Server and net.Socket a proxied connection cost two socket objects with
// their handles, streams and listeners, which held new connections per second at about 0.6x
// HAProxy's and keep-alive tail latency at 1.5-1.9x its (bench/README.md).
//
// The sockets are watched by an epoll set of the addon's own, which libuv watches as one
// descriptor: a libuv poll handle per socket costs three system calls to set up (libuv checks
// each new descriptor by adding it to its epoll set and removing it again, then sets O_NONBLOCK)
// where a socket of our own, created nonblocking, costs one epoll_ctl.
//
// Semantics are the proxy's own: an end is passed on as a half-close (shutdown(SHUT_WR)), a full
// buffer stops reading from its source (backpressure), and an error or reset on either side
// closes both.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

#include "kubesvc_napi.h"

// Bytes read per system call. HAProxy's default buffer is 16 KiB; a bulk transfer moves this
// much per read.
#define BUF 32768
// Reads per direction per wakeup before other sockets get their turn (what is left is asked
// for again with rearm(): the sockets are watched edge-triggered).
#define ROUNDS 16
// Connections accepted per wakeup of a listener, and socket events handled per wakeup of the
// addon, before the event loop gets its turn.
#define ACCEPTS 64
#define EVENTS 128
// How long a listener rests after running out of descriptors (EMFILE) before it accepts again;
// level-triggered epoll would otherwise wake it for the same pending connection in a busy loop.
#define ACCEPT_PAUSE_MS 100

// What a relayed socket is watched for (see watch()).
#define SIDE_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI | EPOLLET)

// What JavaScript is told, as the first argument of the listener's function.
enum { EV_ACCEPTED = 0, EV_DIALED = 1, EV_DONE = 2 };

// A connection's life: accepted (only the client's descriptor), dialing the endpoint, a dial
// failed (the client kept for another attempt), relaying, finished.
enum { ACCEPTED, DIALING, DIAL_FAILED, RELAYING, FINISHED };

// What an epoll event points at.
enum { W_SIDE = 1, W_LISTENER = 2 };

// What the handles given to JavaScript are tagged with, so a call with anything else (another
// addon's handle, a listener for a connection) is refused rather than read as the wrong struct.
static const napi_type_tag LISTENER_TAG = {0x6b75626573766331ULL, 0x6c697374656e6572ULL};
static const napi_type_tag CONNECTION_TAG = {0x6b75626573766331ULL, 0x636f6e6e65637431ULL};

// The addon's state in one Node environment (the main thread, or a worker that loads it).
typedef struct {
  napi_env env;
  uv_loop_t *loop;
  int epfd;
  uv_poll_t poll;
  // While events of one epoll_wait are handled, nothing they may point at is freed: memory to
  // free waits in `graveyard` until the batch is over.
  int dispatching;
  void **graveyard;
  size_t buried, graves;
  // One callback scope (with its async context) for every call into JavaScript of a batch.
  napi_ref resource;
  napi_async_context context;
  int scoped;
  // Listeners open and connections not finished: while there are any, the epoll set keeps the
  // event loop alive, as Node's servers and sockets do.
  int active;
  // Timers of relays and listeners not yet closed, and whether the epoll set's own handle has
  // closed: this state is freed when both are done (their close callbacks still use it).
  int open_timers;
  int poll_closed;
  napi_handle_scope hs;
  napi_callback_scope cs;
  // Reads land here and are sent on at once. Only what the other side cannot take yet is copied
  // into a buffer of the connection's own, so an idle connection holds no buffer at all (ten
  // thousand kept-alive connections would otherwise hold 64 KiB each).
  char scratch[BUF];
} env_state;

// The listener's JavaScript function, shared by the listener and its connections (which outlive
// a closed listener).
typedef struct {
  napi_env env;
  napi_ref fn;
  int refs;
} callback_t;

typedef struct relay relay;

typedef struct {
  int kind;
  relay *r;
  int fd;
  // Whether the descriptor is in the epoll set.
  int watched;
} side_t;

typedef struct {
  char *buf;
  size_t len, off;
  int eof;
  // The peer's FIN has arrived (EPOLLRDHUP): read on to it even after a short read, as no new
  // edge comes for an end that was already there.
  int fin;
  // Urgent data has arrived (EPOLLPRI): a read stops short at its mark with bytes still queued,
  // so reads go on until the socket says it is empty.
  int urgent;
  int shut;
  uint64_t bytes;
} direction_t;

struct relay {
  // side[0] is the client, side[1] the endpoint; dir[0] carries client -> endpoint.
  side_t side[2];
  direction_t dir[2];
  env_state *es;
  callback_t *cb;
  // What JavaScript returned for the connection when it was accepted, passed back in its events.
  napi_ref state;
  uv_timer_t timer;
  int timer_init;
  int phase;
  // An error a dial met at once (reported from the timer, never from inside dial()).
  int dial_err;
  // Whether the timer is still open and whether the External was collected: the memory goes
  // when neither holds it and the connection is finished.
  int timer_open;
  int finalized;
  struct sockaddr_storage peer;
};

typedef struct {
  int kind;
  env_state *es;
  int fd;
  uv_timer_t pause;
  callback_t *cb;
  int closed;
  int finalized;
  int timer_open;
} listener_t;

static void hold(env_state *es, int delta) {
  int before = es->active;
  es->active += delta;
  if (before == 0 && es->active > 0) uv_ref((uv_handle_t *)&es->poll);
  if (before > 0 && es->active == 0) uv_unref((uv_handle_t *)&es->poll);
}

static void release_memory(env_state *es, void *p) {
  if (!es->dispatching) {
    free(p);
    return;
  }
  if (es->buried == es->graves) {
    size_t n = es->graves ? es->graves * 2 : 64;
    void **g = realloc(es->graveyard, n * sizeof *g);
    // Without room to wait in, the memory is leaked rather than freed under a pending event.
    if (g == NULL) return;
    es->graveyard = g;
    es->graves = n;
  }
  es->graveyard[es->buried++] = p;
}

static void leave_js(env_state *es);

// A batch of events is handled (begun by setting `dispatching`): the memory it kept from being
// freed goes now, and what JavaScript queued during it runs.
static void end_batch(env_state *es) {
  es->dispatching = 0;
  for (size_t i = 0; i < es->buried; i++) free(es->graveyard[i]);
  es->buried = 0;
  leave_js(es);
}

// Opens the batch's callback scope before its first call into JavaScript: what JavaScript
// queued (promise jobs, nextTicks) then runs once when the batch is over.
static int enter_js(env_state *es) {
  if (es->scoped) return 1;
  napi_value resource;
  if (napi_open_handle_scope(es->env, &es->hs) != napi_ok) return 0;
  if (napi_get_reference_value(es->env, es->resource, &resource) != napi_ok ||
      napi_open_callback_scope(es->env, resource, es->context, &es->cs) != napi_ok) {
    napi_close_handle_scope(es->env, es->hs);
    return 0;
  }
  es->scoped = 1;
  return 1;
}

static void leave_js(env_state *es) {
  if (!es->scoped) return;
  es->scoped = 0;
  napi_close_callback_scope(es->env, es->cs);
  napi_close_handle_scope(es->env, es->hs);
}

static void callback_release(callback_t *cb) {
  if (--cb->refs > 0) return;
  napi_delete_reference(cb->env, cb->fn);
  free(cb);
}

// Calls the listener's function with (kind, first, a, b, errno). An exception it throws is the
// process's uncaught exception, as from any other callback.
static napi_value call_js(env_state *es, callback_t *cb, int kind, napi_value first, double a, double b, int err) {
  napi_env env = es->env;
  napi_value f, recv, argv[5], result = NULL;
  if (!enter_js(es) || napi_get_reference_value(env, cb->fn, &f) != napi_ok || napi_get_undefined(env, &recv) != napi_ok) return NULL;
  napi_create_int32(env, kind, &argv[0]);
  argv[1] = first;
  napi_create_double(env, a, &argv[2]);
  napi_create_double(env, b, &argv[3]);
  napi_create_int32(env, err, &argv[4]);
  if (napi_call_function(env, recv, f, 5, argv, &result) == napi_pending_exception) {
    napi_value e;
    napi_get_and_clear_last_exception(env, &e);
    napi_fatal_exception(env, e);
    return NULL;
  }
  return result;
}

// Tells JavaScript about one connection, with the object it keeps for it.
static void notify(relay *r, int kind, double a, double b, int err) {
  napi_value state;
  if (r->state == NULL || !enter_js(r->es) || napi_get_reference_value(r->es->env, r->state, &state) != napi_ok) return;
  call_js(r->es, r->cb, kind, state, a, b, err);
}

// Puts a side's socket in the epoll set, once: edge-triggered for both directions, so nothing
// changes there while the connection lives (level-triggered, every end and every full buffer
// cost an epoll_ctl to stop or start watching). Edges ask more of the relay: it reads until a
// read comes back short (the socket is empty), and what it leaves unread it must come back for
// on its own (rearm). 0 or an errno.
static int watch(relay *r, side_t *s) {
  if (s->watched) return 0;
  struct epoll_event ev = {.events = SIDE_EVENTS, .data.ptr = s};
  if (epoll_ctl(r->es->epfd, EPOLL_CTL_ADD, s->fd, &ev) != 0) return errno;
  s->watched = 1;
  return 0;
}

// Asks epoll to report a side again if it is ready now (a MOD looks at the socket afresh).
static void rearm(relay *r, side_t *s) {
  struct epoll_event ev = {.events = SIDE_EVENTS, .data.ptr = s};
  epoll_ctl(r->es->epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

// Closes a side's descriptor, which also takes it out of the epoll set: the sockets here are
// created close-on-exec and never duplicated, and Node's child_process returns from a spawn only
// once the child has exec'd (libuv waits for it), so no other process holds them and close()
// releases the socket. Events of this batch still pointing at the side find it closed (its
// memory waits for the batch to end).
static void close_side(relay *r, side_t *s) {
  (void)r;
  if (s->fd < 0) return;
  close(s->fd);
  s->fd = -1;
  s->watched = 0;
}

static void free_if_unused(relay *r) {
  if (r->timer_open || !r->finalized || r->phase != FINISHED) return;
  free(r->dir[0].buf);
  free(r->dir[1].buf);
  r->dir[0].buf = r->dir[1].buf = NULL;
  release_memory(r->es, r);
}

static void free_state_if_unused(env_state *es) {
  if (!es->poll_closed || es->open_timers > 0) return;
  free(es->graveyard);
  free(es);
}

static void on_timer_closed(uv_handle_t *h) {
  relay *r = h->data;
  env_state *es = r->es;
  r->timer_open = 0;
  free_if_unused(r);
  es->open_timers--;
  free_state_if_unused(es);
}

// Closes both sockets and, when `tell`, reports the byte counts and the error (0: both sides
// ended) to JavaScript. `reset` sends the client an RST instead of a FIN (a connection turned away).
static void finish(relay *r, int err, int tell, int reset) {
  if (r->phase == FINISHED) return;
  int relaying = r->phase == RELAYING;
  r->phase = FINISHED;
  if (reset && r->side[0].fd >= 0) {
    struct linger l = {1, 0};
    setsockopt(r->side[0].fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  for (int i = 0; i < 2; i++) close_side(r, &r->side[i]);
  if (r->timer_init) {
    r->timer_init = 0;
    uv_close((uv_handle_t *)&r->timer, on_timer_closed);
  }
  if (tell && relaying) notify(r, EV_DONE, (double)r->dir[0].bytes, (double)r->dir[1].bytes, err);
  if (r->state) napi_delete_reference(r->es->env, r->state);
  r->state = NULL;
  callback_release(r->cb);
  r->cb = NULL;
  hold(r->es, -1);
}

// Passes the end of direction d on to its destination as a half-close. When the other direction
// has ended and been passed on too, the relay finishes and close() sends the FIN: the shutdown
// would be a system call for nothing.
static void pass_end(relay *r, int d) {
  r->dir[d].shut = 1;
  // The other side may have gone already; its own read reports that.
  if (!r->dir[1 - d].shut) shutdown(r->side[1 - d].fd, SHUT_WR);
}

// Moves what can be moved in direction d without blocking; returns 0 or an errno. A read that
// did not fill the buffer is taken to have emptied the socket (TCP hands over all it holds, up
// to the size asked): bytes that come later bring a new edge, so the read that would find
// nothing is saved. Only a FIN already there brings none: with `fin` set, reads go on to it.
static int move(relay *r, int d) {
  direction_t *x = &r->dir[d];
  char *scratch = r->es->scratch;
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
      if (!x->shut) pass_end(r, d);
      return 0;
    }
    if (!more) return 0;
    ssize_t n = recv(src, scratch, BUF, MSG_DONTWAIT);
    if (n > 0) {
      x->bytes += (uint64_t)n;
      more = n == BUF || x->fin || x->urgent;
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
      x->urgent = 0;
      return 0;
    } else {
      return errno;
    }
  }
  // The rounds ran out on the read that found the end: pass it on now, as no event will come
  // for it (the side is not read any more and nothing waits to be written).
  if (x->eof && !x->shut && x->off >= x->len) pass_end(r, d);
  // The rounds ran out with bytes left to read: no new edge comes for bytes already there.
  else if (more && !x->eof && x->len == 0) rearm(r, &r->side[d]);
  return 0;
}

static void relay_event(relay *r, side_t *s, uint32_t events) {
  int i = (int)(s - r->side);
  if (events & EPOLLERR) {
    // Bytes that arrived before a reset can still be read (an answer sent right before the
    // endpoint reset the connection): they go on first, as Node's streams would deliver them.
    // The read that meets the reset reports it (and clears it from the socket).
    int err = 0;
    if (r->dir[i].len == 0 && !r->dir[i].eof) {
      r->dir[i].fin = 1;
      err = move(r, i);
    }
    if (err == 0) {
      socklen_t len = sizeof err;
      getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
    finish(r, err ? err : EIO, 1, 0);
    return;
  }
  // A hang-up is reported whatever was asked for: the reads and writes it makes fail or find
  // the end say what it means.
  if (events & EPOLLHUP) events |= EPOLLIN | EPOLLOUT | EPOLLRDHUP;
  // A readable side feeds its own direction, unless that direction waits for the other side to
  // take what it holds (then the bytes stay in the socket until a writable edge of the other
  // side flushes and reads on). A writable side drains the other direction into it, if it holds
  // anything.
  int err = 0;
  if (events & EPOLLRDHUP) r->dir[i].fin = 1;
  if (events & EPOLLPRI) r->dir[i].urgent = 1;
  if ((events & EPOLLIN) && r->dir[i].len == 0) err = move(r, i);
  if (!err && (events & EPOLLOUT) && r->dir[1 - i].off < r->dir[1 - i].len) err = move(r, 1 - i);
  if (err) finish(r, err, 1, 0);
  else if (r->dir[0].shut && r->dir[1].shut) finish(r, 0, 1, 0);
}

// A dial ended (err 0: connected). JavaScript hears of it; a failed dial it does not follow with
// another one turns the client away.
// `events` are the endpoint's, when the dial ended with one: bytes it sent at once come with the
// edge that said it was connected.
static void dialed(relay *r, int err, uint32_t events) {
  uv_timer_stop(&r->timer);
  if (err == 0) {
    r->phase = RELAYING;
    notify(r, EV_DIALED, 0, 0, 0);
    if (r->phase != RELAYING) return;
    // What the client sent while the dial went on (an HTTP request, usually) goes to the endpoint
    // now rather than after one more turn of the event loop; then the client joins the epoll set
    // (added edge-triggered, it is reported at once if more is already waiting, an end included).
    err = move(r, 0);
    if (!err) err = watch(r, &r->side[0]);
    if (err) finish(r, err, 1, 0);
    // Bytes the endpoint sent at once came with the edge that said it was connected.
    else if (events & EPOLLIN) relay_event(r, &r->side[1], events & (EPOLLIN | EPOLLRDHUP));
    else if (r->dir[0].shut && r->dir[1].shut) finish(r, 0, 1, 0);
    return;
  }
  close_side(r, &r->side[1]);
  r->phase = DIAL_FAILED;
  notify(r, EV_DIALED, 0, 0, err);
  if (r->phase == DIAL_FAILED) finish(r, err, 0, 1);
}

static void side_event(side_t *s, uint32_t events) {
  relay *r = s->r;
  if (s->fd < 0) return;
  if (r->phase == RELAYING) {
    relay_event(r, s, events);
  } else if (r->phase == DIALING && s == &r->side[1]) {
    // Writable without an error is connected; a refused or failed connect reports EPOLLERR, and
    // only then is the error asked for.
    int err = 0;
    if (events & (EPOLLERR | EPOLLHUP)) {
      socklen_t len = sizeof err;
      if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err == 0) err = ECONNREFUSED;
    }
    dialed(r, err, events);
  }
}

static void on_dial_timer(uv_timer_t *t) {
  relay *r = t->data;
  if (r->phase != DIALING) return;
  env_state *es = r->es;
  es->dispatching = 1;
  dialed(r, r->dial_err ? r->dial_err : ETIMEDOUT, 0);
  end_batch(es);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  relay *r = data;
  r->finalized = 1;
  if (r->phase != FINISHED) finish(r, ECANCELED, 0, 0);
  free_if_unused(r);
}

static void free_listener_if_unused(listener_t *l) {
  if (!l->timer_open && l->finalized) release_memory(l->es, l);
}

static void on_listener_timer_closed(uv_handle_t *h) {
  listener_t *l = h->data;
  env_state *es = l->es;
  l->timer_open = 0;
  free_listener_if_unused(l);
  es->open_timers--;
  free_state_if_unused(es);
}

static void close_listener(listener_t *l) {
  if (l->closed) return;
  l->closed = 1;
  uv_close((uv_handle_t *)&l->pause, on_listener_timer_closed);
  epoll_ctl(l->es->epfd, EPOLL_CTL_DEL, l->fd, NULL);
  close(l->fd);
  l->fd = -1;
  callback_release(l->cb);
  l->cb = NULL;
  hold(l->es, -1);
}

static void on_pause_over(uv_timer_t *t) {
  listener_t *l = t->data;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
  if (!l->closed) epoll_ctl(l->es->epfd, EPOLL_CTL_MOD, l->fd, &ev);
}

// Takes one accepted descriptor to JavaScript: a new connection handle, and back the state
// JavaScript keeps for it. A connection JavaScript neither dialed nor reset is turned away.
static void hand_over(listener_t *l, int fd, const struct sockaddr_storage *peer) {
  env_state *es = l->es;
  napi_env env = es->env;
  relay *r = calloc(1, sizeof *r);
  if (r == NULL) {
    close(fd);
    return;
  }
  r->es = es;
  for (int i = 0; i < 2; i++) {
    r->side[i].kind = W_SIDE;
    r->side[i].r = r;
  }
  r->side[0].fd = fd;
  r->side[1].fd = -1;
  r->peer = *peer;
  r->phase = ACCEPTED;
  r->cb = l->cb;
  r->cb->refs++;
  hold(es, 1);
  napi_value handle;
  if (!enter_js(es) || napi_create_external(env, r, finalize, NULL, &handle) != napi_ok) {
    finish(r, ECANCELED, 0, 1);
    r->finalized = 1;
    free_if_unused(r);
    return;
  }
  if (napi_type_tag_object(env, handle, &CONNECTION_TAG) != napi_ok) {
    // The External's finalizer frees it.
    finish(r, ECANCELED, 0, 1);
    return;
  }
  napi_value state = call_js(es, r->cb, EV_ACCEPTED, handle, 0, 0, 0);
  if (r->phase == FINISHED) return;
  napi_valuetype t = napi_undefined;
  if (state != NULL) napi_typeof(env, state, &t);
  if (r->phase == ACCEPTED || t != napi_object || napi_create_reference(env, state, 1, &r->state) != napi_ok) {
    r->state = NULL;
    finish(r, ECANCELED, 0, 1);
  }
}

static void accept_some(listener_t *l) {
  for (int i = 0; i < ACCEPTS && !l->closed; i++) {
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    int fd = accept4(l->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        struct epoll_event ev = {.events = 0, .data.ptr = l};
        epoll_ctl(l->es->epfd, EPOLL_CTL_MOD, l->fd, &ev);
        uv_timer_start(&l->pause, on_pause_over, ACCEPT_PAUSE_MS, 0);
      }
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    hand_over(l, fd, &peer);
  }
}

// The addon's epoll set has events: handle a batch of them.
static void on_epoll(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  env_state *es = h->data;
  struct epoll_event evs[EVENTS];
  int n = epoll_wait(es->epfd, evs, EVENTS, 0);
  if (n <= 0) return;
  es->dispatching = 1;
  for (int i = 0; i < n; i++) {
    int kind = *(int *)evs[i].data.ptr;
    if (kind == W_LISTENER) {
      listener_t *l = evs[i].data.ptr;
      if (!l->closed) accept_some(l);
    } else {
      side_event(evs[i].data.ptr, evs[i].events);
    }
  }
  end_batch(es);
}

static void finalize_listener(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  listener_t *l = data;
  l->finalized = 1;
  close_listener(l);
  free_listener_if_unused(l);
}

// Parses an IPv4 or IPv6 address with a port into `ss`; 0 or EINVAL.
static int parse_address(const char *host, uint32_t port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  if (port > 65535) return EINVAL;
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *len = sizeof *v4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *len = sizeof *v6;
    return 0;
  }
  return EINVAL;
}

static int string_arg(napi_env env, napi_value v, char *out, size_t size) {
  size_t n;
  return napi_get_value_string_utf8(env, v, out, size, &n) == napi_ok && n < size - 1 ? 0 : EINVAL;
}

static env_state *state_of(napi_env env) {
  env_state *es = NULL;
  napi_get_instance_data(env, (void **)&es);
  return es;
}

// listen(host, port, backlog, onEvent) -> handle, or a negative errno when the address cannot be
// bound or listened on. onEvent(kind, x, a, b, errno) is called with
//   EV_ACCEPTED, the new connection's handle: returns the object its later events carry (after
//     dial() or reset() on the handle; anything else turns the client away);
//   EV_DIALED, that object, errno (0: connected and relaying; else the client waits for
//     another dial() from inside this call, or is turned away);
//   EV_DONE, that object, bytes client -> endpoint, bytes endpoint -> client, errno (0: both
//     sides ended; not after reset() or destroy()).
static napi_value tcp_listen(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char host[64];
  uint32_t port, backlog;
  napi_valuetype t;
  env_state *es = state_of(env);
  if (es == NULL) {
    napi_throw_error(env, NULL, "tcp-relay: not initialized");
    return NULL;
  }
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 || string_arg(env, argv[0], host, sizeof host) != 0 ||
      napi_get_value_uint32(env, argv[1], &port) != napi_ok || napi_get_value_uint32(env, argv[2], &backlog) != napi_ok ||
      napi_typeof(env, argv[3], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, NULL, "listen(host, port, backlog, onEvent)");
    return NULL;
  }
  struct sockaddr_storage ss;
  socklen_t len;
  napi_value out;
  if (parse_address(host, port, &ss, &len) != 0) {
    napi_create_int32(env, -EINVAL, &out);
    return out;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  // As libuv binds a TCP server: SO_REUSEADDR, so a restarted proxy can bind while connections
  // of its predecessor linger in TIME_WAIT.
  int err = fd < 0 ? errno : 0;
  if (!err && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) err = errno;
  if (!err && bind(fd, (struct sockaddr *)&ss, len) != 0) err = errno;
  if (!err && listen(fd, (int)backlog) != 0) err = errno;
  listener_t *l = NULL;
  callback_t *cb = NULL;
  if (!err && ((l = calloc(1, sizeof *l)) == NULL || (cb = calloc(1, sizeof *cb)) == NULL)) err = ENOMEM;
  if (!err) {
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    if (epoll_ctl(es->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) err = errno;
  }
  if (err) {
    free(l);
    free(cb);
    if (fd >= 0) close(fd);
    napi_create_int32(env, -err, &out);
    return out;
  }
  cb->env = env;
  cb->refs = 1;
  napi_create_reference(env, argv[3], 1, &cb->fn);
  l->kind = W_LISTENER;
  l->es = es;
  l->fd = fd;
  l->cb = cb;
  uv_timer_init(es->loop, &l->pause);
  l->pause.data = l;
  l->timer_open = 1;
  es->open_timers++;
  hold(es, 1);
  if (napi_create_external(env, l, finalize_listener, NULL, &out) != napi_ok) {
    l->finalized = 1;
    close_listener(l);
    napi_throw_error(env, NULL, "tcp-relay: cannot create the listener");
    return NULL;
  }
  if (napi_type_tag_object(env, out, &LISTENER_TAG) != napi_ok) {
    // The External's finalizer frees it.
    close_listener(l);
    napi_throw_error(env, NULL, "tcp-relay: cannot create the listener");
    return NULL;
  }
  return out;
}

// close(listener): stops accepting; connections already accepted carry on.
static napi_value tcp_close(napi_env env, napi_callback_info info) {
  listener_t *l = kubesvc_handle_arg(env, info, &LISTENER_TAG);
  if (l == NULL) {
    napi_throw_type_error(env, NULL, "close(listener)");
    return NULL;
  }
  close_listener(l);
  return NULL;
}

// The connection a function of one argument was called with; throws otherwise.
static relay *connection_only_arg(napi_env env, napi_callback_info info, const char *usage) {
  relay *r = kubesvc_handle_arg(env, info, &CONNECTION_TAG);
  if (r == NULL) napi_throw_type_error(env, NULL, usage);
  return r;
}

// The connection a function was called with as its first argument; throws otherwise.
static relay *connection_arg(napi_env env, napi_value v, const char *usage) {
  relay *r = kubesvc_tagged_external(env, v, &CONNECTION_TAG);
  if (r == NULL) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  return r;
}

// dial(connection, host, port, timeoutMs): connects to the endpoint. Its outcome is an
// EV_DIALED event, never reported from inside this call. Throws if the connection is not
// waiting for a dial or the address is not one.
static napi_value tcp_dial(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char host[64];
  uint32_t port, timeout;
  const char *usage = "dial(connection, host, port, timeoutMs)";
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  relay *r = connection_arg(env, argv[0], usage);
  if (r == NULL) return NULL;
  if (string_arg(env, argv[1], host, sizeof host) != 0 || napi_get_value_uint32(env, argv[2], &port) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &timeout) != napi_ok) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  if (r->phase != ACCEPTED && r->phase != DIAL_FAILED) {
    napi_throw_error(env, NULL, "tcp-relay: the connection is not waiting for a dial");
    return NULL;
  }
  struct sockaddr_storage ss;
  socklen_t len;
  if (parse_address(host, port, &ss, &len) != 0) {
    napi_throw_type_error(env, NULL, "tcp-relay: not an IP address and port");
    return NULL;
  }
  if (!r->timer_init) {
    uv_timer_init(r->es->loop, &r->timer);
    r->timer.data = r;
    r->timer_init = 1;
    r->timer_open = 1;
    r->es->open_timers++;
  }
  r->phase = DIALING;
  r->dial_err = 0;
  side_t *e = &r->side[1];
  e->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int err = e->fd < 0 ? errno : 0;
  if (!err) {
    int one = 1;
    setsockopt(e->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(e->fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) err = errno;
  }
  if (!err) err = watch(r, e);
  if (!err) {
    uv_timer_start(&r->timer, on_dial_timer, timeout, 0);
  } else {
    // Reported from the event loop as a failed dial, like one the kernel reports later.
    close_side(r, e);
    r->dial_err = err;
    uv_timer_start(&r->timer, on_dial_timer, 0, 0);
  }
  return NULL;
}

// peer(connection) -> the client's address.
static napi_value tcp_peer(napi_env env, napi_callback_info info) {
  napi_value out;
  char text[INET6_ADDRSTRLEN] = "";
  relay *r = connection_only_arg(env, info, "peer(connection)");
  if (r == NULL) return NULL;
  if (r->peer.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&r->peer)->sin_addr, text, sizeof text);
  if (r->peer.ss_family == AF_INET6) {
    struct in6_addr *a = &((struct sockaddr_in6 *)&r->peer)->sin6_addr;
    // A v4-mapped client of a dual-stack socket is its IPv4 address, as the proxy's rules see it.
    if (IN6_IS_ADDR_V4MAPPED(a)) inet_ntop(AF_INET, &a->s6_addr[12], text, sizeof text);
    else inet_ntop(AF_INET6, a, text, sizeof text);
  }
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

// bytes(connection) -> [client -> endpoint, endpoint -> client] so far.
static napi_value tcp_bytes(napi_env env, napi_callback_info info) {
  napi_value out, v;
  relay *r = connection_only_arg(env, info, "bytes(connection)");
  if (r == NULL) return NULL;
  napi_create_array_with_length(env, 2, &out);
  for (uint32_t i = 0; i < 2; i++) {
    napi_create_double(env, (double)r->dir[i].bytes, &v);
    napi_set_element(env, out, i, v);
  }
  return out;
}

// destroy(connection) closes both sockets now, reset(connection) turns the client away with an
// RST; no event follows either.
static napi_value end_connection(napi_env env, napi_callback_info info, int reset) {
  relay *r = connection_only_arg(env, info, reset ? "reset(connection)" : "destroy(connection)");
  if (r == NULL) return NULL;
  finish(r, reset ? ECONNRESET : ECANCELED, 0, reset);
  return NULL;
}

static napi_value tcp_destroy(napi_env env, napi_callback_info info) {
  return end_connection(env, info, 0);
}

static napi_value tcp_reset(napi_env env, napi_callback_info info) {
  return end_connection(env, info, 1);
}

static void on_epoll_closed(uv_handle_t *h) {
  env_state *es = h->data;
  close(es->epfd);
  es->poll_closed = 1;
  free_state_if_unused(es);
}

// The environment is going away (the process exits, or the worker that loaded the addon ends).
static void teardown(napi_env env, void *data, void *hint) {
  (void)hint;
  env_state *es = data;
  napi_delete_reference(env, es->resource);
  napi_async_destroy(env, es->context);
  uv_close((uv_handle_t *)&es->poll, on_epoll_closed);
}

static napi_value init(napi_env env, napi_value exports) {
  env_state *es = calloc(1, sizeof *es);
  napi_value resource, name;
  if (es == NULL || napi_get_uv_event_loop(env, &es->loop) != napi_ok || (es->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
    free(es);
    napi_throw_error(env, NULL, "tcp-relay: cannot create an epoll set");
    return NULL;
  }
  es->env = env;
  if (uv_poll_init(es->loop, &es->poll, es->epfd) != 0) {
    close(es->epfd);
    free(es);
    napi_throw_error(env, NULL, "tcp-relay: libuv cannot watch the epoll set");
    return NULL;
  }
  es->poll.data = es;
  uv_poll_start(&es->poll, UV_READABLE, on_epoll);
  // Until a listener opens, the epoll set does not keep the process alive.
  uv_unref((uv_handle_t *)&es->poll);
  napi_create_object(env, &resource);
  napi_create_string_utf8(env, "kubesvc:tcp-proxy", NAPI_AUTO_LENGTH, &name);
  napi_create_reference(env, resource, 1, &es->resource);
  napi_async_init(env, resource, name, &es->context);
  napi_set_instance_data(env, es, teardown, NULL);

  napi_property_descriptor props[] = {
      {"listen", NULL, tcp_listen, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, tcp_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dial", NULL, tcp_dial, NULL, NULL, NULL, napi_enumerable, NULL},
      {"peer", NULL, tcp_peer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bytes", NULL, tcp_bytes, NULL, NULL, NULL, napi_enumerable, NULL},
      {"destroy", NULL, tcp_destroy, NULL, NULL, NULL, napi_enumerable, NULL},
      {"reset", NULL, tcp_reset, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
