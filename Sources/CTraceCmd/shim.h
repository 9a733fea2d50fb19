#include <trace-cmd.h>
#include <event-parse.h>
