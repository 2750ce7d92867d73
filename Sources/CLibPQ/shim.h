// The only place in llmlog that includes libpq-fe.h.
#ifndef LLMLOG_CLIBPQ_SHIM_H
#define LLMLOG_CLIBPQ_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // for POLLRDHUP
#endif
#include <poll.h>
#include <libpq-fe.h>

// Peer closed its end: how an idle connection notices the server went away (Linux).
static const short CLIBPQ_POLLRDHUP = POLLRDHUP;

// libpq's PG_DIAG_* field codes are character-literal macros, which Swift cannot import.
static const int CLIBPQ_DIAG_SEVERITY = PG_DIAG_SEVERITY;
static const int CLIBPQ_DIAG_SEVERITY_NONLOCALIZED = PG_DIAG_SEVERITY_NONLOCALIZED;
static const int CLIBPQ_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int CLIBPQ_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int CLIBPQ_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
static const int CLIBPQ_DIAG_MESSAGE_HINT = PG_DIAG_MESSAGE_HINT;
static const int CLIBPQ_DIAG_SCHEMA_NAME = PG_DIAG_SCHEMA_NAME;
static const int CLIBPQ_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;
static const int CLIBPQ_DIAG_COLUMN_NAME = PG_DIAG_COLUMN_NAME;
static const int CLIBPQ_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;

#endif
