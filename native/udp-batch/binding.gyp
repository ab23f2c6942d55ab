{
  "targets": [
    {
      "target_name": "udp_batch",
      "sources": ["udp_batch.c"],
      "defines": ["NAPI_VERSION=8"],
      "include_dirs": ["../include"],
      "cflags": ["-Wall", "-Wextra"]
    }
  ]
}
