#ifndef CISAL_H
#define CISAL_H
#include <stdint.h>

/* A gzip inflater over Intel ISA-L (igzip), loaded at run time with dlopen("libisal.so.2"):
 * no link-time dependency, so dio-trace builds and runs without libisal (zlib is then used).
 * Built without <isa-l/igzip_lib.h>, every call reports ISA-L unavailable. */

typedef struct cisal_inflater cisal_inflater;

/* 1 when libisal.so.2 loaded and its inflate entry points resolved; loads once, thread-safe. */
int cisal_available(void);

/* A decoder for gzip members (header parsed, CRC-32 and length checked); NULL when
 * ISA-L is unavailable or memory ran out. */
cisal_inflater *cisal_inflater_create(void);
void cisal_inflater_destroy(cisal_inflater *inflater);

/* Starts the next gzip member; input not yet consumed stays pending. */
void cisal_inflater_reset(cisal_inflater *inflater);

void cisal_inflater_set_input(cisal_inflater *inflater, const uint8_t *input, uint32_t count);
uint32_t cisal_inflater_avail_in(const cisal_inflater *inflater);

/* Inflates into out; *produced gets the bytes written. Returns ISA-L's code: 0 or positive
 * when all is well, negative (ISAL_INVALID_BLOCK ... ISAL_INCORRECT_CHECKSUM) for corrupt data. */
int cisal_inflater_inflate(cisal_inflater *inflater, uint8_t *out, uint32_t capacity, uint32_t *produced);

/* 1 once the member's trailer was checked and all its output delivered. Unused input after
 * the trailer is back in the input (next_in/avail_in). */
int cisal_inflater_member_finished(const cisal_inflater *inflater);

#endif
