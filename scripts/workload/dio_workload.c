/*
 * dio_workload: btrfs O_DIRECT space-accounting scenarios for dio-trace
 * captures (the generic/095 bug class), for kernels >= 6.15 where O_DIRECT
 * to a checksummed file falls back to buffered I/O and only NOCOW files
 * (FS_NOCOW_FL, `chattr +C`) take the real iomap DIO path.
 *
 * usage: dio_workload [-s SCALE] [-c CASES] <dir>
 *   SCALE  multiplies the number of writes per case (default 1)
 *   CASES  comma-separated subset of: nocow,csum,efault,invalid,splice,
 *          sendfile,concurrent,buffered,aio,truncate,unlink (default: all)
 *
 * Prints one line per case:
 *   case=<name> file=<f> ino=<n> op=<syscall> off=<o> len=<n> ret=<r> errno=<E> st_size=<s> st_blocks=<b>
 * Exit status 0 unless the setup itself failed (I/O errors, and open() errors such as
 * EDQUOT, are results: reported, and the rest of that case is skipped).
 *
 * Build: gcc -O2 -Wall -pthread -o dio_workload dio_workload.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PG 4096
#define KiB 1024L

static const char *dir = ".";
static int scale = 1;
static const char *cases = NULL;

static const char *ename(int e)
{
	switch (e) {
	case 0: return "0";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case EDQUOT: return "EDQUOT";
	case EIO: return "EIO";
	case EAGAIN: return "EAGAIN";
	case ENOTTY: return "ENOTTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOSYS: return "ENOSYS";
	case ENOENT: return "ENOENT";
	default: return strerror(e);
	}
}

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void report(const char *name, const char *file, int fd, const char *op,
		   long long off, long long len, long long ret, int err)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	if (fd >= 0)
		fstat(fd, &st);
	pthread_mutex_lock(&out_lock);
	printf("case=%s file=%s ino=%llu op=%s off=%lld len=%lld ret=%lld errno=%s st_size=%lld st_blocks=%lld\n",
	       name, file, (unsigned long long)st.st_ino, op, off, len, ret,
	       ret < 0 ? ename(err) : "0", (long long)st.st_size, (long long)st.st_blocks);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static int want(const char *c)
{
	if (!cases)
		return 1;
	size_t n = strlen(c);
	for (const char *p = cases; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !strncmp(p, c, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

static char *path_of(const char *name)
{
	static __thread char buf[4096];
	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

/* Open (create) a file; nocow=1 sets FS_NOCOW_FL while it is still empty. */
static int open_file(const char *name, int flags, int nocow)
{
	errno = 0;
	int fd = open(path_of(name), O_RDWR | O_CREAT | flags, 0644);
	if (fd < 0) {
		/* e.g. EDQUOT under a qgroup limit: a result, the case is skipped */
		report("open", name, -1, "open", 0, 0, -1, errno);
		return -1;
	}
	if (nocow) {
		int attr = 0;
		errno = 0;
		long r = ioctl(fd, FS_IOC_GETFLAGS, &attr);
		if (r == 0) {
			attr |= FS_NOCOW_FL;
			r = ioctl(fd, FS_IOC_SETFLAGS, &attr);
		}
		report("set-nocow", name, fd, "ioctl(FS_IOC_SETFLAGS,NOCOW)", 0, 0, r, errno);
		if (r != 0) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static char *aligned_buf(size_t len, char fill)
{
	void *p = NULL;
	if (posix_memalign(&p, PG, len)) {
		fprintf(stderr, "dio_workload: posix_memalign failed\n");
		exit(2);
	}
	memset(p, fill, len);
	return p;
}

/* npages anonymous pages, page 'hole' (or -1) unmapped again */
static char *holey_buf(int npages, int hole, char fill)
{
	char *p = mmap(NULL, (size_t)npages * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("dio_workload: mmap");
		exit(2);
	}
	memset(p, fill, (size_t)npages * PG);
	if (hole >= 0 && munmap(p + (size_t)hole * PG, PG)) {
		perror("dio_workload: munmap");
		exit(2);
	}
	return p;
}

static void do_pwrite(const char *cname, const char *file, int fd, const void *buf, size_t len, off_t off)
{
	errno = 0;
	ssize_t r = pwrite(fd, buf, len, off);
	report(cname, file, fd, "pwrite", off, len, r, errno);
}

static void do_fsync(const char *cname, const char *file, int fd)
{
	errno = 0;
	int r = fsync(fd);
	report(cname, file, fd, "fsync", 0, 0, r, errno);
}

/* 1. O_DIRECT to a NOCOW file: the real iomap DIO path (REGULAR|DIRECT, then NOCOW|DIRECT on overwrite) */
static void case_nocow(void)
{
	const char *f = "nocow";
	int fd = open_file(f, O_DIRECT, 1);
	if (fd < 0)
		return;
	char *b = aligned_buf(64 * KiB, 'n');
	for (int i = 0; i < 4 * scale; i++)
		do_pwrite("nocow-dio-write", f, fd, b, 64 * KiB, (off_t)i * 64 * KiB);
	do_pwrite("nocow-dio-overwrite", f, fd, b, 64 * KiB, 0);
	do_pwrite("nocow-dio-write-1M", f, fd, aligned_buf(1024 * KiB, 'N'), 1024 * KiB, 1024 * KiB);
	do_fsync("nocow-fsync", f, fd);
	close(fd);
}

/* 2. O_DIRECT to a checksummed (default) file: buffered fallback on >= 6.15 */
static void case_csum(void)
{
	const char *f = "csum";
	int fd = open_file(f, O_DIRECT, 0);
	if (fd < 0)
		return;
	char *b = aligned_buf(64 * KiB, 'c');
	for (int i = 0; i < 2 * scale; i++)
		do_pwrite("csum-dio-write", f, fd, b, 64 * KiB, (off_t)i * 64 * KiB);
	do_pwrite("csum-dio-overwrite", f, fd, b, 64 * KiB, 0);
	do_fsync("csum-fsync", f, fd);
	close(fd);
}

/* 3. short O_DIRECT write: tail page of the user buffer unmapped (EFAULT part-way) */
static void case_efault(void)
{
	const char *f = "efault-nocow";
	int fd = open_file(f, O_DIRECT, 1);
	if (fd < 0)
		return;
	do_pwrite("efault-tail-nocow", f, fd, holey_buf(16, 15, 'e'), 16 * PG, 0);
	do_pwrite("efault-mid-nocow", f, fd, holey_buf(16, 8, 'f'), 16 * PG, 1024 * KiB);
	do_pwrite("efault-head-nocow", f, fd, holey_buf(4, 0, 'g'), 4 * PG, 2048 * KiB);
	/* pwritev: first iovec fine, second one unmapped */
	{
		char *b = holey_buf(8, 4, 'h');
		struct iovec iov[2] = { { b, 4 * PG }, { b + 4 * PG, 4 * PG } };
		errno = 0;
		ssize_t r = pwritev(fd, iov, 2, 3072 * KiB);
		report("efault-iov2-nocow", f, fd, "pwritev", 3072 * KiB, 8 * PG, r, errno);
	}
	do_fsync("efault-fsync", f, fd);
	close(fd);

	f = "efault-csum";
	fd = open_file(f, O_DIRECT, 0);
	if (fd < 0)
		return;
	do_pwrite("efault-tail-csum", f, fd, holey_buf(16, 15, 'i'), 16 * PG, 0);
	do_fsync("efault-fsync", f, fd);
	close(fd);
}

/* 4. fully invalid user pointer */
static void case_invalid(void)
{
	const char *f = "invalid-nocow";
	int fd = open_file(f, O_DIRECT, 1);
	if (fd < 0)
		return;
	do_pwrite("invalid-pointer-nocow", f, fd, (void *)(uintptr_t)0x1000, 8 * PG, 0);
	do_pwrite("invalid-pointer2-nocow", f, fd, (void *)(uintptr_t)0xdead0000UL, 8 * PG, 64 * KiB);
	close(fd);
	f = "invalid-csum";
	fd = open_file(f, O_DIRECT, 0);
	if (fd < 0)
		return;
	do_pwrite("invalid-pointer-csum", f, fd, (void *)(uintptr_t)0x1000, 8 * PG, 0);
	close(fd);
}

/* 5. splice from a pipe into an O_DIRECT file (generic/095 job4: ioengine=splice direct=1) */
static void case_splice(void)
{
	const char *f = "splice-nocow";
	int fd = open_file(f, O_DIRECT, 1);
	if (fd < 0)
		return;
	int p[2];
	if (pipe(p)) {
		perror("dio_workload: pipe");
		exit(2);
	}
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	static const size_t sizes[] = { 16 * KiB, 64 * KiB, 4 * KiB, 5000 };
	static char data[64 * KiB];
	loff_t off = 0;
	for (int i = 0; i < 4 * scale; i++) {
		size_t len = sizes[i % 4];
		memset(data, 'S' + i % 4, len);
		if (write(p[1], data, len) != (ssize_t)len) {
			perror("dio_workload: pipe write");
			exit(2);
		}
		loff_t o = off;
		errno = 0;
		ssize_t r = splice(p[0], NULL, fd, &o, len, 0);
		report("splice-to-odirect", f, fd, "splice", off, len, r, errno);
		if (r < (ssize_t)len) { /* drain what is left */
			size_t left = len - (r > 0 ? r : 0);
			char sink[64 * KiB];
			if (read(p[0], sink, left) < 0)
				perror("dio_workload: pipe drain");
		}
		off += 64 * KiB;
	}
	close(p[0]);
	close(p[1]);
	do_fsync("splice-fsync", f, fd);
	close(fd);
}

/* 6. sendfile from a buffered file into an O_DIRECT file */
static void case_sendfile(void)
{
	const char *sf = "sendfile-src";
	int src = open_file(sf, 0, 0);
	if (src < 0)
		return;
	char *b = aligned_buf(256 * KiB, 's');
	do_pwrite("sendfile-src-fill", sf, src, b, 256 * KiB, 0);
	const char *f = "sendfile-nocow";
	int fd = open_file(f, O_DIRECT, 1);
	if (fd < 0) {
		close(src);
		return;
	}
	static const size_t sizes[] = { 64 * KiB, 16 * KiB, 4 * KiB, 3000 };
	for (int i = 0; i < 4 * scale; i++) {
		size_t len = sizes[i % 4];
		off_t in_off = (off_t)(i % 4) * 64 * KiB;
		off_t o = (off_t)i * 64 * KiB;
		if (lseek(fd, o, SEEK_SET) < 0) {
			perror("dio_workload: lseek");
			exit(2);
		}
		errno = 0;
		ssize_t r = sendfile(fd, src, &in_off, len);
		report("sendfile-to-odirect", f, fd, "sendfile", o, len, r, errno);
	}
	do_fsync("sendfile-fsync", f, fd);
	close(fd);
	close(src);
}

/* 7. concurrent O_DIRECT writers (threads) on one NOCOW file */
struct thr { int fd; int idx; int n; };
#define NTHR 4
static void *writer(void *arg)
{
	struct thr *t = arg;
	char *b = aligned_buf(16 * KiB, 'T' + t->idx);
	char name[32];
	snprintf(name, sizeof(name), "concurrent-t%d", t->idx);
	for (int j = 0; j < t->n; j++) {
		off_t off = ((off_t)j * NTHR + t->idx) * 16 * KiB;
		/* every 4th write overlaps the previous thread's range */
		if (j % 4 == 3)
			off = ((off_t)j * NTHR + (t->idx + NTHR - 1) % NTHR) * 16 * KiB;
		do_pwrite(name, "concurrent-nocow", t->fd, b, 16 * KiB, off);
	}
	free(b);
	return NULL;
}

static void case_concurrent(void)
{
	const char *f = "concurrent-nocow";
	int fd = open_file(f, O_DIRECT, 1);
	if (fd < 0)
		return;
	pthread_t th[NTHR];
	struct thr a[NTHR];
	for (int i = 0; i < NTHR; i++) {
		a[i] = (struct thr){ fd, i, 8 * scale };
		if (pthread_create(&th[i], NULL, writer, &a[i])) {
			fprintf(stderr, "dio_workload: pthread_create failed\n");
			exit(2);
		}
	}
	for (int i = 0; i < NTHR; i++)
		pthread_join(th[i], NULL);
	do_fsync("concurrent-fsync", f, fd);
	close(fd);
}

/* 8. buffered writes (delalloc) to a checksummed and a NOCOW file */
static void case_buffered(void)
{
	const char *f = "buffered";
	int fd = open_file(f, 0, 0);
	if (fd < 0)
		return;
	char *b = aligned_buf(64 * KiB, 'b');
	for (int i = 0; i < 4 * scale; i++)
		do_pwrite("buffered-write", f, fd, b, 64 * KiB, (off_t)i * 64 * KiB);
	do_pwrite("buffered-write-unaligned", f, fd, b, 1000, 300 * KiB + 17);
	do_fsync("buffered-fsync", f, fd);
	close(fd);
	f = "buffered-nocow";
	fd = open_file(f, 0, 1);
	if (fd < 0)
		return;
	do_pwrite("buffered-write-nocow", f, fd, b, 64 * KiB, 0);
	do_fsync("buffered-fsync", f, fd);
	do_pwrite("buffered-overwrite-nocow", f, fd, b, 16 * KiB, 16 * KiB);
	/* left dirty on purpose: written back by sync/umount */
	close(fd);
}

/* 10. O_DIRECT read at end of file (iomap_dio_rw_begin with no iomap_iter and no completion),
 * a buffered write through a second descriptor, another O_DIRECT read: the reads reserve
 * nothing and the buffered write's reservations are not theirs (xfstests generic/013 shape). */
static void do_pread(const char *cname, const char *file, int fd, void *buf, size_t len, off_t off)
{
	errno = 0;
	ssize_t r = pread(fd, buf, len, off);
	report(cname, file, fd, "pread", off, len, r, errno);
}

static void case_readeof(void)
{
	static const struct { const char *name; int nocow; } files[] = { { "readeof-nocow", 1 }, { "readeof-csum", 0 } };
	for (int k = 0; k < 2; k++) {
		const char *f = files[k].name;
		int dfd = open_file(f, O_DIRECT, files[k].nocow);
		if (dfd < 0)
			return;
		int bfd = open(path_of(f), O_RDWR);
		char *b = aligned_buf(64 * KiB, 'r');
		do_pwrite("readeof-dio-write", f, dfd, b, 64 * KiB, 0);
		for (int i = 0; i < 2 * scale; i++) {
			struct stat st;
			fstat(dfd, &st);
			do_pread("readeof-dio-read-at-eof", f, dfd, b, 64 * KiB, st.st_size);
			do_pwrite("readeof-buffered-write", f, bfd, b, 5000, st.st_size);
			do_pread("readeof-dio-read", f, dfd, b, 64 * KiB, 0);
		}
		do_fsync("readeof-fsync", f, bfd);
		close(bfd);
		close(dfd);
	}
}

/* 9. Linux native AIO via raw syscalls (no libaio needed) on a NOCOW O_DIRECT file */
static void case_aio(void)
{
	const char *f = "aio-nocow";
	int fd = open_file(f, O_DIRECT, 1);
	if (fd < 0)
		return;
	aio_context_t ctx = 0;
	errno = 0;
	long r = syscall(SYS_io_setup, 16, &ctx);
	report("aio-setup", f, fd, "io_setup", 0, 16, r, errno);
	if (r < 0) {
		close(fd);
		return;
	}
	enum { N = 8 };
	struct iocb cbs[N], *ptrs[N];
	char *b = aligned_buf(N * 16 * KiB, 'a');
	char *bad = holey_buf(4, 3, 'A');
	memset(cbs, 0, sizeof(cbs));
	for (int i = 0; i < N; i++) {
		cbs[i].aio_fildes = fd;
		cbs[i].aio_lio_opcode = IOCB_CMD_PWRITE;
		cbs[i].aio_buf = (uint64_t)(uintptr_t)(b + (size_t)i * 16 * KiB);
		cbs[i].aio_nbytes = 16 * KiB;
		cbs[i].aio_offset = (int64_t)i * 16 * KiB;
		cbs[i].aio_data = i;
		ptrs[i] = &cbs[i];
	}
	/* the last request's buffer has its tail page unmapped */
	cbs[N - 1].aio_buf = (uint64_t)(uintptr_t)bad;
	errno = 0;
	r = syscall(SYS_io_submit, ctx, N, ptrs);
	report("aio-submit", f, fd, "io_submit", 0, N, r, errno);
	if (r > 0) {
		struct io_event ev[N];
		long got = 0;
		while (got < r) {
			errno = 0;
			long g = syscall(SYS_io_getevents, ctx, 1, N, ev, NULL);
			if (g < 0) {
				report("aio-getevents", f, fd, "io_getevents", 0, N, g, errno);
				break;
			}
			for (long k = 0; k < g; k++) {
				struct iocb *cb = (struct iocb *)(uintptr_t)ev[k].obj;
				long long res = ev[k].res;
				report("aio-write", f, fd, "io_event", cb->aio_offset, cb->aio_nbytes,
				       res, res < 0 ? (int)-res : 0);
			}
			got += g;
		}
	}
	syscall(SYS_io_destroy, ctx);
	do_fsync("aio-fsync", f, fd);
	close(fd);
}

/* 10. truncate (shrink to unaligned, grow, to zero) */
static void case_truncate(void)
{
	static const struct { const char *f; off_t len; } t[] = {
		{ "nocow", 100 * KiB + 123 }, { "nocow", 512 * KiB }, { "buffered", 0 },
		{ "csum", 4 * KiB }, { "concurrent-nocow", 64 * KiB },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		errno = 0;
		int r = truncate(path_of(t[i].f), t[i].len);
		int fd = open(path_of(t[i].f), O_RDONLY);
		report("truncate", t[i].f, fd, "truncate", 0, t[i].len, r, errno);
		if (fd >= 0)
			close(fd);
	}
}

/* 11. unlink (evicts the inodes before umount) */
static void case_unlink(void)
{
	static const char *u[] = { "efault-csum", "invalid-csum", "sendfile-src", "splice-nocow", "csum" };
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		struct stat st;
		memset(&st, 0, sizeof(st));
		stat(path_of(u[i]), &st);
		errno = 0;
		int r = unlink(path_of(u[i]));
		pthread_mutex_lock(&out_lock);
		printf("case=unlink file=%s ino=%llu op=unlink off=0 len=0 ret=%d errno=%s st_size=%lld st_blocks=%lld\n",
		       u[i], (unsigned long long)st.st_ino, r, r < 0 ? ename(errno) : "0",
		       (long long)st.st_size, (long long)st.st_blocks);
		fflush(stdout);
		pthread_mutex_unlock(&out_lock);
	}
}

int main(int argc, char **argv)
{
	int opt;
	while ((opt = getopt(argc, argv, "s:c:")) != -1) {
		switch (opt) {
		case 's': scale = atoi(optarg); if (scale < 1) scale = 1; break;
		case 'c': cases = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-s SCALE] [-c CASES] <dir>\n", argv[0]);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s [-s SCALE] [-c CASES] <dir>\n", argv[0]);
		return 2;
	}
	dir = argv[optind];
	printf("dio_workload pid=%d dir=%s scale=%d cases=%s\n", getpid(), dir, scale, cases ? cases : "all");
	fflush(stdout);

	if (want("nocow")) case_nocow();
	if (want("csum")) case_csum();
	if (want("efault")) case_efault();
	if (want("invalid")) case_invalid();
	if (want("splice")) case_splice();
	if (want("sendfile")) case_sendfile();
	if (want("concurrent")) case_concurrent();
	if (want("buffered")) case_buffered();
	if (want("aio")) case_aio();
	if (want("readeof")) case_readeof();
	if (want("truncate")) case_truncate();
	if (want("unlink")) case_unlink();
	printf("dio_workload done\n");
	return 0;
}
