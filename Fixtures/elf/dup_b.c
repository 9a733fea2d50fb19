/* Second static "helper": same name, larger body. */
extern volatile int sink;

static __attribute__((noinline)) int helper(int x)
{
	int acc = 0;
	for (int i = 0; i < x; i++) {
		sink += i * x;
		acc ^= sink + i;
		if (acc & 4)
			sink -= acc;
	}
	return acc;
}

int dup_b_entry(int x)
{
	return helper(x) + helper(x + 1);
}
