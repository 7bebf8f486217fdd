/* <valgrind/memcheck.h> of the system, plus the client requests crabgrind
   0.1.12 wraps that valgrind added after 3.19 (Debian 12). hx's check does
   not make them; they expand to nothing. */
#include_next <valgrind/memcheck.h>
#ifndef VALGRIND_DO_NEW_LEAK_CHECK
#define VALGRIND_DO_NEW_LEAK_CHECK
#endif
