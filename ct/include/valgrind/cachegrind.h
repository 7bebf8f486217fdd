/* Stand-in for <valgrind/cachegrind.h>, which valgrind ships only from 3.22
   on (Debian 12 has 3.19). crabgrind 0.1.12 includes it for two cachegrind
   client requests that hx's constant-time check never makes; they expand to
   nothing here. Everything else comes from the system's valgrind headers. */
#ifndef HX_CT_CACHEGRIND_STANDIN_H
#define HX_CT_CACHEGRIND_STANDIN_H
#define CACHEGRIND_START_INSTRUMENTATION
#define CACHEGRIND_STOP_INSTRUMENTATION
#endif
