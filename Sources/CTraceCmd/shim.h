#include <trace-cmd.h>
#include <event-parse.h>

/* Exported by libtracecmd 1.3.1 but declared only in trace-cmd's private header
   (lib/trace-cmd/include/private/trace-cmd-private.h): the UNAME option of the file,
   e.g. "Linux vm 6.1.0-18-amd64 #1 SMP ... x86_64", or NULL when the file has none. */
const char *tracecmd_get_uname(struct tracecmd_input *handle);
