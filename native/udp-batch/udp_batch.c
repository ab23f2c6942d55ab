// A UDP socket that receives and sends datagrams in batches (recvmmsg/sendmmsg), for the cluster
// DNS server, as a Node-API addon.
//
// Node 20's dgram makes two system calls, a Buffer and an address object per datagram, and calls
// into JavaScript once per datagram: a DNS server on it tops out at Node's own UDP echo (measured
// in bench/README.md, below dnsmasq). Here one wakeup reads up to BATCH datagrams with one
// recvmmsg into memory JavaScript shares, calls JavaScript once for all of them, and sends every
// reply it wrote with one sendmmsg. Under load the system calls and calls into JavaScript per
// query drop by the batch size; a lone query still costs one of each.
//
// JavaScript owns the shared memory (two Buffers of BATCH slots of SLOT bytes, and an Int32Array
// of four numbers per slot: length in, source IPv4 address, source port, length out). A received
// datagram longer than a slot is reported with length -1 (a DNS query over UDP is at most a few
// hundred bytes; one that does not fit is dropped, as a server with a 4 KiB buffer drops it).
// IPv4 only: the server keeps Node's dgram for IPv6 listeners and wherever this addon is absent.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

#include "kubesvc_napi.h"

#define BATCH 64
#define SLOT 4096
// Batches read per wakeup before the event loop gets its turn (timers, TCP, the API).
#define ROUNDS 8

typedef struct {
  uv_poll_t poll;
  int fd;
  napi_env env;
  napi_ref callback;
  napi_ref buffers[3];
  napi_async_context context;
  napi_ref resource;
  unsigned char *in;
  unsigned char *out;
  int32_t *meta;
  int close_requested;
  int handle_closed;
  int finalized;
  struct mmsghdr rmsg[BATCH];
  struct mmsghdr smsg[BATCH];
  struct iovec riov[BATCH];
  struct iovec siov[BATCH];
  struct sockaddr_in raddr[BATCH];
} batch_socket;

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_value code, msg, error, errnum, sys;
  char text[128];
  const char *name = uv_err_name(uv_translate_sys_error(err));
  snprintf(text, sizeof text, "%s %s", syscall, name);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &error);
  napi_create_int32(env, -err, &errnum);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "errno", errnum);
  napi_set_named_property(env, error, "syscall", sys);
  napi_throw(env, error);
  return NULL;
}

static void release_refs(batch_socket *s) {
  if (s->callback) napi_delete_reference(s->env, s->callback);
  s->callback = NULL;
  for (int i = 0; i < 3; i++) {
    if (s->buffers[i]) napi_delete_reference(s->env, s->buffers[i]);
    s->buffers[i] = NULL;
  }
  if (s->context) napi_async_destroy(s->env, s->context);
  s->context = NULL;
  if (s->resource) napi_delete_reference(s->env, s->resource);
  s->resource = NULL;
}

static void on_closed(uv_handle_t *h) {
  batch_socket *s = h->data;
  s->handle_closed = 1;
  if (s->finalized) free(s);
}

// The socket is closed at once, so its port is free when close() returns (a server restarted on
// the same port binds again right away); uv_close has already taken the descriptor out of the
// loop's poll set by then, and only frees the handle later.
static void request_close(batch_socket *s) {
  if (s->close_requested) return;
  s->close_requested = 1;
  uv_close((uv_handle_t *)&s->poll, on_closed);
  close(s->fd);
  s->fd = -1;
}

// Sends the replies JavaScript wrote for the first n slots of the batch just read.
static void send_replies(batch_socket *s, int n) {
  int m = 0;
  for (int i = 0; i < n; i++) {
    int32_t len = s->meta[i * 4 + 3];
    if (len <= 0 || len > SLOT) continue;
    s->siov[m].iov_base = s->out + (size_t)i * SLOT;
    s->siov[m].iov_len = (size_t)len;
    memset(&s->smsg[m].msg_hdr, 0, sizeof s->smsg[m].msg_hdr);
    s->smsg[m].msg_hdr.msg_name = &s->raddr[i];
    s->smsg[m].msg_hdr.msg_namelen = sizeof s->raddr[i];
    s->smsg[m].msg_hdr.msg_iov = &s->siov[m];
    s->smsg[m].msg_hdr.msg_iovlen = 1;
    m++;
  }
  int sent = 0;
  while (sent < m) {
    int r = sendmmsg(s->fd, s->smsg + sent, (unsigned)(m - sent), MSG_DONTWAIT);
    if (r > 0) {
      sent += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The socket's send buffer is full: the rest are dropped, as the kernel drops datagrams
      // beyond a full receive buffer; the clients ask again.
      break;
    } else {
      // This reply could not go (e.g. no route to its client): skip it, send the others.
      sent++;
    }
  }
}

static void deliver(batch_socket *s, int n) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value arg;
  if (napi_create_int32(env, n, &arg) == napi_ok) kubesvc_call(env, s->context, s->resource, s->callback, 1, &arg);
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  batch_socket *s = h->data;
  if (status < 0) return;
  for (int round = 0; round < ROUNDS && !s->close_requested; round++) {
    for (int i = 0; i < BATCH; i++) {
      s->riov[i].iov_base = s->in + (size_t)i * SLOT;
      s->riov[i].iov_len = SLOT;
      memset(&s->rmsg[i].msg_hdr, 0, sizeof s->rmsg[i].msg_hdr);
      s->rmsg[i].msg_hdr.msg_name = &s->raddr[i];
      s->rmsg[i].msg_hdr.msg_namelen = sizeof s->raddr[i];
      s->rmsg[i].msg_hdr.msg_iov = &s->riov[i];
      s->rmsg[i].msg_hdr.msg_iovlen = 1;
      s->rmsg[i].msg_len = 0;
    }
    int n = recvmmsg(s->fd, s->rmsg, BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EAGAIN: all read. Anything else (an ICMP error queued on the socket) is reported once
      // and cleared; the next wakeup reads on.
      return;
    }
    if (n == 0) return;
    for (int i = 0; i < n; i++) {
      int truncated = (s->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0 || s->raddr[i].sin_family != AF_INET;
      s->meta[i * 4 + 0] = truncated ? -1 : (int32_t)s->rmsg[i].msg_len;
      s->meta[i * 4 + 1] = (int32_t)ntohl(s->raddr[i].sin_addr.s_addr);
      s->meta[i * 4 + 2] = ntohs(s->raddr[i].sin_port);
      s->meta[i * 4 + 3] = 0;
    }
    deliver(s, n);
    if (s->close_requested) return;
    send_replies(s, n);
    if (n < BATCH) return;
  }
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  batch_socket *s = data;
  s->finalized = 1;
  if (!s->close_requested) {
    release_refs(s);
    request_close(s);
  } else if (s->handle_closed) {
    free(s);
  }
}

static int get_buffer(napi_env env, napi_value v, size_t want, void **data) {
  bool is;
  size_t len = 0;
  if (napi_is_buffer(env, v, &is) == napi_ok && is) {
    if (napi_get_buffer_info(env, v, data, &len) != napi_ok) return 0;
    return len >= want;
  }
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count;
    napi_value ab;
    size_t offset;
    if (napi_get_typedarray_info(env, v, &type, &count, data, &ab, &offset) != napi_ok) return 0;
    return type == napi_int32_array && count * 4 >= want;
  }
  return 0;
}

// open(host, port, recvBufferBytes, inBuffer, outBuffer, meta: Int32Array, onBatch(n), resource)
//   -> handle. Throws an Error with code (EADDRINUSE, EACCES, ...) as Node's bind does.
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 8) {
    napi_throw_type_error(env, NULL, "open(host, port, recvBuffer, in, out, meta, onBatch, resource)");
    return NULL;
  }
  char host[64];
  size_t hostLen;
  int32_t port, rcvbuf;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hostLen) != napi_ok || napi_get_value_int32(env, argv[1], &port) != napi_ok ||
      napi_get_value_int32(env, argv[2], &rcvbuf) != napi_ok || port < 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "open: host must be a string, port 0-65535, recvBuffer a number");
    return NULL;
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    napi_throw_type_error(env, "EINVAL", "open: host must be an IPv4 address");
    return NULL;
  }
  batch_socket *s = calloc(1, sizeof *s);
  if (s == NULL) {
    napi_throw_error(env, NULL, "udp-batch: out of memory");
    return NULL;
  }
  s->env = env;
  void *in, *out, *meta;
  if (!get_buffer(env, argv[3], (size_t)BATCH * SLOT, &in) || !get_buffer(env, argv[4], (size_t)BATCH * SLOT, &out) ||
      !get_buffer(env, argv[5], (size_t)BATCH * 16, &meta)) {
    free(s);
    napi_throw_type_error(env, NULL, "open: in and out must be Buffers of batch x slot bytes, meta an Int32Array of batch x 4");
    return NULL;
  }
  s->in = in;
  s->out = out;
  s->meta = meta;
  s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0) {
    int err = errno;
    free(s);
    return throw_errno(env, "socket", err);
  }
  // More room for bursts than the default; the kernel caps it at net.core.rmem_max.
  if (rcvbuf > 0) setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    int err = errno;
    close(s->fd);
    free(s);
    return throw_errno(env, "bind", err);
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init_socket(loop, &s->poll, s->fd) != 0) {
    close(s->fd);
    free(s);
    napi_throw_error(env, NULL, "udp-batch: cannot watch the socket");
    return NULL;
  }
  s->poll.data = s;
  napi_value name;
  napi_create_string_utf8(env, "kubesvc:udp-batch", NAPI_AUTO_LENGTH, &name);
  napi_create_reference(env, argv[6], 1, &s->callback);
  for (int i = 0; i < 3; i++) napi_create_reference(env, argv[3 + i], 1, &s->buffers[i]);
  napi_create_reference(env, argv[7], 1, &s->resource);
  napi_async_init(env, argv[7], name, &s->context);
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  napi_value handle;
  if (napi_create_external(env, s, finalize, NULL, &handle) != napi_ok) {
    release_refs(s);
    request_close(s);
    s->finalized = 1;
    napi_throw_error(env, NULL, "udp-batch: cannot create the handle");
    return NULL;
  }
  return handle;
}

// port(handle) -> the bound port (useful after binding port 0).
static napi_value local_port(napi_env env, napi_callback_info info) {
  napi_value result;
  batch_socket *s = kubesvc_handle_arg(env, info, NULL);
  if (s == NULL || s->close_requested) {
    napi_throw_error(env, "ERR_SOCKET_DGRAM_NOT_RUNNING", "udp-batch: socket is closed");
    return NULL;
  }
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  if (getsockname(s->fd, (struct sockaddr *)&addr, &len) != 0) return throw_errno(env, "getsockname", errno);
  napi_create_int32(env, ntohs(addr.sin_port), &result);
  return result;
}

// sendTo(handle, buffer, length, ipv4 as uint32, port) -> 0, or a negative errno (a datagram to
// one client failing is that client's problem, not an exception).
static napi_value send_to(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  batch_socket *s = argc == 5 ? kubesvc_external(env, argv[0]) : NULL;
  void *data;
  size_t len;
  int32_t want, port;
  uint32_t ip;
  bool is;
  if (s == NULL || napi_is_buffer(env, argv[1], &is) != napi_ok || !is || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok ||
      napi_get_value_int32(env, argv[2], &want) != napi_ok || napi_get_value_uint32(env, argv[3], &ip) != napi_ok ||
      napi_get_value_int32(env, argv[4], &port) != napi_ok || want < 0 || (size_t)want > len || port <= 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "sendTo(handle, buffer, length, ip, port)");
    return NULL;
  }
  int r = -EBADF;
  if (!s->close_requested) {
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(ip);
    ssize_t n;
    do n = sendto(s->fd, data, (size_t)want, MSG_DONTWAIT, (struct sockaddr *)&addr, sizeof addr);
    while (n < 0 && errno == EINTR);
    r = n < 0 ? -errno : 0;
  }
  napi_create_int32(env, r, &result);
  return result;
}

// close(handle): stops reading and closes the socket; the callback is not called again.
static napi_value close_socket(napi_env env, napi_callback_info info) {
  batch_socket *s = kubesvc_handle_arg(env, info, NULL);
  if (s != NULL && !s->close_requested) {
    release_refs(s);
    request_close(s);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value batch, slot;
  napi_property_descriptor props[] = {
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"port", NULL, local_port, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendTo", NULL, send_to, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_create_int32(env, BATCH, &batch);
  napi_create_int32(env, SLOT, &slot);
  napi_set_named_property(env, exports, "batch", batch);
  napi_set_named_property(env, exports, "slot", slot);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
