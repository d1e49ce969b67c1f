/* The console's files built into huizongd: a table generated at build
 * time by service/transport/embed_web.py from the meson option web_dist
 * (default client/web/dist when it holds index.html at configure time).
 * Empty when the build had no console. Read-only, static lifetime. */
#ifndef HZ_TRANSPORT_WEB_ASSETS_H
#define HZ_TRANSPORT_WEB_ASSETS_H

#include <stddef.h>
#include <stdint.h>

typedef struct hz_web_asset_s {
  const char *path;         /* "/index.html", "/assets/index-3f2a.js": sorted */
  const char *etag;         /* quoted strong validator from the content hash */
  const uint8_t *data;      /* the file's bytes */
  size_t len;               /* bytes of data */
  const char *content_type; /* by extension, chosen by the generator */
} hz_web_asset_t;

/* Content types by file extension: the one table, from the generator, for
 * the built-in files and for --web-root alike. */
typedef struct hz_web_type_s {
  const char *ext;  /* "js", lower case, no dot */
  const char *type; /* "text/javascript; charset=utf-8" */
} hz_web_type_t;

extern const hz_web_type_t hz_web_types[];
extern const size_t hz_web_types_count;

extern const hz_web_asset_t hz_web_assets[];
extern const size_t hz_web_assets_count;

#endif
