// Module entry: PG_MODULE_MAGIC, settings, and the core's allocator hooks.
#include "boundary.hpp"

#include <malloc.h>

#include "json.hpp"
#include "pending_counts.hpp"
#include "backend_cache.hpp"
#include "settings.hpp"

extern "C" {
#include "utils/memutils.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

namespace {

// The core's bulk memory (parsed JSON) comes from the current memory context, so an error
// anywhere releases it with the context. Failure is reported as std::bad_alloc, never longjmp.
void *palloc_hook(size_t size) {
	void *p = palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (!p)
		throw std::bad_alloc();
	return p;
}

void *repalloc_hook(void *ptr, size_t, size_t new_size) {
	void *p = repalloc_extended(ptr, new_size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (!p)
		throw std::bad_alloc();
	return p;
}

void pfree_hook(void *ptr) { pfree(ptr); }

} // namespace

void _PG_init(void) {
	// Every SQL statement the save path runs frees some 100 kB at its end (index scan state), on
	// top of the heap: with glibc's defaults that memory goes back to the kernel and is asked for
	// again by the next statement, a brk pair per statement that cost about 40% of ingest time.
	// Keeping 1 MiB of padding at the heap top stops the churn (glibc-specific, process-wide).
	mallopt(M_TOP_PAD, 1 << 20);
	triage::set_alloc_hooks({palloc_hook, repalloc_hook, pfree_hook});
	triage_pg::define_settings();
	triage_pg::register_cache_callbacks();
	triage_pg::register_pending_counts_callbacks();
}
