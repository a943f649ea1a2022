/* fuzz_pipeline.c: libFuzzer target for the packet path, through the real
 * program: capture -> decap -> reassembly (libnids) -> exchange -> outputs.
 *
 * Input (what seeds.py writes):
 *   byte 0      bits 0-2: the link type (links[] below, modulo its size);
 *               bit 3: text report instead of JSON lines; bit 4: -v;
 *               bit 5: the file says nanosecond timestamps
 *   the rest    pcap records (16-byte record header, then the frame), as
 *               after a pcap file's global header
 * The harness writes a pcap global header for the chosen link type, then
 * the rest, to a file and runs main.c's main() (built as interim_main) on
 * it, so that every input is a capture and main() does not exit. Its
 * stdout goes to /dev/null; run with -close_fd_mask=2 to silence its
 * warnings too.
 *
 * One change to the pipeline: libnids' stream table is cut from the
 * program's 136000 to FUZZ_STREAMS (nids_init is wrapped), because filling
 * the big one costs ~20 ms per run; a small one also lets inputs reach
 * eviction. Needs the shared libnids (dlsym RTLD_NEXT).
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap.h>
#include <nids.h>

#define FUZZ_STREAMS 64

int interim_main(int argc, char **argv);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the link types decap.c knows, as LINKTYPE_* values in a file: EN10MB,
 * LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6 */
static const uint32_t links[] = {1, 113, 276, 0, 108, 101, 228, 229};
#define NLINKS (sizeof(links) / sizeof(links[0]))

static char path[64];

const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);

/* libnids' nids_init() makes its callback lists afresh and drops the old
 * ones without freeing them: a leak only when main() runs twice in one
 * process, as here, so not ours to report. */
const char *
__lsan_default_suppressions(void)
{
	return "leak:register_callback\nleak:nids_init\n";
}

/* libnids has no frame pointers: without this, the stack of its mallocs
 * stops inside it and the suppression above cannot match (costs ~20%) */
const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

static void
remove_file(void)
{
	if (path[0] != '\0')
		unlink(path);
}

/* reassembly.c's nids_init(), with a small stream table */
int
nids_init(void)
{
	static int (*real)(void);

	if (real == NULL &&
	    (real = (int (*)(void))dlsym(RTLD_NEXT, "nids_init")) == NULL) {
		fprintf(stderr, "fuzz_pipeline: no shared libnids: %s\n",
		    dlerror());
		abort();
	}
	nids_params.n_tcp_streams = FUZZ_STREAMS;
	return real();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s", "/tmp/fuzz_pipeline.XXXXXX");
	if ((fd = mkstemp(path)) < 0) {
		perror("fuzz_pipeline: mkstemp");
		exit(1);
	}
	close(fd);
	atexit(remove_file);
	if (freopen("/dev/null", "w", stdout) == NULL) {
		perror("fuzz_pipeline: /dev/null");
		exit(1);
	}
	return 0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);       /* host order, as pcap writers do */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[24];
	char a0[] = "interim", a1[] = "-j", a2[] = "-v";
	char *argv[5];
	int argc = 0, fd;
	FILE *f;

	if (size < 1)
		return 0;
	put32(hdr, data[0] & 0x20 ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(hdr + 4, 2);              /* version 2.4 */
	put16(hdr + 6, 4);
	put32(hdr + 8, 0);              /* thiszone */
	put32(hdr + 12, 0);             /* sigfigs */
	put32(hdr + 16, 262144);        /* snaplen */
	put32(hdr + 20, links[(data[0] & 7) % NLINKS]);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1) ||
	    fclose(f) != 0) {
		perror("fuzz_pipeline: writing the capture");
		abort();
	}
	argv[argc++] = a0;
	if (!(data[0] & 0x08))
		argv[argc++] = a1;
	if (data[0] & 0x10)
		argv[argc++] = a2;
	argv[argc++] = path;
	argv[argc] = NULL;
	optind = 0;             /* glibc: getopt from scratch */
	/* main() closes standard output to learn whether it was written:
	 * give each run a fresh one */
	if ((fd = open("/dev/null", O_WRONLY)) < 0 || dup2(fd, 1) < 0 ||
	    (stdout = fdopen(1, "w")) == NULL) {
		perror("fuzz_pipeline: /dev/null");
		abort();
	}
	if (fd != 1)
		close(fd);
	interim_main(argc, argv);
	return 0;
}
