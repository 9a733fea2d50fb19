/* A kernel-module-like relocatable object (gcc -c): ET_REL with .rela.debug_* sections. */
#include "inline_helpers.h"

volatile int sink;

static inline __attribute__((always_inline)) int csum_tree_block(int len)
{
	int c = 0;
	for (int i = 0; i < len; i++)
		c += account_extent(i, len) ^ i;
	return c;
}

__attribute__((noinline)) int mod_submit_bio(int len)
{
	int c = csum_tree_block(len);
	sink = c;
	return c + scale_extent(len);
}

__attribute__((noinline)) int mod_end_io(int status)
{
	if (status < 0)
		return account_extent(-status, status);
	return mod_submit_bio(status) + 1;
}
