/* A vmlinux-like executable: inlined static functions and calls into two
 * translation units that each define a static function called "helper". */
#include <stdio.h>
#include "inline_helpers.h"

volatile int sink;

int dup_a_entry(int x);
int dup_b_entry(int x);

static inline __attribute__((always_inline)) int reserve_space(int bytes)
{
	int total = 0;
	for (int i = 0; i < bytes; i++)
		total += account_extent(i, bytes);
	return total;
}

__attribute__((noinline)) int btrfs_like_write(int n)
{
	int r = reserve_space(n);
	if (r > 100)
		r = account_extent(r, n);
	printf("write %d\n", r);
	return r;
}

__attribute__((noinline)) int btrfs_like_read(int n)
{
	int r = account_extent(n, n + 1);
	printf("read %d\n", r);
	return r + dup_a_entry(n);
}

int main(int argc, char **argv)
{
	(void)argv;
	int r = btrfs_like_write(argc * 5);
	r += btrfs_like_read(argc);
	r += dup_b_entry(r);
	return r & 1;
}
