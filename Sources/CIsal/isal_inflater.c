#include "CIsal.h"

#if defined(__linux__) && __has_include(<isa-l/igzip_lib.h>)
#include <dlfcn.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdlib.h>

struct cisal_inflater {
    struct inflate_state state;
};

static void (*isal_init)(struct inflate_state *);
static void (*isal_reset)(struct inflate_state *);
static int (*isal_run)(struct inflate_state *);
static int isal_loaded;
static pthread_once_t isal_once = PTHREAD_ONCE_INIT;

static void isal_load(void) {
    void *library = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    isal_init = (void (*)(struct inflate_state *))dlsym(library, "isal_inflate_init");
    isal_reset = (void (*)(struct inflate_state *))dlsym(library, "isal_inflate_reset");
    isal_run = (int (*)(struct inflate_state *))dlsym(library, "isal_inflate");
    isal_loaded = isal_init && isal_reset && isal_run;
    if (!isal_loaded) dlclose(library);
}

int cisal_available(void) {
    pthread_once(&isal_once, isal_load);
    return isal_loaded;
}

cisal_inflater *cisal_inflater_create(void) {
    if (!cisal_available()) return NULL;
    cisal_inflater *inflater = calloc(1, sizeof *inflater);
    if (!inflater) return NULL;
    isal_init(&inflater->state);
    inflater->state.crc_flag = ISAL_GZIP;
    return inflater;
}

void cisal_inflater_destroy(cisal_inflater *inflater) { free(inflater); }

void cisal_inflater_reset(cisal_inflater *inflater) {
    uint8_t *next_in = inflater->state.next_in;
    uint32_t avail_in = inflater->state.avail_in;
    isal_reset(&inflater->state);
    inflater->state.crc_flag = ISAL_GZIP;
    inflater->state.next_in = next_in;
    inflater->state.avail_in = avail_in;
}

void cisal_inflater_set_input(cisal_inflater *inflater, const uint8_t *input, uint32_t count) {
    inflater->state.next_in = (uint8_t *)input;
    inflater->state.avail_in = count;
}

uint32_t cisal_inflater_avail_in(const cisal_inflater *inflater) { return inflater->state.avail_in; }

int cisal_inflater_inflate(cisal_inflater *inflater, uint8_t *out, uint32_t capacity, uint32_t *produced) {
    inflater->state.next_out = out;
    inflater->state.avail_out = capacity;
    int rc = isal_run(&inflater->state);
    *produced = capacity - inflater->state.avail_out;
    return rc;
}

int cisal_inflater_member_finished(const cisal_inflater *inflater) {
    return inflater->state.block_state == ISAL_BLOCK_FINISH;
}

#else

struct cisal_inflater {
    int unused;
};

int cisal_available(void) { return 0; }
cisal_inflater *cisal_inflater_create(void) { return 0; }
void cisal_inflater_destroy(cisal_inflater *inflater) { (void)inflater; }
void cisal_inflater_reset(cisal_inflater *inflater) { (void)inflater; }
void cisal_inflater_set_input(cisal_inflater *inflater, const uint8_t *input, uint32_t count) {
    (void)inflater; (void)input; (void)count;
}
uint32_t cisal_inflater_avail_in(const cisal_inflater *inflater) { (void)inflater; return 0; }
int cisal_inflater_inflate(cisal_inflater *inflater, uint8_t *out, uint32_t capacity, uint32_t *produced) {
    (void)inflater; (void)out; (void)capacity;
    *produced = 0;
    return -1;
}
int cisal_inflater_member_finished(const cisal_inflater *inflater) { (void)inflater; return 0; }

#endif
