/* <valgrind/dhat.h> of the system, plus DHAT_HISTOGRAM_MEMORY (valgrind
   3.21+), which crabgrind 0.1.12 wraps and hx's check never uses. */
#include_next <valgrind/dhat.h>
#ifndef DHAT_HISTOGRAM_MEMORY
#define DHAT_HISTOGRAM_MEMORY(addr) ((void)(addr))
#endif
