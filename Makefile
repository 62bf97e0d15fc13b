# pg_triage: the canonical build (PGXS). `make && make install`; tests: scripts/test.sh.
EXTENSION = pg_triage
EXTVERSION = 0.3.0

MODULE_big = pg_triage
SRCS = $(wildcard src/core/*.cpp) $(wildcard src/pg/*.cpp)
OBJS = $(SRCS:.cpp=.o)
# The full script of the current version is the first release plus the upgrade scripts, so that
# a fresh install and an upgraded one run the same statements (sql/pg_triage--0.3.0.sql is built).
RELEASED_SCRIPTS = sql/pg_triage--0.1.0.sql sql/pg_triage--0.1.0--0.2.0.sql sql/pg_triage--0.2.0--0.3.0.sql
DATA_built = sql/pg_triage--$(EXTVERSION).sql
DATA = $(RELEASED_SCRIPTS)

# pg_regress: inputs in sql/, expected outputs in expected/ (top-level layout).
REGRESS = grouping_hashes grouping_info bad_input search_path sdk_grouping kept_plans
REGRESS_OPTS = --inputdir=. --load-extension=pg_triage

# Isolation tests (pg_isolation_regress, concurrent sessions): specs in test/isolation/specs,
# expected outputs in test/isolation/expected, results in output_iso/.
ISOLATION = new_issue_race resolve_race regression_race batch_order duplicate_event_id search_paging merge_race counter_race
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=pg_triage

PG_CPPFLAGS = -Isrc/core -Isrc/pg
PG_CXXFLAGS = -std=c++17 -fno-omit-frame-pointer -fvisibility=hidden -fvisibility-inlines-hidden -Wno-register -Wall -Wextra \
	-Wno-unused-parameter -Wno-missing-field-initializers -Wno-cast-function-type
SHLIB_LINK = -lstdc++ -lpcre2-8

# Header dependencies, so that a changed header rebuilds every object that includes it.
PG_CXXFLAGS += -MMD -MP
EXTRA_CLEAN = $(OBJS:.o=.d) results regression.diffs regression.out
.DEFAULT_GOAL := all
-include $(OBJS:.o=.d)

# No LLVM bitcode: the JIT gains nothing from inlining these C++ functions, and building the
# bitcode doubles the build time. (Set before the include, which reads it.)
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/pg_triage--$(EXTVERSION).sql: $(RELEASED_SCRIPTS)
	cat $^ >$@
