/* First static "helper": small. */
extern volatile int sink;

static __attribute__((noinline)) int helper(int x)
{
	sink += x;
	return x + 1;
}

int dup_a_entry(int x)
{
	return helper(x) * 2;
}
