/* The console's files: path normalisation, lookup (built-in table or
 * --web-root), conditional requests and the security headers (see
 * static.h). */
#include "transport/static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/context.h"
#include "transport/route.h"
#include "transport/web_assets.h"

/* What the browser may load: only this origin's own files, no inline
 * script, no plugins, no framing; styles may be inline because the UI kit
 * sets style attributes (scripts cannot be). */
#define CSP_HEAD                                                                      \
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "         \
  "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; " \
  "form-action 'self'; frame-ancestors 'none'; connect-src 'self'"

#define NO_CONSOLE                                                                       \
  "The web console is not part of this huizongd build.\n"                                \
  "Build it with:  cd client/web && npm ci && npm run build\n"                           \
  "then rebuild huizongd (ninja -C build embeds client/web/dist; run meson setup again " \
  "if dist did not exist before), or start huizongd with --web-root client/web/dist.\n"

/* A file found for a path. */
typedef struct {
  const uint8_t *data;      /* embedded bytes or an arena copy */
  size_t len;               /* bytes of data */
  const char *etag;         /* quoted */
  const char *content_type; /* from the generated table */
} found_t;

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char)(c | 0x20);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The normalised path ("/a/b", "/" for the root) in the arena, or NULL
 * for a path that must not be looked up at all (see static.h). */
static char *normalise(hz_arena_t *a, const char *raw) {
  size_t n = strcspn(raw, "?#");
  char *dec = hz_arena_alloc(a, n + 2), *out = hz_arena_alloc(a, n + 2);
  if (!dec || !out || raw[0] != '/')
    return NULL;
  size_t d = 0;
  for (size_t i = 0; i < n; i++) {
    char c = raw[i];
    if (c == '%') {
      int hi = i + 2 < n + 1 ? hexval(raw[i + 1]) : -1, lo = hi >= 0 ? hexval(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return NULL;
      c = (char)(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0' || c == '\\')
      return NULL;
    dec[d++] = c;
  }
  dec[d] = '\0';
  size_t o = 0;
  for (char *seg = dec, *end; *seg; seg = end) {
    while (*seg == '/')
      seg++;
    end = seg + strcspn(seg, "/");
    size_t len = (size_t)(end - seg);
    if (len == 0 || (len == 1 && seg[0] == '.'))
      continue;
    if (len == 2 && seg[0] == '.' && seg[1] == '.')
      return NULL;
    out[o++] = '/';
    memcpy(out + o, seg, len);
    o += len;
  }
  if (o == 0)
    out[o++] = '/';
  out[o] = '\0';
  return out;
}

static const char *type_of(const char *path) {
  const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
  if (dot && (!slash || dot > slash))
    for (size_t i = 0; i < hz_web_types_count; i++)
      if (strcasecmp(hz_web_types[i].ext, dot + 1) == 0)
        return hz_web_types[i].type;
  return "application/octet-stream";
}

static int find_embedded(const char *path, found_t *f) {
  size_t lo = 0, hi = hz_web_assets_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(path, hz_web_assets[mid].path);
    if (c == 0) {
      const hz_web_asset_t *e = &hz_web_assets[mid];
      *f = (found_t){e->data, e->len, e->etag, e->content_type};
      return 0;
    }
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return -ENOENT;
}

/* Reads root/path into the arena when it is a regular file inside root.
 * Synchronous: the console is a few small files, read on a cache-warm
 * disk; not a general file server. */
static int find_in_root(hz_arena_t *a, const char *root, const char *path, found_t *f) {
  char rroot[PATH_MAX], full[PATH_MAX], real[PATH_MAX];
  if (!realpath(root, rroot) || snprintf(full, sizeof(full), "%s%s", rroot, path) >= PATH_MAX)
    return -ENOENT;
  if (!realpath(full, real))
    return -ENOENT;
  size_t rl = strlen(rroot);
  if (strncmp(real, rroot, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'))
    return -EACCES; /* a symbolic link out of the root */
  int fd = open(real, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0)
    return -ENOENT;
  int r = -ENOENT;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    uint8_t *buf = hz_arena_alloc(a, (size_t)st.st_size + 1);
    r = buf ? 0 : -ENOMEM;
    if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size)
      r = -EIO;
    if (r == 0) {
      char *etag = hz_arena_printf(a, "\"%llx-%llx\"", (unsigned long long)st.st_size,
                                   (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                                       (unsigned long long)st.st_mtim.tv_nsec);
      *f = (found_t){buf, (size_t)st.st_size, etag ? etag : "\"\"", type_of(path)};
    }
  }
  close(fd);
  return r;
}

static int find(hz_call_t *call, const char *path, found_t *f) {
  const char *root = call->ctx->config->web_root;
  return root ? find_in_root(&call->arena, root, path, f) : find_embedded(path, f);
}

/* A console route ("/dashboard/420624"): no dot in the last segment. */
static int looks_like_route(const char *path) {
  return strchr(strrchr(path, '/'), '.') == NULL;
}

static int etag_matches(const char *inm, const char *etag) {
  if (!inm)
    return 0;
  if (strcmp(inm, "*") == 0)
    return 1;
  size_t n = strlen(etag);
  for (const char *p = inm; (p = strstr(p, etag)) != NULL; p += n)
    if ((p == inm || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/') &&
        (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
      return 1;
  return 0;
}

static const char *csp(hz_call_t *call) {
  const hz_config_t *cfg = call->ctx->config;
  const char *v = CSP_HEAD;
  for (uint32_t i = 0; i < cfg->ncors_origins && v; i++)
    v = hz_arena_printf(&call->arena, "%s %s", v, cfg->cors_origins[i]);
  return v ? v : CSP_HEAD;
}

static void send_file(hz_call_t *call, const char *path, const found_t *f) {
  int fresh = etag_matches(hz_call_metadata(call, "if-none-match"), f->etag);
  hz_plain_t *p = hz_route_plain(call, fresh ? 304 : 200);
  if (!p)
    return;
  hz_route_header(p, "content-type", f->content_type);
  hz_route_header(p, "etag", f->etag);
  hz_route_header(p, "cache-control",
                  strncmp(path, "/assets/", 8) == 0 ? "public, max-age=31536000, immutable"
                                                    : "no-cache");
  hz_route_header(p, "content-security-policy", csp(call));
  hz_route_header(p, "referrer-policy", "no-referrer");
  if (!fresh) {
    p->body = f->data;
    p->len = f->len;
  }
  hz_stream_respond_plain(call);
}

void hz_static_answer(hz_call_t *call) {
  char *path = normalise(&call->arena, call->path ? call->path : "");
  if (!path) {
    hz_route_text(call, 400, "bad path: '..', '\\', NUL and malformed %-escapes are refused\n");
    return;
  }
  if (strcmp(path, "/") == 0)
    path = "/index.html";
  found_t f;
  int r = find(call, path, &f);
  if (r == -ENOENT && looks_like_route(path)) {
    path = "/index.html";
    r = find(call, path, &f);
  }
  if (r == 0) {
    send_file(call, path, &f);
    return;
  }
  if (r == -ENOMEM) {
    hz_stream_respond(call, HZ_STATUS_RESOURCE_EXHAUSTED, HZ_CALL_OOM_MESSAGE);
    return;
  }
  found_t index;
  if (find(call, "/index.html", &index) != 0)
    hz_route_text(call, 404, NO_CONSOLE);
  else
    hz_route_text(call, 404, "not found\n");
}
