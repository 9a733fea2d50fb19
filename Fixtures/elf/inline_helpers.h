/* Static inline helpers that gcc -O2 inlines into their callers. */
#ifndef INLINE_HELPERS_H
#define INLINE_HELPERS_H

extern volatile int sink;

static inline __attribute__((always_inline)) int scale_extent(int v)
{
	sink += v;
	return v * 3 + sink;
}

static inline __attribute__((always_inline)) int account_extent(int v, int w)
{
	int r = scale_extent(v);
	if (w > 7)
		r += scale_extent(w);
	sink ^= r;
	return r - w;
}

#endif
