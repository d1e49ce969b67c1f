/* Server reflection over the embedded FileDescriptorSet. */
#include "builtin/reflection.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.pb-c.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "transport/call.h"

extern const uint8_t hz_descriptor_set[];
extern const size_t hz_descriptor_set_len;

typedef Google__Protobuf__FileDescriptorSet fdset_t;
typedef Google__Protobuf__FileDescriptorProto fdp_t;
typedef Google__Protobuf__DescriptorProto msgdesc_t;
typedef Grpc__Reflection__V1__ServerReflectionRequest refl_req_t;
typedef Grpc__Reflection__V1__ServerReflectionResponse refl_resp_t;

/* ---- index ------------------------------------------------------------- */

static int add_symbol(hz_reflection_t *r, const char *scope, const char *name, size_t file,
                      int is_message) {
  if (r->nsymbols == r->symbols_cap) {
    size_t cap = r->symbols_cap ? r->symbols_cap * 2 : 256;
    hz_reflection_symbol_t *ns = realloc(r->symbols, cap * sizeof(*ns));
    if (!ns)
      return -ENOMEM;
    r->symbols = ns;
    r->symbols_cap = cap;
  }
  size_t len = strlen(scope) + strlen(name) + 2;
  char *full = malloc(len);
  if (!full)
    return -ENOMEM;
  snprintf(full, len, "%s%s%s", scope, *scope ? "." : "", name);
  r->symbols[r->nsymbols++] = (hz_reflection_symbol_t){full, file, is_message};
  return 0;
}

static int index_message(hz_reflection_t *r, const char *scope, const msgdesc_t *m, size_t file) {
  if (add_symbol(r, scope, m->name, file, 1))
    return -ENOMEM;
  const char *self = r->symbols[r->nsymbols - 1].name;
  for (size_t i = 0; i < m->n_nested_type; i++)
    if (index_message(r, self, m->nested_type[i], file))
      return -ENOMEM;
  for (size_t i = 0; i < m->n_enum_type; i++)
    if (add_symbol(r, self, m->enum_type[i]->name, file, 0))
      return -ENOMEM;
  return 0;
}

static int index_file(hz_reflection_t *r, const fdp_t *f, size_t idx) {
  const char *pkg = f->package ? f->package : "";
  for (size_t i = 0; i < f->n_message_type; i++)
    if (index_message(r, pkg, f->message_type[i], idx))
      return -ENOMEM;
  for (size_t i = 0; i < f->n_enum_type; i++)
    if (add_symbol(r, pkg, f->enum_type[i]->name, idx, 0))
      return -ENOMEM;
  for (size_t i = 0; i < f->n_service; i++) {
    const Google__Protobuf__ServiceDescriptorProto *s = f->service[i];
    if (add_symbol(r, pkg, s->name, idx, 0))
      return -ENOMEM;
    const char *svc = r->symbols[r->nsymbols - 1].name;
    for (size_t j = 0; j < s->n_method; j++)
      if (add_symbol(r, svc, s->method[j]->name, idx, 0))
        return -ENOMEM;
  }
  return 0;
}

static long find_file(const hz_reflection_t *r, const char *name) {
  for (size_t i = 0; i < r->nfiles; i++)
    if (strcmp(r->files[i].name, name) == 0)
      return (long)i;
  return -1;
}

static const hz_reflection_symbol_t *find_symbol(const hz_reflection_t *r, const char *name) {
  if (name[0] == '.')
    name++;
  for (size_t i = 0; i < r->nsymbols; i++)
    if (strcmp(r->symbols[i].name, name) == 0)
      return &r->symbols[i];
  return NULL;
}

static int load_files(hz_reflection_t *r) {
  const fdset_t *set = r->set;
  r->files = calloc(set->n_file ? set->n_file : 1, sizeof(*r->files));
  if (!r->files)
    return -ENOMEM;
  r->nfiles = set->n_file;
  for (size_t i = 0; i < set->n_file; i++) {
    const fdp_t *f = set->file[i];
    hz_reflection_file_t *hf = &r->files[i];
    hf->name = f->name;
    hf->len = protobuf_c_message_get_packed_size(&f->base);
    hf->bytes = malloc(hf->len ? hf->len : 1);
    if (!hf->bytes)
      return -ENOMEM;
    protobuf_c_message_pack(&f->base, hf->bytes);
    if (index_file(r, f, i))
      return -ENOMEM;
  }
  /* protoc writes a file after its imports, so every dependency resolves. */
  for (size_t i = 0; i < set->n_file; i++) {
    const fdp_t *f = set->file[i];
    hz_reflection_file_t *hf = &r->files[i];
    hf->deps = calloc(f->n_dependency ? f->n_dependency : 1, sizeof(size_t));
    if (!hf->deps)
      return -ENOMEM;
    for (size_t j = 0; j < f->n_dependency; j++) {
      long d = find_file(r, f->dependency[j]);
      if (d < 0)
        return -ENOENT;
      hf->deps[hf->ndeps++] = (size_t)d;
    }
  }
  return 0;
}

static int add_service(hz_reflection_t *r, const char *name, size_t n) {
  for (size_t j = 0; j < r->nservices; j++)
    if (strlen(r->services[j]) == n && strncmp(r->services[j], name, n) == 0)
      return 0;
  if (!(r->services[r->nservices] = strndup(name, n)))
    return -ENOMEM;
  r->nservices++;
  return 0;
}

/* The services of the contract this binary was built with, then any other
 * service in the method table, once each. */
static int collect_services(hz_reflection_t *r) {
  const hz_registry_t *reg = &r->ctx->registry;
  size_t max = reg->len;
  for (size_t i = 0; i < r->nsymbols; i++)
    max++;
  r->services = calloc(max + 1, sizeof(char *));
  if (!r->services)
    return -ENOMEM;
  const fdset_t *set = r->set;
  for (size_t i = 0; i < set->n_file; i++) {
    const fdp_t *f = set->file[i];
    for (size_t j = 0; j < f->n_service; j++) {
      char name[256];
      int n = snprintf(name, sizeof(name), "%s%s%s", f->package ? f->package : "",
                       f->package && *f->package ? "." : "", f->service[j]->name);
      if (n < 0 || (size_t)n >= sizeof(name) || add_service(r, name, (size_t)n))
        return -ENOMEM;
    }
  }
  for (size_t i = 0; i < reg->len; i++) {
    const char *p = reg->methods[i].path + 1;
    const char *slash = strchr(p, '/');
    if (slash && add_service(r, p, (size_t)(slash - p)))
      return -ENOMEM;
  }
  return 0;
}

/* ---- answers ------------------------------------------------------------ */

static void collect_closure(const hz_reflection_t *r, size_t file, char *seen, size_t *order,
                            size_t *n) {
  if (seen[file])
    return;
  seen[file] = 1;
  order[(*n)++] = file;
  for (size_t i = 0; i < r->files[file].ndeps; i++)
    collect_closure(r, r->files[file].deps[i], seen, order, n);
}

static int answer_files(const hz_reflection_t *r, hz_arena_t *a, size_t file, refl_resp_t *resp) {
  char *seen = hz_arena_zalloc(a, r->nfiles);
  size_t *order = hz_arena_alloc(a, r->nfiles * sizeof(size_t));
  Grpc__Reflection__V1__FileDescriptorResponse *fr = hz_arena_alloc(a, sizeof(*fr));
  if (!seen || !order || !fr)
    return -ENOMEM;
  grpc__reflection__v1__file_descriptor_response__init(fr);
  size_t n = 0;
  collect_closure(r, file, seen, order, &n);
  fr->file_descriptor_proto = hz_arena_alloc(a, n * sizeof(ProtobufCBinaryData));
  if (!fr->file_descriptor_proto)
    return -ENOMEM;
  for (size_t i = 0; i < n; i++)
    fr->file_descriptor_proto[i] =
        (ProtobufCBinaryData){r->files[order[i]].len, r->files[order[i]].bytes};
  fr->n_file_descriptor_proto = n;
  resp->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE;
  resp->file_descriptor_response = fr;
  return 0;
}

static int answer_error(hz_arena_t *a, refl_resp_t *resp, int code, const char *msg) {
  Grpc__Reflection__V1__ErrorResponse *er = hz_arena_alloc(a, sizeof(*er));
  if (!er)
    return -ENOMEM;
  grpc__reflection__v1__error_response__init(er);
  er->error_code = code;
  er->error_message = (char *)msg;
  resp->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE;
  resp->error_response = er;
  return 0;
}

static int answer_list(const hz_reflection_t *r, hz_arena_t *a, refl_resp_t *resp) {
  Grpc__Reflection__V1__ListServiceResponse *ls = hz_arena_alloc(a, sizeof(*ls));
  Grpc__Reflection__V1__ServiceResponse **items =
      hz_arena_alloc(a, (r->nservices + 1) * sizeof(*items));
  if (!ls || !items)
    return -ENOMEM;
  grpc__reflection__v1__list_service_response__init(ls);
  for (size_t i = 0; i < r->nservices; i++) {
    items[i] = hz_arena_alloc(a, sizeof(**items));
    if (!items[i])
      return -ENOMEM;
    grpc__reflection__v1__service_response__init(items[i]);
    items[i]->name = r->services[i];
  }
  ls->service = items;
  ls->n_service = r->nservices;
  resp->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE;
  resp->list_services_response = ls;
  return 0;
}

static int answer_extensions(hz_arena_t *a, const char *type, refl_resp_t *resp) {
  Grpc__Reflection__V1__ExtensionNumberResponse *en = hz_arena_alloc(a, sizeof(*en));
  if (!en)
    return -ENOMEM;
  grpc__reflection__v1__extension_number_response__init(en);
  en->base_type_name = (char *)type; /* none of our types declares extensions */
  resp->message_response_case =
      GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE;
  resp->all_extension_numbers_response = en;
  return 0;
}

static int answer(const hz_reflection_t *r, hz_arena_t *a, const refl_req_t *req,
                  refl_resp_t *resp) {
  const hz_reflection_symbol_t *sym;
  long f;
  switch (req->message_request_case) {
  case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES:
    return answer_list(r, a, resp);
  case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME:
    if ((f = find_file(r, req->file_by_filename)) < 0)
      return answer_error(a, resp, HZ_STATUS_NOT_FOUND,
                          hz_arena_printf(a, "file '%s' not found", req->file_by_filename));
    return answer_files(r, a, (size_t)f, resp);
  case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL:
    if (!(sym = find_symbol(r, req->file_containing_symbol)))
      return answer_error(a, resp, HZ_STATUS_NOT_FOUND,
                          hz_arena_printf(a, "symbol '%s' not found", req->file_containing_symbol));
    return answer_files(r, a, sym->file, resp);
  case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION:
    return answer_error(a, resp, HZ_STATUS_NOT_FOUND,
                        hz_arena_printf(a, "no extension %d of '%s'",
                                        req->file_containing_extension->extension_number,
                                        req->file_containing_extension->containing_type));
  case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE:
    sym = find_symbol(r, req->all_extension_numbers_of_type);
    if (!sym || !sym->is_message)
      return answer_error(
          a, resp, HZ_STATUS_NOT_FOUND,
          hz_arena_printf(a, "message type '%s' not found", req->all_extension_numbers_of_type));
    return answer_extensions(a, sym->name, resp);
  default: return answer_error(a, resp, HZ_STATUS_INVALID_ARGUMENT, "empty reflection request");
  }
}

static void on_request(hz_call_t *call, ProtobufCMessage *msg) {
  const hz_reflection_t *r = hz_call_method(call)->data;
  refl_req_t *req = (refl_req_t *)msg;
  refl_resp_t resp = GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__INIT;
  resp.valid_host = req->host;
  resp.original_request = req;
  if (answer(r, hz_call_arena(call), req, &resp)) {
    hz_call_finish(call, HZ_STATUS_RESOURCE_EXHAUSTED, "reflection call out of memory");
    return;
  }
  hz_call_send(call, &resp.base);
}

static void on_half_close(hz_call_t *call) {
  hz_call_finish(call, HZ_STATUS_OK, NULL);
}

static void on_cancel(hz_call_t *call) {
  hz_call_finish(call, HZ_STATUS_CANCELLED, NULL);
}

int hz_reflection_register(hz_reflection_t *r, hz_ctx_t *ctx) {
  memset(r, 0, sizeof(*r));
  r->ctx = ctx;
  r->set =
      google__protobuf__file_descriptor_set__unpack(NULL, hz_descriptor_set_len, hz_descriptor_set);
  if (!r->set)
    return -EINVAL;
  int err = load_files(r);
  if (err)
    return err;
  /* v1alpha differs from v1 only in its package name; the bytes match. */
  static const char *const paths[] = {
      "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
  };
  for (size_t i = 0; i < 2; i++) {
    hz_method_t m = {.path = paths[i],
                     .kind = HZ_RPC_BIDI,
                     .input = &grpc__reflection__v1__server_reflection_request__descriptor,
                     .on_message = on_request,
                     .on_half_close = on_half_close,
                     .on_cancel = on_cancel,
                     .data = r};
    if ((err = hz_registry_add(&ctx->registry, &m)))
      return err;
  }
  return collect_services(r);
}

void hz_reflection_free(hz_reflection_t *r) {
  if (!r)
    return;
  for (size_t i = 0; i < r->nfiles; i++) {
    free(r->files[i].bytes);
    free(r->files[i].deps);
  }
  free(r->files);
  for (size_t i = 0; i < r->nsymbols; i++)
    free(r->symbols[i].name);
  free(r->symbols);
  for (size_t i = 0; r->services && i < r->nservices; i++)
    free(r->services[i]);
  free(r->services);
  if (r->set)
    google__protobuf__file_descriptor_set__free_unpacked(r->set, NULL);
  memset(r, 0, sizeof(*r));
}
