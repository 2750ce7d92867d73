#ifndef PGCLIENT_BENCH_CLIBPQ_SHIM_H
#define PGCLIENT_BENCH_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
