{
  "targets": [
    {
      "target_name": "tcp_relay",
      "sources": ["tcp_relay.c"],
      "defines": ["NAPI_VERSION=8"],
      "include_dirs": ["../include"],
      "cflags": ["-Wall", "-Wextra"]
    }
  ]
}
